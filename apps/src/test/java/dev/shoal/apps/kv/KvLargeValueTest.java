package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Values larger than a NIC ring message (256 KiB), over TCP: they travel to their shard in pieces, are stored in
 * pieces of the shard's memory, and come back byte for byte; {@code --memory} bounds them (Redis's {@code -OOM},
 * nothing changed), and the memory comes back when they go. Values are random bytes, CR and LF among them.
 */
class KvLargeValueTest
{
    /** Two shards of 64 MiB, for the round trips. */
    private static KvAppliance roomy;
    /** One shard of 16 MiB, to run out of. */
    private static KvAppliance small;
    /** Eight shards of 4 MiB: the NIC's input budget for partial large requests is 16 MiB. */
    private static KvAppliance crowded;

    @BeforeAll
    static void start() throws Exception
    {
        roomy = KvAppliance.start(new KvAppliance.Settings(null, 2, 0, 64L << 20));
        small = KvAppliance.start(new KvAppliance.Settings(null, 1, 0, 16L << 20));
        crowded = KvAppliance.start(new KvAppliance.Settings(null, 8, 0, 4L << 20));
    }

    @AfterAll
    static void stop()
    {
        roomy.close();
        small.close();
        crowded.close();
    }

    @Test
    void shouldStoreAndReturnValuesLargerThanARingMessageByteForByte() throws Exception
    {
        try (Raw c = new Raw(roomy.port()))
        {
            for (final int size : new int[] {300_000, 5_000_000, 40_000_000})
            {
                final byte[] value = random(size, size);
                final String key = "large:" + size;
                assertEquals("+OK", c.call("SET".getBytes(), key.getBytes(), value));
                assertArrayEquals(value, c.bulk("GET", key), "GET of " + size + " bytes");
                assertEquals(":" + size, c.call("STRLEN".getBytes(), key.getBytes()));
                // Pipelined behind and before small requests, whose replies keep their order.
                c.send("SET".getBytes(), "small".getBytes(), "1".getBytes());
                c.send("GET".getBytes(), key.getBytes());
                c.send("INCR".getBytes(), "small".getBytes());
                assertEquals("+OK", c.line());
                assertArrayEquals(value, c.bulkReply());
                assertEquals(":2", c.line());
            }
            // A large value replaced by a small one, and the other way round.
            assertEquals("+OK", c.call("SET".getBytes(), "large:300000".getBytes(), "tiny".getBytes()));
            assertArrayEquals("tiny".getBytes(), c.bulk("GET", "large:300000"));
            final byte[] again = random(2_000_000, 7);
            assertEquals("+OK", c.call("SET".getBytes(), "large:300000".getBytes(), again));
            assertArrayEquals(again, c.bulk("GET", "large:300000"));
            assertEquals(":3", c.call("DEL".getBytes(), "large:300000".getBytes(), "large:5000000".getBytes(),
                "large:40000000".getBytes()));
        }
    }

    @Test
    void shouldRefuseAValueOverTheShardsMemoryWithOomAndChangeNothing() throws Exception
    {
        try (Raw c = new Raw(small.port()))
        {
            assertEquals("+OK", c.call("FLUSHALL".getBytes()));
            assertEquals("+OK", c.call("SET".getBytes(), "k".getBytes(), "old".getBytes()));
            final long before = usedMemory(c);
            // Larger than the whole shard: the NIC refuses it as it arrives.
            assertEquals("-OOM command not allowed when used memory > 'maxmemory'.",
                c.call("SET".getBytes(), "k".getBytes(), random(20_000_000, 1)));
            // Fits the shard alone, but not beside what it holds: the shard finds too few blocks and takes none.
            final byte[] tenMb = random(10_000_000, 2);
            assertEquals("+OK", c.call("SET".getBytes(), "other".getBytes(), tenMb));
            final long withOther = usedMemory(c);
            assertEquals("-OOM command not allowed when used memory > 'maxmemory'.",
                c.call("SET".getBytes(), "k".getBytes(), random(10_000_000, 3)));
            assertArrayEquals("old".getBytes(), c.bulk("GET", "k"));
            assertEquals(withOther, usedMemory(c), "a refused write holds no memory");
            assertArrayEquals(tenMb, c.bulk("GET", "other"));
            assertEquals(":2", c.call("DBSIZE".getBytes()));
            assertEquals(":1", c.call("DEL".getBytes(), "other".getBytes()));
            assertEquals(before, usedMemory(c), "DEL gives a large value's pieces back");
            // And the room is there again.
            assertEquals("+OK", c.call("SET".getBytes(), "k".getBytes(), tenMb));
            assertArrayEquals(tenMb, c.bulk("GET", "k"));
        }
    }

    @Test
    void shouldCountALargeValuesMemoryAndGiveItBackOnDel() throws Exception
    {
        try (Raw c = new Raw(roomy.port()))
        {
            final long before = usedMemory(c);
            assertEquals("+OK", c.call("SET".getBytes(), "counted".getBytes(), random(5_000_000, 4)));
            final long with = usedMemory(c);
            assertTrue(with - before >= 5_000_000, "used_memory grew by " + (with - before));
            assertEquals(":1", c.call("DEL".getBytes(), "counted".getBytes()));
            assertEquals(before, usedMemory(c));
        }
    }

    @Test
    void shouldRefuseALargeRequestWhileOthersHoldTheNicsInputBudgetAndTakeItOnceTheyAreDone() throws Exception
    {
        // Four clients each send 2.2 MB of a 2.5 MB value and stop: each of their NIC input buffers has grown to
        // 4 MiB, together the whole budget (four shards' memory, 16 MiB). A fifth large SET is refused with -OOM
        // and discarded as it arrives; once the four finish, their buffers shrink and the fifth gets through.
        final int size = 2_500_000;
        final int part = 2_200_000;
        final String[] keys = keysOnDistinctShards(5, 8);
        final Raw[] senders = new Raw[4];
        final byte[][] values = new byte[5][];
        try (Raw watcher = new Raw(crowded.port()))
        {
            for (int i = 0; i < 4; i++)
            {
                values[i] = random(size, 10 + i);
                senders[i] = new Raw(crowded.port());
                senders[i].sendPrefix(part, "SET".getBytes(), keys[i].getBytes(), values[i]);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                java.util.Arrays.stream(new String(watcher.bulk("CLIENT", "LIST"), StandardCharsets.ISO_8859_1)
                    .split("\n")).filter(l -> l.contains(" qbuf=") &&
                        Long.parseLong(l.replaceAll(".* qbuf=(\\d+).*", "$1")) >= part).count() == 4);
            values[4] = random(size, 20);
            try (Raw fifth = new Raw(crowded.port()))
            {
                assertEquals("-OOM command not allowed when used memory > 'maxmemory'.",
                    fifth.call("SET".getBytes(), keys[4].getBytes(), values[4]));
                for (int i = 0; i < 4; i++)
                {
                    senders[i].sendRest();
                    assertEquals("+OK", senders[i].line(), "client " + i + " finishes its SET");
                    assertArrayEquals(values[i], senders[i].bulk("GET", keys[i]));
                }
                assertEquals("+OK", fifth.call("SET".getBytes(), keys[4].getBytes(), values[4]),
                    "the four gave their buffers back");
                assertArrayEquals(values[4], fifth.bulk("GET", keys[4]));
            }
        }
        finally
        {
            for (final Raw r : senders)
            {
                if (r != null)
                {
                    r.close();
                }
            }
        }
    }

    /** {@code n} keys whose owners (of {@code shards}) all differ. */
    private static String[] keysOnDistinctShards(final int n, final int shards)
    {
        final String[] keys = new String[n];
        final boolean[] taken = new boolean[shards];
        int found = 0;
        for (int i = 0; found < n; i++)
        {
            final String k = "budget:" + i;
            final int s = KeyHash.shardOf(KeyHash.fnv1a(k.getBytes(StandardCharsets.UTF_8)), shards);
            if (!taken[s])
            {
                taken[s] = true;
                keys[found++] = k;
            }
        }
        return keys;
    }

    private static long usedMemory(final Raw c) throws IOException
    {
        final String info = new String(c.bulk("INFO", "memory"), StandardCharsets.ISO_8859_1);
        for (final String line : info.split("\r\n"))
        {
            if (line.startsWith("used_memory:"))
            {
                return Long.parseLong(line.substring("used_memory:".length()));
            }
        }
        throw new AssertionError("no used_memory in " + info);
    }

    private static byte[] random(final int size, final long seed)
    {
        final byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A client that sends and reads bytes as they are (RespClient reads bulk strings as UTF-8 text). */
    private static final class Raw implements AutoCloseable
    {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Raw(final int port) throws IOException
        {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }

        void send(final byte[]... args) throws IOException
        {
            final ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(header.toByteArray());
            for (final byte[] a : args)
            {
                out.write(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(a);
                out.write('\r');
                out.write('\n');
            }
        }

        /** The rest of a request {@link #sendPrefix} began. */
        private byte[] rest;

        /** Sends the first {@code prefix} bytes of the request's last argument, and keeps the rest. */
        void sendPrefix(final int prefix, final byte[]... args) throws IOException
        {
            final byte[][] head = java.util.Arrays.copyOf(args, args.length - 1);
            final byte[] last = args[args.length - 1];
            out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (final byte[] a : head)
            {
                out.write(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(a);
                out.write('\r');
                out.write('\n');
            }
            out.write(("$" + last.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(last, 0, prefix);
            out.flush();
            rest = java.util.Arrays.copyOfRange(last, prefix, last.length);
        }

        void sendRest() throws IOException
        {
            out.write(rest);
            out.write('\r');
            out.write('\n');
            out.flush();
        }

        /** Sends a request and reads a one-line reply (+simple, -error, :integer). */
        String call(final byte[]... args) throws IOException
        {
            send(args);
            return line();
        }

        byte[] bulk(final String... args) throws IOException
        {
            final byte[][] bytes = new byte[args.length][];
            for (int i = 0; i < args.length; i++)
            {
                bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
            }
            send(bytes);
            return bulkReply();
        }

        byte[] bulkReply() throws IOException
        {
            final String header = line();
            assertTrue(header.startsWith("$"), header);
            final int n = Integer.parseInt(header.substring(1));
            final byte[] data = in.readNBytes(n + 2);
            assertEquals(n + 2, data.length, "the whole bulk string");
            assertEquals('\r', data[n]);
            assertEquals('\n', data[n + 1]);
            return java.util.Arrays.copyOf(data, n);
        }

        String line() throws IOException
        {
            out.flush();
            final StringBuilder s = new StringBuilder();
            int b;
            while ((b = in.read()) != '\r')
            {
                if (b < 0)
                {
                    throw new IOException("closed by the server after '" + s + "'");
                }
                s.append((char)b);
            }
            in.read();
            return s.toString();
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
