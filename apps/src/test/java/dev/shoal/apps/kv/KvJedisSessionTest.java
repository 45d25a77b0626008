package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A real client library (Jedis, from Maven Central) against the appliance: a typical session in its default
 * configuration (RESP2), and the same with RESP3 (HELLO 3 on connect) and a password.
 */
class KvJedisSessionTest
{
    private static KvAppliance kv;
    private static KvAppliance guarded;

    @BeforeAll
    static void start() throws Exception
    {
        kv = KvAppliance.start(new KvAppliance.Settings(null, 2, 0, 8L << 20));
        guarded = KvAppliance.start(new KvAppliance.Settings(null, 2, 0, 8L << 20, "pw"));
    }

    @AfterAll
    static void stop()
    {
        kv.close();
        guarded.close();
    }

    @Test
    void shouldServeATypicalSessionOfADefaultJedisClient()
    {
        try (Jedis j = new Jedis("127.0.0.1", kv.port()))
        {
            typicalSession(j, () -> new Jedis("127.0.0.1", kv.port()));
        }
    }

    @Test
    void shouldServeTheSameSessionOverResp3WithAPassword()
    {
        final JedisClientConfig config = DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3)
            .password("pw").clientName("jedis-resp3").build();
        try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", guarded.port()), config))
        {
            assertEquals("jedis-resp3", j.clientGetname());
            typicalSession(j, () -> new Jedis(new HostAndPort("127.0.0.1", guarded.port()), config));
        }
    }

    /** @param another opens a second client of the same kind, to change a watched key. */
    private static void typicalSession(final Jedis j, final java.util.function.Supplier<Jedis> another)
    {
        assertEquals("PONG", j.ping());
        j.flushAll();
        assertEquals("OK", j.set("session:greeting", "hello", SetParams.setParams().ex(100)));
        assertEquals("hello", j.get("session:greeting"));
        final long ttl = j.ttl("session:greeting");
        assertTrue(ttl == 100 || ttl == 99, "ttl " + ttl);
        assertNull(j.get("session:missing"));
        assertEquals(1, j.incr("session:counter"));
        assertEquals(11, j.incrBy("session:counter", 10));
        assertEquals("OK", j.mset("session:a", "1", "session:b", "2", "session:c", "3"));
        assertEquals(List.of("1", "2", "3"), j.mget("session:a", "session:b", "session:c"));

        final Pipeline p = j.pipelined();
        final Response<String> set = p.set("session:piped", "yes");
        final Response<Long> incr = p.incr("session:counter");
        final Response<String> get = p.get("session:piped");
        p.sync();
        assertEquals("OK", set.get());
        assertEquals(12L, incr.get());
        assertEquals("yes", get.get());

        final Transaction t = j.multi();
        t.set("session:tx", "1");
        t.incr("session:tx");
        t.get("session:a");
        assertEquals(List.of("OK", 2L, "1"), t.exec());

        assertEquals("OK", j.watch("session:tx"));
        final Transaction aborted = j.multi();
        try (Jedis other = another.get())
        {
            other.set("session:tx", "changed");
        }
        aborted.set("session:tx", "mine");
        assertNull(aborted.exec(), "a watched key changed");
        assertEquals("changed", j.get("session:tx"));

        final Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do
        {
            final ScanResult<String> page = j.scan(cursor, new ScanParams().match("session:*").count(100));
            seen.addAll(page.getResult());
            cursor = page.getCursor();
        }
        while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertEquals(Set.of("session:greeting", "session:counter", "session:a", "session:b", "session:c",
            "session:piped", "session:tx"), seen);
        assertEquals(7, j.dbSize());
    }
}
