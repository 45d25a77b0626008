package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MULTI/EXEC/DISCARD/WATCH/UNWATCH over TCP, on four cores, with Redis's replies and atomicity across shards. */
class KvTransactionTest
{
    private static final int CORES = 4;
    private static final RespClient.Error EXECABORT =
        new RespClient.Error("EXECABORT Transaction discarded because of previous errors.");
    @RegisterExtension
    static final KvServer SERVER = new KvServer(new KvAppliance.Settings(null, CORES, 0, 8L << 20));

    private static RespClient client() throws Exception
    {
        return SERVER.client();
    }

    /** One key on each shard. */
    private static List<String> oneKeyPerShard()
    {
        final List<String> keys = new ArrayList<>();
        for (int s = 0; s < CORES; s++)
        {
            for (int i = 0; ; i++)
            {
                final String k = "k" + s + ":" + i;
                if (KeyHash.shardOf(KeyHash.fnv1a(k.getBytes(StandardCharsets.UTF_8)), CORES) == s)
                {
                    keys.add(k);
                    break;
                }
            }
        }
        return keys;
    }

    @Test
    void shouldQueueCommandsAndRunThemAllAtExecAcrossShards() throws Exception
    {
        final List<String> k = oneKeyPerShard();
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", k.get(0), "a"));
            assertEquals("QUEUED", c.call("INCR", k.get(1)));
            assertEquals("QUEUED", c.call("MSET", k.get(2), "c", k.get(3), "d"));
            assertEquals("QUEUED", c.call("MGET", k.get(0), k.get(1), k.get(2), k.get(3)));
            assertEquals("QUEUED", c.call("PING"));
            assertEquals("QUEUED", c.call("DBSIZE"));
            assertEquals("QUEUED", c.call("GET", k.get(0)));
            assertEquals(List.of("OK", 1L, "OK", List.of("a", "1", "c", "d"), "PONG", 4L, "a"), c.call("EXEC"));
            assertEquals(new RespClient.Error("ERR EXEC without MULTI"), c.call("EXEC"));
        }
    }

    @Test
    void shouldRunNothingWhenACommandWasRefusedWhileQueuing() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", "x", "1"));
            assertInstanceOf(RespClient.Error.class, c.call("NOSUCH", "x"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'get' command"), c.call("GET"));
            assertEquals("QUEUED", c.call("SET", "y", "1"));
            assertEquals(EXECABORT, c.call("EXEC"));
            assertEquals(0L, c.call("EXISTS", "x", "y"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals(new RespClient.Error("ERR Command not allowed inside a transaction"), c.call("SHUTDOWN"));
            assertEquals(EXECABORT, c.call("EXEC"));
        }
    }

    @Test
    void shouldAnswerRuntimeErrorsInPlaceAndRunTheRest() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", "s", "text"));
            assertEquals("QUEUED", c.call("INCR", "s"));
            assertEquals("QUEUED", c.call("SET", "t", "1"));
            assertEquals(List.of("OK", new RespClient.Error("ERR value is not an integer or out of range"), "OK"),
                c.call("EXEC"));
            assertEquals("1", c.call("GET", "t"));
        }
    }

    @Test
    void shouldDiscardAndRefuseMisplacedTransactionCommands() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals(new RespClient.Error("ERR DISCARD without MULTI"), c.call("DISCARD"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals(new RespClient.Error("ERR MULTI calls can not be nested"), c.call("MULTI"));
            assertEquals(new RespClient.Error("ERR WATCH inside MULTI is not allowed"), c.call("WATCH", "x"));
            assertEquals("QUEUED", c.call("SET", "x", "1"));
            assertEquals("OK", c.call("DISCARD"));
            assertNull(c.call("GET", "x"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals(List.of(), c.call("EXEC"), "an empty transaction");
        }
    }

    @Test
    void shouldAbortExecWhenAWatchedKeyChangedAndRunItOtherwise() throws Exception
    {
        final List<String> k = oneKeyPerShard();
        try (RespClient a = client(); RespClient b = client())
        {
            assertEquals("OK", a.call("SET", k.get(1), "0"));
            assertEquals("OK", a.call("WATCH", k.get(1), k.get(2)));
            assertEquals("OK", b.call("SET", k.get(2), "changed"));
            assertEquals("OK", a.call("MULTI"));
            assertEquals("QUEUED", a.call("SET", k.get(3), "x"));
            assertNull(a.call("EXEC"), "a watched key was created meanwhile");
            assertNull(a.call("GET", k.get(3)));

            assertEquals("OK", a.call("WATCH", k.get(1), k.get(2)));
            assertEquals("OK", a.call("MULTI"));
            assertEquals("QUEUED", a.call("INCR", k.get(1)));
            assertEquals(List.of(1L), a.call("EXEC"), "nothing changed");

            assertEquals("OK", a.call("WATCH", k.get(1)));
            assertEquals(1L, b.call("DEL", k.get(1)));
            assertEquals("OK", a.call("MULTI"));
            assertEquals("QUEUED", a.call("INCR", k.get(1)));
            assertNull(a.call("EXEC"), "deleted meanwhile");

            assertEquals("OK", a.call("WATCH", k.get(0)));
            assertEquals("OK", b.call("SET", k.get(0), "1"));
            assertEquals("OK", a.call("UNWATCH"));
            assertEquals("OK", a.call("MULTI"));
            assertEquals("QUEUED", a.call("INCR", k.get(0)));
            assertEquals(List.of(2L), a.call("EXEC"), "unwatched");

            assertEquals(3L, a.call("HELLO", "3") instanceof java.util.Map<?, ?> m ? m.get("proto") : null);
            assertEquals("OK", a.call("WATCH", k.get(0)));
            assertEquals(1L, b.call("EXPIRE", k.get(0), "100"));
            assertEquals("OK", a.call("MULTI"));
            assertEquals("QUEUED", a.call("GET", k.get(0)));
            assertEquals(RespClient.NULL3, a.call("EXEC"), "RESP3's null");
        }
    }

    @Test
    void shouldApplyTransactionsAtomicallyAcrossShardsUnderConcurrentClients() throws Exception
    {
        final List<String> k = oneKeyPerShard();
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try
        {
            final List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++)
            {
                final boolean reverse = w == 1;
                writers.add(pool.submit(() ->
                {
                    try (RespClient c = client())
                    {
                        for (int i = 0; i < 150; i++)
                        {
                            assertEquals("OK", c.call("MULTI"));
                            for (int j = 0; j < CORES; j++)
                            {
                                assertEquals("QUEUED", c.call("INCR", k.get(reverse ? CORES - 1 - j : j)));
                            }
                            assertEquals(CORES, ((List<?>)c.call("EXEC")).size());
                        }
                    }
                    return null;
                }));
            }
            final Future<?> reader = pool.submit(() ->
            {
                try (RespClient c = client())
                {
                    for (int i = 0; i < 300; i++)
                    {
                        final List<?> values = (List<?>)c.call("MGET", k.get(0), k.get(1), k.get(2), k.get(3));
                        assertEquals(1, new java.util.HashSet<>(values).size(), "never half a transaction: " + values);
                    }
                }
                return null;
            });
            for (final Future<?> f : writers)
            {
                f.get(120, TimeUnit.SECONDS);
            }
            reader.get(120, TimeUnit.SECONDS);
            try (RespClient c = client())
            {
                assertEquals(List.of("300", "300", "300", "300"), c.call("MGET", k.get(0), k.get(1), k.get(2),
                    k.get(3)));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
