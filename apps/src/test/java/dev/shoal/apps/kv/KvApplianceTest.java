package dev.shoal.apps.kv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Starts the appliance on four cores and talks RESP to it over TCP. */
class KvApplianceTest
{
    private static final int CORES = 4;
    @RegisterExtension
    static final KvServer SERVER = new KvServer(new KvAppliance.Settings(null, CORES, 0, 16L << 20));

    private static RespClient client() throws Exception
    {
        return SERVER.client();
    }

    /** Keys that the filter sends to {@code shard}. */
    private static List<String> keysOn(final int shard, final int n)
    {
        final List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < n; i++)
        {
            final String k = "key:" + i;
            if (KeyHash.shardOf(KeyHash.fnv1a(k.getBytes(StandardCharsets.UTF_8)), CORES) == shard)
            {
                keys.add(k);
            }
        }
        return keys;
    }

    @Test
    void shouldAnswerPingEchoSetAndGet() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals("PONG", c.call("PING"));
            assertEquals("hello", c.call("PING", "hello"));
            assertEquals("hi there", c.call("ECHO", "hi there"));
            assertEquals("OK", c.call("SET", "greeting", "hello world"));
            assertEquals("hello world", c.call("GET", "greeting"));
            assertNull(c.call("GET", "missing"));
            assertEquals("OK", c.call("SET", "greeting", "a much longer value that needs a bigger block".repeat(10)));
            assertEquals("a much longer value that needs a bigger block".repeat(10), c.call("GET", "greeting"));
            assertEquals("string", c.call("TYPE", "greeting"));
            assertEquals("none", c.call("TYPE", "missing"));
        }
    }

    @Test
    void shouldKeepBinaryValuesExactly() throws Exception
    {
        try (RespClient c = client())
        {
            final String value = "line1\r\nline2\u0000\u00ff";
            assertEquals("OK", c.call("SET", "bin", value));
            assertEquals(value, c.call("GET", "bin"));
            assertEquals((long)value.getBytes(StandardCharsets.UTF_8).length, c.call("STRLEN", "bin"));
        }
    }

    @Test
    void shouldHonourNxXxAndGetOptionsOfSet() throws Exception
    {
        try (RespClient c = client())
        {
            assertNull(c.call("SET", "k", "v", "XX"), "XX on a missing key stores nothing");
            assertNull(c.call("GET", "k"));
            assertEquals("OK", c.call("SET", "k", "v1", "NX"));
            assertNull(c.call("SET", "k", "v2", "NX"));
            assertEquals("v1", c.call("GET", "k"));
            assertEquals("OK", c.call("SET", "k", "v3", "XX"));
            assertEquals("v3", c.call("SET", "k", "v4", "GET"));
            assertEquals("v4", c.call("GET", "k"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("SET", "k", "v", "NX", "XX"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("SET", "k", "v", "BOGUS"));
            assertEquals(new RespClient.Error("ERR invalid expire time in 'set' command"),
                c.call("SET", "k", "v", "EX", "0"));
            assertEquals(new RespClient.Error("ERR value is not an integer or out of range"),
                c.call("SET", "k", "v", "PX", "soon"));
        }
    }

    @Test
    void shouldExpireKeysByDeviceTime() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("SET", "session", "x", "EX", "100"));
            final long ttl = (Long)c.call("TTL", "session");
            assertTrue(ttl > 90 && ttl <= 100, "TTL " + ttl);
            assertEquals("OK", c.call("SET", "plain", "x"));
            assertEquals(-1L, c.call("TTL", "plain"));
            assertEquals(-2L, c.call("TTL", "missing"));
            assertEquals(1L, c.call("PERSIST", "session"));
            assertEquals(-1L, c.call("TTL", "session"));
            assertEquals(1L, c.call("EXPIRE", "plain", "1000"));
            assertEquals(0L, c.call("EXPIRE", "missing", "1000"));
            assertEquals("OK", c.call("SET", "brief", "x", "PX", "50"));
            // Device time moves with every request the NIC stamps; poll until the key is gone.
            await().atMost(Duration.ofSeconds(10)).until(() -> c.call("GET", "brief") == null);
            assertEquals(-2L, c.call("PTTL", "brief"));
            assertEquals(1L, c.call("EXPIRE", "plain", "-1"), "a past expiry deletes the key");
            assertEquals(0L, c.call("EXISTS", "plain"));
        }
    }

    @Test
    void shouldIncrementAndDecrementIntegers() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals(1L, c.call("INCR", "counter"));
            assertEquals(11L, c.call("INCRBY", "counter", "10"));
            assertEquals(10L, c.call("DECR", "counter"));
            assertEquals(-5L, c.call("DECRBY", "counter", "15"));
            assertEquals("-5", c.call("GET", "counter"));
            assertEquals("OK", c.call("SET", "word", "abc"));
            assertEquals(new RespClient.Error("ERR value is not an integer or out of range"), c.call("INCR", "word"));
            assertEquals("OK", c.call("SET", "big", Long.toString(Long.MAX_VALUE)));
            assertEquals(new RespClient.Error("ERR increment or decrement would overflow"), c.call("INCR", "big"));
            assertEquals(5L, c.call("APPEND", "word", "de"));
            assertEquals("abcde", c.call("GET", "word"));
        }
    }

    @Test
    void shouldSpreadMultiKeyCommandsOverTheShards() throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("MSET"));
        final List<String> keys = new ArrayList<>();
        for (int shard = 0; shard < CORES; shard++)
        {
            for (final String k : keysOn(shard, 3))
            {
                keys.add(k);
                args.add(k);
                args.add("value-of-" + k);
            }
        }
        try (RespClient c = client())
        {
            assertEquals("OK", c.call(args.toArray(String[]::new)));
            final List<String> mget = new ArrayList<>(List.of("MGET"));
            mget.addAll(keys);
            mget.add("nothing-here");
            final List<?> values = (List<?>)c.call(mget.toArray(String[]::new));
            assertEquals(keys.size() + 1, values.size());
            for (int i = 0; i < keys.size(); i++)
            {
                assertEquals("value-of-" + keys.get(i), values.get(i), "MGET keeps the order of its keys");
            }
            assertNull(values.get(keys.size()));
            assertEquals((long)keys.size(), c.call("DBSIZE"));
            assertEquals(3L, c.call("EXISTS", keys.get(0), keys.get(4), keys.get(11), "nothing-here"));
            assertEquals(2L, c.call("DEL", keys.get(1), keys.get(7), "nothing-here"));
            assertEquals((long)keys.size() - 2, c.call("DBSIZE"));
            final String info = (String)c.call("INFO");
            assertTrue(info.contains("db0:keys=" + (keys.size() - 2) + ","), info);
            assertEquals("OK", c.call("FLUSHALL"));
            assertEquals(0L, c.call("DBSIZE"));
        }
    }

    @Test
    void shouldAgreeWithAMapOverRandomSetsGetsAppendsAndDeletes() throws Exception
    {
        // Few keys and sizes on both sides of the shard's whole-record read, so that records move between blocks,
        // are freed and their memory reused while GETs read them.
        final java.util.Random random = new java.util.Random(42);
        final java.util.Map<String, String> model = new java.util.HashMap<>();
        try (RespClient c = client())
        {
            for (int i = 0; i < 3000; i++)
            {
                final String k = "model-" + random.nextInt(12);
                switch (random.nextInt(5))
                {
                    case 0, 1 ->
                    {
                        final String v = Integer.toString(i, 36).repeat(1 + random.nextInt(random.nextBoolean() ? 8 : 300));
                        assertEquals("OK", c.call("SET", k, v));
                        model.put(k, v);
                    }
                    case 2 -> assertEquals(model.get(k), c.call("GET", k), "GET " + k + " at step " + i);
                    case 3 ->
                    {
                        final String suffix = "+" + i;
                        final String v = model.getOrDefault(k, "") + suffix;
                        assertEquals((long)v.length(), c.call("APPEND", k, suffix));
                        model.put(k, v);
                    }
                    default -> assertEquals(model.remove(k) != null ? 1L : 0L, c.call("DEL", k));
                }
            }
            for (final java.util.Map.Entry<String, String> e : model.entrySet())
            {
                assertEquals(e.getValue(), c.call("GET", e.getKey()));
            }
        }
    }

    @Test
    void shouldListKeysByPatternAndScanEveryShardOnce() throws Exception
    {
        final Set<String> users = new HashSet<>();
        try (RespClient c = client())
        {
            for (int i = 0; i < 40; i++)
            {
                users.add("user:" + i);
                assertEquals("OK", c.call("SET", "user:" + i, "u"));
                assertEquals("OK", c.call("SET", "item:" + i, "i"));
            }
            assertEquals("OK", c.call("SET", "user:gone", "x", "PX", "1"));
            // Nothing else touches it: only KEYS's own expiry check can make it go.
            await().atMost(Duration.ofSeconds(10)).until(() -> ((List<?>)c.call("KEYS", "user:gone")).isEmpty());
            assertEquals(users, new HashSet<>((List<?>)c.call("KEYS", "user:*")), "every shard's keys, none expired");
            assertEquals(Set.of("user:7", "item:7"), new HashSet<>((List<?>)c.call("KEYS", "*:7")));
            assertEquals(Set.of("user:1", "user:2"), new HashSet<>((List<?>)c.call("KEYS", "user:[12]")));
            assertEquals(List.of(), c.call("KEYS", "nothing*"));

            final List<Object> scanned = new ArrayList<>();
            String cursor = "0";
            int calls = 0;
            do
            {
                final List<?> reply = (List<?>)c.call("SCAN", cursor, "MATCH", "user:*", "COUNT", "10");
                cursor = (String)reply.get(0);
                scanned.addAll((List<?>)reply.get(1));
                calls++;
            }
            while (!cursor.equals("0"));
            assertEquals(CORES, calls, "one call per shard");
            assertEquals(users.size(), scanned.size(), "no key twice");
            assertEquals(users, new HashSet<>(scanned));
            assertEquals(List.of("0", List.of()), c.call("SCAN", "0", "TYPE", "hash"));
            assertEquals(new RespClient.Error("ERR invalid cursor"), c.call("SCAN", "abc"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("SCAN", "0", "MATCH"));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("SCAN", "0", "LIMIT", "3"));
        }
    }

    @Test
    void shouldAnswerAKeysReplyBiggerThanARingMessageInPiecesAndScanThroughIt() throws Exception
    {
        final String prefix = "long-key-name:" + "x".repeat(140) + ":";
        try (RespClient c = client())
        {
            for (int batch = 0; batch < 4; batch++)
            {
                final List<String> mset = new ArrayList<>(List.of("MSET"));
                for (int i = 0; i < 500; i++)
                {
                    mset.add(prefix + (batch * 500 + i));
                    mset.add("v");
                }
                assertEquals("OK", c.call(mset.toArray(String[]::new)));
            }
            // ~320 KB of reply: more than one transmit-ring message, so it comes back in pieces.
            final List<?> keys = (List<?>)c.call("KEYS", "long-key*");
            assertEquals(2000, keys.size());
            assertEquals(2000, new java.util.HashSet<>(keys).size());
            assertEquals("PONG", c.call("PING"), "the connection goes on");
            int seen = 0;
            String cursor = "0";
            do
            {
                final List<?> reply = (List<?>)c.call("SCAN", cursor, "MATCH", "long-key*");
                cursor = (String)reply.get(0);
                seen += ((List<?>)reply.get(1)).size();
            }
            while (!cursor.equals("0"));
            assertEquals(2000, seen);
        }
    }

    @Test
    void shouldCarryMultiKeyPartsLongerThanOneUmpMessageBetweenShards() throws Exception
    {
        // The shard-1 part of this MSET, and of the MGET's reply, is ~120 KB: more than one UMP message holds.
        final String here = keysOn(0, 1).get(0);
        final List<String> there = keysOn(1, 3);
        final String big = "y".repeat(40_000);
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("MSET", here, "small", there.get(0), big + 0, there.get(1), big + 1,
                there.get(2), big + 2));
            assertEquals(List.of("small", big + 0, big + 1, big + 2),
                c.call("MGET", here, there.get(0), there.get(1), there.get(2)));
        }
    }

    @Test
    void shouldApplyMsetAndMgetAtomicallyAcrossShards() throws Exception
    {
        // One key per shard. Writers set them all to the same number; readers must never see two numbers at once.
        // Writers and readers list the keys in both orders, so that several cores coordinate at once and take each
        // other's shard locks (a lock-order bug would hang here).
        final String[] keys = new String[CORES];
        for (int s = 0; s < CORES; s++)
        {
            keys[s] = keysOn(s, 1).get(0);
        }
        final int writers = 2;
        final int readers = 2;
        final int rounds = 1500;
        final ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        try
        {
            final List<Future<String>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++)
            {
                final int id = w;
                done.add(pool.submit(() ->
                {
                    try (RespClient c = client())
                    {
                        for (int i = 0; i < rounds; i++)
                        {
                            final List<String> mset = new ArrayList<>(List.of("MSET"));
                            for (int s = 0; s < CORES; s++)
                            {
                                mset.add(keys[id % 2 == 0 ? s : CORES - 1 - s]);
                                mset.add(id + ":" + i);
                            }
                            if (!"OK".equals(c.call(mset.toArray(String[]::new))))
                            {
                                return "MSET failed";
                            }
                        }
                    }
                    return "";
                }));
            }
            for (int r = 0; r < readers; r++)
            {
                final int id = r;
                done.add(pool.submit(() ->
                {
                    try (RespClient c = client())
                    {
                        final List<String> mget = new ArrayList<>(List.of("MGET"));
                        for (int s = 0; s < CORES; s++)
                        {
                            mget.add(keys[id % 2 == 0 ? CORES - 1 - s : s]);
                        }
                        for (int i = 0; i < rounds; i++)
                        {
                            final List<?> values = (List<?>)c.call(mget.toArray(String[]::new));
                            if (new HashSet<>(values).size() != 1)
                            {
                                return "MGET saw a half-applied MSET: " + values;
                            }
                        }
                    }
                    return "";
                }));
            }
            for (final Future<String> f : done)
            {
                assertEquals("", f.get(120, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldReplyInRequestOrderWhenPipelinedAcrossCores() throws Exception
    {
        final List<List<String>> onShard = new ArrayList<>();
        for (int s = 0; s < CORES; s++)
        {
            onShard.add(keysOn(s, 25));
        }
        final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        final List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++)
        {
            for (int s = 0; s < CORES; s++)
            {
                final String k = onShard.get(s).get(i);
                pipeline.writeBytes(RespClient.encode("SET", k, k + "=" + i));
                expected.add("OK");
                pipeline.writeBytes(RespClient.encode("GET", onShard.get((s + 1) % CORES).get(i)));
                expected.add(s + 1 < CORES ? null : onShard.get(0).get(i) + "=" + i);
                pipeline.writeBytes(RespClient.encode("INCR", "count-" + s));
                expected.add((long)i + 1);
            }
        }
        try (RespClient c = client())
        {
            c.send(pipeline.toByteArray());
            for (int i = 0; i < expected.size(); i++)
            {
                assertEquals(expected.get(i), c.read(), "reply " + i);
            }
            assertEquals("PONG", c.call("PING"));
        }
    }

    @Test
    void shouldAnswerARunOfOneShardsRequestsWhoseRepliesPassARingMessageWholeAndInOrder() throws Exception
    {
        // One client's pipelined requests for one shard travel as one run, and their replies as few messages as fit:
        // values of 60, 200 and 100 KiB pass a transmit message (256 KiB) together, the 200 KiB one even with the
        // replies gathered before it; an unknown command sits between them, and QUIT ends the run's replies with the
        // connection.
        final List<String> keys = keysOn(1, 3);
        final int[] kib = {60, 200, 100};
        final List<String> values = new ArrayList<>();
        try (RespClient c = client())
        {
            for (int i = 0; i < keys.size(); i++)
            {
                values.add(Character.toString('a' + i).repeat(kib[i] << 10));
                assertEquals("OK", c.call("SET", keys.get(i), values.get(i)));
            }
        }
        final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        final List<Object> expected = new ArrayList<>();
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < keys.size(); i++)
            {
                pipeline.writeBytes(RespClient.encode("GET", keys.get(i)));
                expected.add(values.get(i));
                pipeline.writeBytes(RespClient.encode("STRLEN", keys.get(i)));
                expected.add((long)kib[i] << 10);
            }
            pipeline.writeBytes(RespClient.encode("NOSUCH", keys.get(0)));
            expected.add(new RespClient.Error("ERR unknown command 'NOSUCH', with args beginning with: '" +
                keys.get(0) + "' "));
        }
        pipeline.writeBytes(RespClient.encode("QUIT"));
        expected.add("OK");
        try (RespClient c = client())
        {
            c.send(pipeline.toByteArray());
            for (int i = 0; i < expected.size(); i++)
            {
                assertEquals(expected.get(i), c.read(), "reply " + i);
            }
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    void shouldTreatGetAndSetAlikeInAnyCaseWithOrWithoutOptions() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("sEt", "k", "v1"));
            assertEquals("v1", c.call("get", "k"));
            assertEquals("v1", c.call("SET", "k", "v2", "get"));
            assertNull(c.call("Set", "k", "v3", "nx"));
            assertEquals("v2", c.call("GET", "k"));
            assertEquals("OK", c.call("set", "empty", ""));
            assertEquals("", c.call("GET", "empty"));
            assertNull(c.call("GET", "missing"));
            assertInstanceOf(RespClient.Error.class, c.call("GET", "k", "extra"));
            assertInstanceOf(RespClient.Error.class, c.call("SET", "k"));
        }
    }

    @Test
    void shouldDeliverAPipelinedBatchLargerThanTheNicHoldsBackWholeAndInOrder() throws Exception
    {
        final String value = "v".repeat(200);
        final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        final int n = 2000;
        for (int i = 0; i < n; i++)
        {
            pipeline.writeBytes(RespClient.encode("SET", "big:" + i, value + i));
            pipeline.writeBytes(RespClient.encode("GET", "big:" + i));
        }
        try (RespClient c = client())
        {
            c.send(pipeline.toByteArray());
            for (int i = 0; i < n; i++)
            {
                assertEquals("OK", c.read(), "SET " + i);
                assertEquals(value + i, c.read(), "GET " + i);
            }
            assertEquals("PONG", c.call("PING"));
        }
    }

    @Test
    void shouldAnswerUnknownCommandsAndWrongArityWithErrorsAndKeepServing() throws Exception
    {
        try (RespClient c = client())
        {
            final Object unknown = c.call("FROBNICATE", "x");
            assertInstanceOf(RespClient.Error.class, unknown);
            assertTrue(((RespClient.Error)unknown).message().startsWith("ERR unknown command 'FROBNICATE'"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'get' command"), c.call("GET"));
            assertEquals("PONG", c.call("PING"), "the connection still works");
            c.send("SET inline  works\r\nGET inline\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("OK", c.read());
            assertEquals("works", c.read());
        }
    }

    @Test
    void shouldAnswerTheCallsStockClientsMakeOnConnect() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals(List.of("save", ""), c.call("CONFIG", "GET", "save"));
            assertEquals(List.of("appendonly", "no"), c.call("CONFIG", "GET", "appendonly"));
            assertEquals(List.of(), c.call("CONFIG", "GET", "no-such-parameter"));
            assertEquals(List.of(), c.call("COMMAND", "DOCS"));
            final long count = (Long)c.call("COMMAND", "COUNT");
            assertEquals(count, ((List<?>)c.call("COMMAND")).size());
            assertEquals("OK", c.call("SELECT", "0"));
            assertInstanceOf(RespClient.Error.class, c.call("SELECT", "3"));
            assertEquals("OK", c.call("CLIENT", "SETNAME", "tester"));
        }
    }

    @Test
    void shouldCloseTheConnectionAfterQuit() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("QUIT"));
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    void shouldRunNothingAClientPipelinesAfterQuit() throws Exception
    {
        // As Redis: the requests before QUIT run, QUIT answers OK, and what follows it is dropped unread, whichever
        // shard it was for.
        final List<String> keys = new ArrayList<>();
        for (int s = 0; s < CORES; s++)
        {
            keys.add(keysOn(s, 1).getFirst());
        }
        final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        pipeline.writeBytes(RespClient.encode("SET", keys.get(0), "before"));
        pipeline.writeBytes(RespClient.encode("QUIT"));
        for (final String k : keys)
        {
            pipeline.writeBytes(RespClient.encode("SET", k, "after"));
        }
        pipeline.writeBytes(RespClient.encode("FLUSHALL"));
        try (RespClient c = client())
        {
            c.send(pipeline.toByteArray());
            assertEquals("OK", c.read());
            assertEquals("OK", c.read());
            assertTrue(c.isClosedByServer());
        }
        try (RespClient c = client())
        {
            assertEquals("before", c.call("GET", keys.get(0)));
            for (int s = 1; s < CORES; s++)
            {
                assertNull(c.call("GET", keys.get(s)), "shard " + s);
            }
            assertEquals(1L, c.call("DBSIZE"));
        }
    }

    @Test
    void shouldServeManyParallelClients() throws Exception
    {
        final int clients = 24;
        final ExecutorService pool = Executors.newFixedThreadPool(clients);
        try
        {
            final List<Future<Set<String>>> done = new ArrayList<>();
            for (int t = 0; t < clients; t++)
            {
                final int id = t;
                done.add(pool.submit(() ->
                {
                    final Set<String> wrong = new HashSet<>();
                    try (RespClient c = client())
                    {
                        for (int i = 0; i < 100; i++)
                        {
                            final String k = "client-" + id + "-" + i;
                            if (!"OK".equals(c.call("SET", k, "v" + i)) || !("v" + i).equals(c.call("GET", k)))
                            {
                                wrong.add(k);
                            }
                            c.call("INCR", "shared");
                        }
                    }
                    return wrong;
                }));
            }
            for (final Future<Set<String>> f : done)
            {
                assertEquals(Set.of(), f.get(60, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        try (RespClient c = client())
        {
            assertEquals(String.valueOf(clients * 100), c.call("GET", "shared"), "no increment lost");
            assertEquals(clients * 100L + 1, c.call("DBSIZE"));
        }
    }

    @Test
    void shouldAnswerOutOfMemoryWhenAShardsRamIsSpentAndRecover() throws Exception
    {
        final String big = "x".repeat(100_000);
        final List<String> keys = keysOn(2, 400);
        try (RespClient c = client())
        {
            int stored = 0;
            Object reply = null;
            for (final String k : keys)
            {
                reply = c.call("SET", k, big);
                if (!"OK".equals(reply))
                {
                    break;
                }
                stored++;
            }
            assertEquals(new RespClient.Error("OOM command not allowed when used memory > 'maxmemory'."), reply);
            assertTrue(stored > 50 && stored < 160, "16 MiB of RAM holds about 16 MiB of 128 KiB blocks: " + stored);
            assertEquals("OK", c.call("SET", keysOn(1, 1).get(0), big), "other shards have their own memory");
            assertEquals(1L, c.call("DEL", keys.get(0)));
            assertEquals("OK", c.call("SET", keys.get(stored), big), "freed memory is reused");
        }
    }

    @Test
    void shouldWriteNoKeyOfAnMsetThatDoesNotFitEveryShard() throws Exception
    {
        final String big = "x".repeat(100_000);
        final List<String> full = keysOn(2, 400);
        final List<String> roomy = keysOn(1, 3);
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("SET", roomy.get(0), "old"));
            int stored = 0;
            while ("OK".equals(c.call("SET", full.get(stored), big)))
            {
                stored++;
            }
            final RespClient.Error oom = new RespClient.Error("OOM command not allowed when used memory > 'maxmemory'.");
            // Shard 1 is locked and has room before shard 2 is found full: before, it wrote its keys.
            assertEquals(oom, c.call("MSET", roomy.get(0), "new", roomy.get(1), "v", full.get(stored), big));
            assertEquals("old", c.call("GET", roomy.get(0)));
            assertNull(c.call("GET", roomy.get(1)));
            assertNull(c.call("GET", full.get(stored)));
            assertEquals(List.of("old"), c.call("MGET", roomy.get(0)));
            // What it reserved was given back: the shard that had room still has it, and an MSET that fits runs.
            // (On the full shard, a value of the same size is written over the old one in place.)
            final String other = "z".repeat(big.length());
            assertEquals("OK", c.call("MSET", roomy.get(0), "new", roomy.get(2), big, full.get(0), other));
            assertEquals(List.of("new", other), c.call("MGET", roomy.get(0), full.get(0)));
            assertEquals("OK", c.call("MSET", full.get(1), other, full.get(1), big), "the last of a key's pairs wins");
            assertEquals(big, c.call("GET", full.get(1)));
        }
    }
}
