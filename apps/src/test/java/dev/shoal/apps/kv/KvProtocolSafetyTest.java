package dev.shoal.apps.kv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a hostile or broken client gets, over TCP: one error and a closed connection for a malformed frame, a
 * refused request never read as requests, a client that does not read closed at the output limit, limits set by
 * CONFIG SET.
 */
class KvProtocolSafetyTest
{
    @RegisterExtension
    static final KvServer SERVER = new KvServer(new KvAppliance.Settings(null, 2, 0, 16L << 20));

    private static RespClient client() throws Exception
    {
        return SERVER.client();
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldNotRunRequestsHiddenInAValueLargerThanARingMessage() throws Exception
    {
        final StringBuilder value = new StringBuilder();
        while (value.length() < 300_000)
        {
            value.append("\r\nSET smuggled yes\r\n*3\r\n$3\r\nSET\r\n$9\r\nsmuggled2\r\n$3\r\nyes\r\n");
        }
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("SET", "carrier", value.toString()), "it travels to its shard in pieces");
            assertEquals("PONG", c.call("PING"));
            assertNull(c.call("GET", "smuggled"));
            assertNull(c.call("GET", "smuggled2"));
            assertEquals(value.toString(), c.call("GET", "carrier"));
        }
    }

    @Test
    void shouldDiscardARequestLargerThanAShardAsItArrivesAndServeTheNextOne() throws Exception
    {
        // The shards have 16 MiB each here: a 40 MB value could never be stored.
        final int size = 40 << 20;
        try (RespClient c = client())
        {
            c.send(ascii("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n"));
            final byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte)'\n');
            for (int sent = 0; sent < size; sent += chunk.length)
            {
                c.send(chunk);
            }
            c.send(ascii("\r\n"));
            assertEquals(new RespClient.Error("OOM command not allowed when used memory > 'maxmemory'."), c.read());
            assertEquals("OK", c.call("SET", "after", "1"));
            assertEquals("1", c.call("GET", "after"));
            assertNull(c.call("GET", "big"));
        }
    }

    @Test
    void shouldAnswerABulkLengthOverProtoMaxBulkLenOnceAndClose() throws Exception
    {
        try (RespClient c = client())
        {
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(ascii("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$600000000\r\n"));
            for (int i = 0; i < 1000; i++)
            {
                b.writeBytes(ascii("SET smuggled yes\r\n"));
            }
            c.send(b.toByteArray());
            assertEquals(new RespClient.Error("ERR Protocol error: invalid bulk length"), c.read());
            assertTrue(c.isClosedByServer(), "one error, then the connection closes");
        }
        try (RespClient c = client())
        {
            assertNull(c.call("GET", "smuggled"));
        }
    }

    @Test
    void shouldAnswerEachKindOfMalformedFrameOnceAndClose() throws Exception
    {
        final String[][] cases = {
            {"*abc\r\nPING\r\n", "ERR Protocol error: invalid multibulk length"},
            {"*1\r\n$-7\r\nPING\r\n", "ERR Protocol error: invalid bulk length"},
            {"*1\r\n$4\r\nPINGxx\r\nPING\r\n", "ERR Protocol error: bulk string not followed by CRLF"},
            {"*1\r\n:5\r\nPING\r\n", "ERR Protocol error: expected '$', got ':'"},
            {"set \"\"\"k\"\"\" v\r\nPING\r\n", "ERR Protocol error: unbalanced quotes in request"},
            {"set \"k v\r\nPING\r\n", "ERR Protocol error: unbalanced quotes in request"},
            {"*2\r\n$" + "9".repeat(70_000), "ERR Protocol error: too big bulk count string"},
            {"GET " + "k".repeat(70_000), "ERR Protocol error: too big inline request"},
        };
        for (final String[] k : cases)
        {
            try (RespClient c = client())
            {
                assertEquals("PONG", c.call("PING"));
                c.send(ascii(k[0]));
                assertEquals(new RespClient.Error(k[1]), c.read(), k[1]);
                assertTrue(c.isClosedByServer(), k[1]);
            }
        }
    }

    @Test
    void shouldSplitInlineCommandsAsRedisDoesWithQuotesAndEscapes() throws Exception
    {
        try (RespClient c = client())
        {
            c.send(ascii("SET \"a key\" 'it''s'\r\nSET \"x\\x41\\n\" \"say \\\"hi\\\"\"\r\n"));
            assertInstanceOf(RespClient.Error.class, c.read(), "a closing quote must be followed by a blank");
            assertTrue(c.isClosedByServer());
        }
        try (RespClient c = client())
        {
            c.send(ascii("SET \"a key\" 'it\\'s'\r\nSET \"x\\x41\\n\" \"say \\\"hi\\\"\"\r\n"));
            assertEquals("OK", c.read());
            assertEquals("OK", c.read());
            assertEquals("it's", c.call("GET", "a key"));
            assertEquals("say \"hi\"", c.call("GET", "xA\n"));
        }
    }

    @Test
    void shouldCloseAClientThatDoesNotReadItsRepliesAtTheOutputLimit() throws Exception
    {
        final String value = "v".repeat(200_000);
        final int gets = 1000;
        try (RespClient c = client(); RespClient watcher = client())
        {
            assertEquals("OK", c.call("SET", "big", value));
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i < gets; i++)
            {
                b.writeBytes(RespClient.encode("GET", "big"));
            }
            c.send(b.toByteArray());
            // 200 MB of replies against the default limit of 64 MB: the NIC closes the client rather than hold
            // them (the other client's own connection is the one left).
            await().atMost(Duration.ofSeconds(60)).until(() ->
                ((String)watcher.call("INFO", "clients")).contains("connected_clients:1\r\n"));
            final long received = c.drain();
            assertTrue(received < (long)gets * value.length() / 2, "received " + received);
            assertEquals("PONG", watcher.call("PING"), "the appliance serves on");
        }
    }

    @Test
    void shouldCloseWithoutAReplyAFrameOverTheQueryBufferLimit() throws Exception
    {
        try (RespClient admin = client())
        {
            assertEquals("OK", admin.call("CONFIG", "SET", "client-query-buffer-limit", "1mb"));
            try
            {
                try (RespClient c = client())
                {
                    c.send(ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (2 << 20) + "\r\n"));
                    try
                    {
                        c.send(new byte[1 << 20]);
                    }
                    catch (final java.net.SocketException ex)
                    {
                        // Closed already, as it should be.
                    }
                    assertEquals(0, c.drain(), "closed without a reply");
                }
            }
            finally
            {
                assertEquals("OK", admin.call("CONFIG", "SET", "client-query-buffer-limit", "1gb"));
            }
        }
    }

    @Test
    void shouldShowAndSetTheLimitsByRedisNames() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals(List.of("proto-max-bulk-len", "536870912"), c.call("CONFIG", "GET", "proto-max-bulk-len"));
            assertEquals(List.of("client-query-buffer-limit", "1073741824"),
                c.call("CONFIG", "GET", "client-query-buffer-limit"));
            assertEquals(List.of("client-output-buffer-limit",
                "normal 67108864 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60"),
                c.call("CONFIG", "GET", "client-output-buffer-limit"));
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument " +
                "'proto-max-bulk-len') - argument must be a memory value"),
                c.call("CONFIG", "SET", "proto-max-bulk-len", "lots"));
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument " +
                "'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"),
                c.call("CONFIG", "SET", "proto-max-bulk-len", "1000"));
            assertEquals(new RespClient.Error("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
                c.call("CONFIG", "SET", "nosuch", "1"));
            assertEquals("OK", c.call("CONFIG", "SET", "proto-max-bulk-len", "2mb"));
            try
            {
                c.send(ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (3 << 20) + "\r\n"));
                assertEquals(new RespClient.Error("ERR Protocol error: invalid bulk length"), c.read());
                assertTrue(c.isClosedByServer());
            }
            finally
            {
                try (RespClient d = client())
                {
                    assertEquals("OK", d.call("CONFIG", "SET", "proto-max-bulk-len", "512mb"));
                }
            }
        }
    }
}
