package dev.shoal.skb;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The machines Shoal knows by name, and how a machine spec (a name, {@code numa:PxC} or a file path) turns into
 * description text. Stateless apart from an immutable cache; safe to call from any thread.
 */
public final class MachineCatalog {

    /** The four machines of the Multikernel paper, smallest first. */
    public static final List<String> BUILT_IN_NAMES = List.of("intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4");

    /** The generated-machine form, as shown to users: P packages of C cores, e.g. {@code numa:64x64}. */
    public static final String GENERATOR_FORM = NumaMachineGenerator.FORM;

    /** Largest description file accepted (4 MiB), far above any real machine; generated text is not bound. */
    static final long MAX_FILE_BYTES = 4L << 20;

    private MachineCatalog() {
    }

    /** Name, description and size of every built-in machine, in {@link #BUILT_IN_NAMES} order. */
    public static List<MachineInfo> builtIns() {
        return BuiltIns.INFOS;
    }

    // Checked once, on first use; a holder class makes the lazy initialisation thread-safe.
    private static final class BuiltIns {
        static final List<MachineInfo> INFOS = describeAll();

        private static List<MachineInfo> describeAll() {
            List<MachineInfo> infos = new ArrayList<>();
            for (String name : BUILT_IN_NAMES) {
                infos.add(MachineLoader.check(resolve(name)));
            }
            return List.copyOf(infos);
        }
    }

    /**
     * The description text {@code spec} names.
     *
     * @throws MachineDescriptionException for an unknown name, a bad {@code numa:} form or an unreadable file
     */
    static MachineLoader.Source resolve(String spec) {
        String trimmed = spec == null ? "" : spec.strip();
        if (BUILT_IN_NAMES.contains(trimmed)) {
            String resource = "machines/" + trimmed + ".pl";
            String text = MachineLoader.readResourceOrNull(resource);
            if (text == null) {
                throw new IllegalStateException("built-in machine " + resource + " is missing from the skb jar");
            }
            return new MachineLoader.Source(trimmed + ".pl", text);
        }
        if (NumaMachineGenerator.isGeneratorSpec(trimmed)) {
            return new MachineLoader.Source(trimmed, NumaMachineGenerator.generate(trimmed));
        }
        Path path = asPath(trimmed);
        if (path != null && Files.isRegularFile(path)) {
            return new MachineLoader.Source(trimmed, read(trimmed, path));
        }
        if (path != null && looksLikePath(trimmed)) {
            throw new MachineDescriptionException(trimmed + ": no such machine description file");
        }
        throw new MachineDescriptionException("unknown machine '" + trimmed + "': expected one of "
                + String.join(", ", BUILT_IN_NAMES) + ", " + GENERATOR_FORM
                + " (e.g. numa:64x64) or the path of a .pl machine description");
    }

    private static Path asPath(String spec) {
        if (spec.isEmpty()) {
            return null;
        }
        try {
            return Path.of(spec);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static boolean looksLikePath(String spec) {
        return spec.endsWith(".pl") || spec.contains("/") || spec.contains("\\");
    }

    private static String read(String name, Path path) {
        try {
            // Checked before reading, so a huge file is neither read into memory nor handed to the parser.
            long bytes = Files.size(path);
            if (bytes > MAX_FILE_BYTES) {
                throw new MachineDescriptionException(name, 1, "file is " + bytes + " bytes; a machine description "
                        + "may be at most " + MAX_FILE_BYTES + " bytes");
            }
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new MachineDescriptionException(name + ": not UTF-8 text");
        } catch (NoSuchFileException e) {
            throw new MachineDescriptionException(name + ": no such machine description file");
        } catch (IOException e) {
            throw new MachineDescriptionException(name + ": cannot read: " + e.getMessage());
        }
    }
}
