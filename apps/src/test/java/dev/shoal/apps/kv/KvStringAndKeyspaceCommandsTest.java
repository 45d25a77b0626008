package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The commands real clients use beyond GET and SET, over TCP, with Redis 7's replies and error texts. */
class KvStringAndKeyspaceCommandsTest
{
    private static final int CORES = 3;
    private static KvAppliance kv;
    private static RespClient c;

    @BeforeAll
    static void start() throws Exception
    {
        kv = KvAppliance.start(new KvAppliance.Settings(null, CORES, 0, 8L << 20));
        c = new RespClient(kv.port());
    }

    @AfterAll
    static void stop() throws Exception
    {
        c.close();
        kv.close();
    }

    @BeforeEach
    void flush() throws Exception
    {
        assertEquals("OK", c.call("FLUSHALL"));
    }

    private static RespClient.Error error(final String text)
    {
        return new RespClient.Error(text);
    }

    /** Two keys on different shards. */
    private static String[] apart()
    {
        String first = null;
        for (int i = 0; ; i++)
        {
            final String k = "key" + i;
            final int s = KeyHash.shardOf(KeyHash.fnv1a(k.getBytes(StandardCharsets.UTF_8)), CORES);
            if (first == null && s == 0)
            {
                first = k;
            }
            else if (first != null && s == 2)
            {
                return new String[] {first, k};
            }
        }
    }

    @Test
    void shouldGetAndSetWithGetexAndGetset() throws Exception
    {
        assertNull(c.call("GETEX", "k", "EX", "10"));
        assertNull(c.call("GETEX", "k", "EX", "0"), "a missing key is null before the time is checked");
        assertEquals(error("ERR syntax error"), c.call("GETEX", "k", "FOO"));
        assertEquals("OK", c.call("SET", "k", "v"));
        assertEquals("v", c.call("GETEX", "k", "PX", "50000"));
        assertTrue((Long)c.call("PTTL", "k") > 49_000);
        assertEquals("v", c.call("GETEX", "k", "PERSIST"));
        assertEquals(-1L, c.call("TTL", "k"));
        assertEquals(error("ERR syntax error"), c.call("GETEX", "k", "EX", "1", "PX", "1"));
        assertEquals(error("ERR invalid expire time in 'getex' command"), c.call("GETEX", "k", "EX", "0"));
        assertEquals("v", c.call("GETSET", "k", "w"));
        assertEquals("w", c.call("GET", "k"));
        assertNull(c.call("GETSET", "new", "1"));
    }

    @Test
    void shouldIncrementByFloatsAsRedisPrintsThem() throws Exception
    {
        assertEquals("10.5", c.call("INCRBYFLOAT", "f", "10.5"));
        assertEquals("10.6", c.call("INCRBYFLOAT", "f", "0.1"));
        assertEquals("5000", c.call("INCRBYFLOAT", "f", "4989.4"));
        assertEquals("3000", c.call("INCRBYFLOAT", "g", "3.0e3"));
        assertEquals("1.5", c.call("INCRBYFLOAT", "h", "1.5"));
        assertEquals("1.6", c.call("INCRBYFLOAT", "h", "0.1"), "Redis's answer; a sum of doubles prints 1.6000000000000001");
        assertEquals("1.7", c.call("INCRBYFLOAT", "h", "0.1"));
        assertEquals(error("ERR value is not a valid float"), c.call("INCRBYFLOAT", "h", "1e99999"));
        assertEquals(error("ERR value is not a valid float"), c.call("INCRBYFLOAT", "f", "abc"));
        assertEquals("OK", c.call("SET", "s", "text"));
        assertEquals(error("ERR value is not a valid float"), c.call("INCRBYFLOAT", "s", "1"));
        assertEquals(error("ERR increment would produce NaN or Infinity"),
            c.call("INCRBYFLOAT", "f", "inf"));
    }

    @Test
    void shouldRefuseOverflowsAndBadNumbersWithRedisWords() throws Exception
    {
        assertEquals("OK", c.call("SET", "n", "10"));
        assertEquals(error("ERR decrement would overflow"), c.call("DECRBY", "n", "-9223372036854775808"));
        assertEquals(-9223372036854775798L, c.call("INCRBY", "n", "-9223372036854775808"));
        assertEquals(error("ERR increment or decrement would overflow"), c.call("DECRBY", "n", "11"));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("INCRBY", "n", "1.5"));
        assertEquals(error("ERR value is not an integer or out of range"), c.call("SELECT", "abc"));
        assertEquals(error("ERR DB index is out of range"), c.call("SELECT", "1"));
    }

    @Test
    void shouldSetAndGetRangesAndBits() throws Exception
    {
        assertEquals(11L, c.call("SETRANGE", "r", "6", "world"));
        assertEquals("\0\0\0\0\0\0world", c.call("GET", "r"));
        assertEquals(11L, c.call("SETRANGE", "r", "0", "hello "));
        assertEquals("hello world", c.call("GET", "r"));
        assertEquals(error("ERR offset is out of range"), c.call("SETRANGE", "r", "-1", "x"));
        assertEquals(error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            c.call("SETRANGE", "r", "536870911", "xx"));
        // Offsets whose sum with the length overflows a long (Redis's test suite, "SETRANGE with huge offset").
        assertEquals(error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            c.call("SETRANGE", "r", "9223372036854775807", "A"));
        assertEquals(error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            c.call("SETRANGE", "r", "2147483647", "A"));
        assertEquals("world", c.call("GETRANGE", "r", "-5", "-1"));
        assertEquals("hello", c.call("GETRANGE", "r", "0", "4"));
        assertEquals("", c.call("GETRANGE", "r", "5", "3"));
        assertEquals("hello world", c.call("GETRANGE", "r", "0", "100"));
        assertEquals(0L, c.call("SETBIT", "b", "7", "1"));
        assertEquals(1L, c.call("SETBIT", "b", "7", "0"));
        assertEquals(0L, c.call("SETBIT", "b", "1", "1"));
        assertEquals("@", c.call("GET", "b"));
        assertEquals(1L, c.call("GETBIT", "b", "1"));
        assertEquals(0L, c.call("GETBIT", "b", "100"));
        assertEquals(error("ERR bit offset is not an integer or out of range"), c.call("SETBIT", "b", "-1", "1"));
        assertEquals(error("ERR bit is not an integer or out of range"), c.call("SETBIT", "b", "1", "2"));
        assertEquals("OK", c.call("SET", "bc", "foobar"));
        assertEquals(26L, c.call("BITCOUNT", "bc"));
        assertEquals(4L, c.call("BITCOUNT", "bc", "0", "0"));
        assertEquals(6L, c.call("BITCOUNT", "bc", "1", "1"));
        assertEquals(17L, c.call("BITCOUNT", "bc", "5", "30", "BIT"));
        assertEquals(error("ERR syntax error"), c.call("BITCOUNT", "bc", "1"));
        assertEquals(0L, c.call("BITCOUNT", "missing"));
    }

    @Test
    void shouldReportExpiryTimesEncodingsAndTheTime() throws Exception
    {
        assertEquals(-2L, c.call("EXPIRETIME", "e"));
        assertEquals("OK", c.call("SET", "e", "12345"));
        assertEquals(-1L, c.call("PEXPIRETIME", "e"));
        assertEquals(1L, c.call("PEXPIREAT", "e", "9223372036854770000"), "Redis accepts it");
        assertEquals(9223372036854770000L, c.call("PEXPIRETIME", "e"));
        assertEquals(9223372036854770L, c.call("EXPIRETIME", "e"));
        assertEquals(error("ERR invalid expire time in 'expire' command"),
            c.call("EXPIRE", "e", "9223372036854775807"));
        assertEquals(0L, c.call("EXPIRE", "e", "100", "NX"), "it has an expiry");
        assertEquals(0L, c.call("EXPIRE", "e", "100", "GT"), "100 s is sooner");
        assertEquals(1L, c.call("EXPIRE", "e", "100", "LT"));
        assertEquals(1L, c.call("EXPIRE", "e", "200", "XX"));
        assertEquals(error("ERR NX and XX, GT or LT options at the same time are not compatible"),
            c.call("EXPIRE", "e", "1", "NX", "XX"));
        assertEquals(error("ERR GT and LT options at the same time are not compatible"),
            c.call("EXPIRE", "e", "1", "GT", "LT"));
        assertEquals(error("ERR Unsupported option FOO"), c.call("EXPIRE", "e", "1", "FOO"));
        assertEquals("int", c.call("OBJECT", "ENCODING", "e"));
        assertEquals("OK", c.call("SET", "e", "short text"));
        assertEquals("embstr", c.call("OBJECT", "ENCODING", "e"));
        assertEquals("OK", c.call("SET", "e", "x".repeat(45)));
        assertEquals("raw", c.call("OBJECT", "ENCODING", "e"));
        assertNull(c.call("OBJECT", "ENCODING", "missing"));
        final List<?> time = (List<?>)c.call("TIME");
        assertTrue(Long.parseLong((String)time.get(0)) > 1_700_000_000L && Long.parseLong((String)time.get(1)) < 1_000_000);
    }

    @Test
    void shouldRenameCopyAndMsetnxAcrossShards() throws Exception
    {
        final String[] k = apart();
        assertEquals(error("ERR no such key"), c.call("RENAME", k[0], k[1]));
        assertEquals("OK", c.call("SET", k[0], "v", "EX", "100"));
        assertEquals("OK", c.call("RENAME", k[0], k[1]));
        assertNull(c.call("GET", k[0]));
        assertEquals("v", c.call("GET", k[1]));
        assertTrue((Long)c.call("TTL", k[1]) > 98, "the expiry moves with the value");
        assertEquals(1L, c.call("COPY", k[1], k[0]));
        assertEquals(0L, c.call("COPY", k[1], k[0]), "exists");
        assertEquals("OK", c.call("SET", k[1], "w"));
        assertEquals(1L, c.call("COPY", k[1], k[0], "REPLACE"));
        assertEquals("w", c.call("GET", k[0]));
        assertEquals(error("ERR source and destination objects are the same"), c.call("COPY", k[0], k[0]));
        assertEquals(error("ERR DB index is out of range"), c.call("COPY", k[0], k[1], "DB", "1"));
        assertEquals(0L, c.call("RENAMENX", k[0], k[1]));
        assertEquals(1L, c.call("DEL", k[1]));
        assertEquals(1L, c.call("RENAMENX", k[0], k[1]));
        assertEquals(0L, c.call("MSETNX", k[0], "1", k[1], "2"), "one exists");
        assertNull(c.call("GET", k[0]), "and none was set");
        assertEquals(1L, c.call("DEL", k[1]));
        assertEquals(1L, c.call("MSETNX", k[0], "1", k[1], "2"));
        assertEquals(List.of("1", "2"), c.call("MGET", k[0], k[1]));
        final Object random = c.call("RANDOMKEY");
        assertTrue(random.equals(k[0]) || random.equals(k[1]), String.valueOf(random));
        assertEquals("OK", c.call("FLUSHALL"));
        assertNull(c.call("RANDOMKEY"));
    }

    @Test
    void shouldReportTheInfoSectionsMonitoringToolsRead() throws Exception
    {
        c.call("GET", "miss");
        assertEquals("OK", c.call("SET", "hit", "1"));
        c.call("GET", "hit");
        final String all = (String)c.call("INFO");
        for (final String field : List.of("# Server", "# Clients", "connected_clients:", "# Stats",
            "keyspace_hits:", "keyspace_misses:", "total_commands_processed:", "# CPU", "used_cpu_user:",
            "used_cpu_sys:", "# Keyspace", "db0:keys=1"))
        {
            assertTrue(all.contains(field), field + " in " + all);
        }
        final String clients = (String)c.call("INFO", "clients");
        assertTrue(clients.startsWith("# Clients\r\n") && !clients.contains("# Server"), clients);
    }
}
