package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates the built-in descriptions at random and checks that loading always ends quickly, either loading or
 * failing with a one-line {@link MachineDescriptionException}, never with a stack overflow, running out of
 * memory or another exception. Seeded: a failure prints the seed and the mutations; rerun one case with
 * {@code -Dskb.fuzz.seed=<seed> -Dskb.fuzz.cases=1}.
 */
class MachineDescriptionFuzzTest {

    private static final long SEED = Long.getLong("skb.fuzz.seed", 20_091_011L);
    private static final int CASES = Integer.getInteger("skb.fuzz.cases", 500);
    private static final long CASE_BOUND_NANOS = 2_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldLoadOrRejectOnOneLineEveryMutatedDescription() throws IOException {
        List<byte[]> originals = new ArrayList<>();
        for (String name : MachineCatalog.BUILT_IN_NAMES) {
            originals.add(resource("machines/" + name + ".pl"));
        }
        Path file = dir.resolve("fuzz.pl");
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + i;
            Random random = new Random(seed);
            List<String> applied = new ArrayList<>();
            byte[] text = originals.get(random.nextInt(originals.size()));
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                text = mutate(text, random, applied);
            }
            Files.write(file, text);
            String replay = "seed " + seed + " (-Dskb.fuzz.seed=" + seed + " -Dskb.fuzz.cases=1), mutations " + applied;
            long start = System.nanoTime();
            try {
                Skb.open(file.toString());
            } catch (MachineDescriptionException e) {
                assertFalse(e.getMessage().isEmpty() || e.getMessage().contains("\n") || e.getMessage().contains("\r"),
                        replay + ": message not one line: " + e.getMessage());
            } catch (Throwable t) {
                fail(replay + ": " + t.getClass().getName() + ": " + firstLine(t.getMessage()), t);
            }
            long nanos = System.nanoTime() - start;
            if (nanos > CASE_BOUND_NANOS) {
                fail(replay + ": took " + nanos / 1_000_000 + " ms");
            }
        }
    }

    private static byte[] mutate(byte[] text, Random random, List<String> applied) {
        int at = text.length == 0 ? 0 : random.nextInt(text.length + 1);
        int length = 1 + random.nextInt(Math.max(1, Math.min(64, text.length - at)));
        int end = Math.min(text.length, at + length);
        switch (random.nextInt(9)) {
            case 0 -> {
                applied.add("flip byte " + at);
                byte[] copy = text.clone();
                if (at < copy.length) {
                    copy[at] = (byte) random.nextInt(256);
                }
                return copy;
            }
            case 1 -> {
                applied.add("delete " + at + ".." + end);
                return splice(text, at, end, new byte[0]);
            }
            case 2 -> {
                applied.add("duplicate " + at + ".." + end);
                return splice(text, at, at, slice(text, at, end));
            }
            case 3 -> {
                int depth = 1 + random.nextInt(5000);
                String open = List.of("(", "f(", "[", "{", "- (").get(random.nextInt(5));
                String close = open.equals("[") ? "]" : open.equals("{") ? "}" : ")";
                applied.add("nest " + open + " x" + depth + " at " + at);
                return splice(text, at, at, ascii(open.repeat(depth) + "x" + close.repeat(depth)));
            }
            case 4 -> {
                int n = 1 + random.nextInt(20_000);
                String link = List.of("+1", ", a", " :- a", "- ", "\\+ ", " is 1", "|a", "'-' ", "'\\x2D\\' ")
                        .get(random.nextInt(9));
                applied.add("chain '" + link + "' x" + n + " at " + at);
                return splice(text, at, at, ascii("1" + link.repeat(n)));
            }
            case 5 -> {
                applied.add("bad UTF-8 at " + at);
                byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC3}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
                return splice(text, at, at, bad[random.nextInt(bad.length)]);
            }
            case 6 -> {
                String piece = List.of("'", "\"", "/*", "0'", ".", " .", "(", ")", "]", ":-", "\uFEFF", "\u0000",
                        "X", "999999999999999999999999", "-", "% ", "\n").get(random.nextInt(17));
                applied.add("insert '" + piece.replace("\n", "\\n") + "' at " + at);
                return splice(text, at, at, piece.getBytes(StandardCharsets.UTF_8));
            }
            case 7 -> {
                applied.add("byte-order mark");
                return splice(text, 0, 0, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            }
            default -> {
                applied.add("truncate at " + at);
                return slice(text, 0, at);
            }
        }
    }

    private static byte[] splice(byte[] text, int from, int to, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length + insert.length);
        out.write(text, 0, from);
        out.write(insert, 0, insert.length);
        out.write(text, to, text.length - to);
        return out.toByteArray();
    }

    private static byte[] slice(byte[] text, int from, int to) {
        byte[] part = new byte[to - from];
        System.arraycopy(text, from, part, 0, part.length);
        return part;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = MachineLoader.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
