package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The NIC's request parser on its own: frames arriving in arbitrary pieces are found whole and exact, a refused
 * frame is skipped to its exact end, and random bytes never make it throw or stall. Seeds are fixed; a failure
 * names its seed ({@code -Dshoal.resp.fuzz.seed=S -Dshoal.resp.fuzz.runs=N} for longer runs).
 */
class RespReaderTest
{
    private static final int MAX_FRAME = 4096;
    private static final long MAX_BULK = 1 << 20;

    /** Feeds {@code input} in random pieces as the NIC does; returns the frames found (arguments), or null after an error. */
    private static List<byte[][]> parseInPieces(final byte[] input, final SplittableRandom random, final int[] refused)
    {
        final RespReader reader = new RespReader(MAX_FRAME);
        final RespReader.Skip skip = new RespReader.Skip();
        final List<byte[][]> frames = new ArrayList<>();
        byte[] buf = new byte[0];
        int start = 0;
        int fed = 0;
        while (fed < input.length)
        {
            final int n = Math.min(input.length - fed, 1 + random.nextInt(64));
            final byte[] more = Arrays.copyOf(Arrays.copyOfRange(buf, start, buf.length), buf.length - start + n);
            System.arraycopy(input, fed, more, buf.length - start, n);
            fed += n;
            buf = more;
            start = 0;
            while (true)
            {
                final int r = skip.active() ? reader.skip(buf, start, buf.length, MAX_BULK, Long.MAX_VALUE, skip) :
                    reader.parse(buf, start, buf.length, MAX_BULK, Long.MAX_VALUE, skip);
                if (r == RespReader.NEED_MORE)
                {
                    if (skip.active())
                    {
                        start = reader.end;
                    }
                    break;
                }
                if (r == RespReader.ERROR || r == RespReader.OVER_LIMIT)
                {
                    return null;
                }
                assertTrue(reader.end > start || r == RespReader.FRAME && skip.args == 0, "progress");
                if (r == RespReader.FRAME && reader.argc > 0)
                {
                    final byte[][] args = new byte[reader.argc][];
                    for (int i = 0; i < reader.argc; i++)
                    {
                        args[i] = Arrays.copyOfRange(buf, reader.argOffset[i], reader.argOffset[i] + reader.argLength[i]);
                    }
                    frames.add(args);
                }
                if (r == RespReader.TOO_BIG)
                {
                    refused[0]++;
                }
                start = reader.end;
            }
        }
        return frames;
    }

    @Test
    void shouldFindEveryFrameWholeWhateverPiecesItArrivesIn()
    {
        for (long seed = 1; seed <= 200; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final ByteArrayOutputStream in = new ByteArrayOutputStream();
            final List<byte[][]> sent = new ArrayList<>();
            int big = 0;
            for (int f = 0; f < 20; f++)
            {
                final byte[][] args = new byte[1 + random.nextInt(4)][];
                int ring = RespReader.REQUEST_OVERHEAD;
                for (int i = 0; i < args.length; i++)
                {
                    args[i] = new byte[random.nextInt(10) == 0 ? 5000 : random.nextInt(40)];
                    random.nextBytes(args[i]);
                    ring += RespReader.ARGUMENT_OVERHEAD + args[i].length;
                }
                in.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                for (final byte[] a : args)
                {
                    in.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    in.writeBytes(a);
                    in.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                if (ring > MAX_FRAME)
                {
                    big++;
                }
                else
                {
                    sent.add(args);
                }
            }
            final int[] refused = {0};
            final List<byte[][]> found = parseInPieces(in.toByteArray(), random, refused);
            assertEquals(sent.size(), found.size(), "seed " + seed);
            for (int i = 0; i < sent.size(); i++)
            {
                assertEquals(sent.get(i).length, found.get(i).length, "seed " + seed);
                for (int a = 0; a < sent.get(i).length; a++)
                {
                    assertArrayEquals(sent.get(i)[a], found.get(i)[a], "seed " + seed);
                }
            }
            assertEquals(big, refused[0], "each refused frame skipped to its exact end, seed " + seed);
        }
    }

    @Test
    void shouldNeverThrowOrStallOnRandomBytes()
    {
        final byte[] alphabet = "*$\r\n0123456789-\"' \\xaAz:+".getBytes(StandardCharsets.ISO_8859_1);
        final long first = Long.getLong("shoal.resp.fuzz.seed", 1);
        final long runs = Long.getLong("shoal.resp.fuzz.runs", 2000);
        for (long seed = first; seed < first + runs; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final byte[] in = new byte[random.nextInt(300)];
            for (int i = 0; i < in.length; i++)
            {
                in[i] = random.nextInt(4) == 0 ? (byte)random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            try
            {
                parseInPieces(in, random, new int[1]);
            }
            catch (final RuntimeException | AssertionError ex)
            {
                throw new AssertionError("seed " + seed + ", input " + Arrays.toString(in), ex);
            }
        }
    }
}
