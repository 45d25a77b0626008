package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.shoal.apps.CliProcesses;
import dev.shoal.apps.ShoalCli;

/**
 * The kv appliance on a machine of two JVMs ({@code run kv --partitions 2}, 4 shards: cores 0-1 in the
 * coordinator, 2-3 in the worker): the NIC in the coordinator, the shards of both partitions answering, the
 * replies of the single-JVM (live) appliance for the same commands; SHUTDOWN, a signal and a dead worker each
 * end every JVM. The coordinator runs in a process of its own; every process is stopped by pid in the end.
 */
class KvPartitionedTest
{
    private static final long BOUND_SECONDS = 120;
    private static final int SHARDS = 4;
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    /** Keys whose shards are every shard, so in both partitions. */
    private static final String[] KEYS = keysOnEveryShard();

    @Test
    void shouldAnswerAsOneJvmDoesWithShardsInBothPartitionsAndStopEveryJvmAtShutdown(@TempDir final Path dir)
        throws Exception
    {
        final List<Object> single;
        try (KvAppliance kv = KvAppliance.start(new KvAppliance.Settings(null, SHARDS, 0, 8L << 20)))
        {
            single = session(kv.port());
        }
        final Process coordinator = coordinator(dir);
        final List<ProcessHandle> started = new ArrayList<>();
        try
        {
            final int port = awaitPort(dir, coordinator);
            coordinator.descendants().forEach(started::add);
            assertEquals(1, started.size(), "one worker");
            assertEquals(single, session(port));
            assertRegistersInsideMultiOnlyWhereTheNicIs(port);
            try (RespClient c = new RespClient(port))
            {
                c.send(RespClient.encode("SHUTDOWN"));
            }
            assertTrue(coordinator.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the coordinator hangs after SHUTDOWN");
            assertEquals(0, coordinator.exitValue(), Files.readString(dir.resolve("err")));
            for (final ProcessHandle p : started)
            {
                p.onExit().get(BOUND_SECONDS, TimeUnit.SECONDS);
                assertFalse(p.isAlive(), "worker " + p.pid() + " left behind");
            }
            assertTrue(Files.readString(dir.resolve("out")).contains("kv: shut down"));
        }
        finally
        {
            stop(coordinator, started);
        }
    }

    /**
     * Across hosts, on the loopback address: {@code run kv --partitions 2 --listen PORT} waits for a worker that
     * joins over UDP ({@code shoal worker --join 127.0.0.1:PORT}); a SET and GET on keys of both partitions answer,
     * and SHUTDOWN ends the coordinator and the worker, both with exit code 0.
     */
    @Test
    void shouldServeKeysOfBothPartitionsWithAWorkerJoinedOverUdpAndStopBothAtShutdown(@TempDir final Path dir)
        throws Exception
    {
        final int udp = freeUdpPort();
        final Process coordinator = coordinator(dir, "--listen", Integer.toString(udp));
        final Process worker = java(List.of("worker", "--join", "127.0.0.1:" + udp), dir.resolve("worker"));
        final List<ProcessHandle> started = new ArrayList<>(List.of(worker.toHandle()));
        try
        {
            final int port = awaitPort(dir, coordinator);
            assertEquals(0, coordinator.descendants().count(), "the coordinator starts no worker itself");
            try (RespClient c = new RespClient(port))
            {
                for (final String key : KEYS)
                {
                    assertEquals("OK", c.call("SET", key, "udp-" + key));
                    assertEquals("udp-" + key, c.call("GET", key));
                }
                c.send(RespClient.encode("SHUTDOWN"));
            }
            assertTrue(coordinator.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the coordinator hangs after SHUTDOWN");
            assertEquals(0, coordinator.exitValue(), Files.readString(dir.resolve("err")));
            assertTrue(worker.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the worker did not leave");
            assertEquals(0, worker.exitValue(), Files.readString(dir.resolve("worker")));
            assertTrue(Files.readString(dir.resolve("out")).contains("joined over UDP"));
        }
        finally
        {
            stop(coordinator, started);
        }
    }

    @Test
    void shouldStopEveryWorkerWhenTheCoordinatorIsStoppedBySignal(@TempDir final Path dir) throws Exception
    {
        final Process coordinator = coordinator(dir);
        final List<ProcessHandle> started = new ArrayList<>();
        try
        {
            serveOneKeyOnTheWorker(dir, coordinator, started);
            coordinator.destroy(); // SIGTERM
            assertTrue(coordinator.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the coordinator hangs after SIGTERM");
            for (final ProcessHandle p : started)
            {
                p.onExit().get(BOUND_SECONDS, TimeUnit.SECONDS);
                assertFalse(p.isAlive(), "worker " + p.pid() + " left behind");
            }
        }
        finally
        {
            stop(coordinator, started);
        }
    }

    @Test
    void shouldEndWithOneLineNamingThePartitionWhenAWorkerDies(@TempDir final Path dir) throws Exception
    {
        final Process coordinator = coordinator(dir);
        final List<ProcessHandle> started = new ArrayList<>();
        try
        {
            serveOneKeyOnTheWorker(dir, coordinator, started);
            assertTrue(started.get(0).destroyForcibly());
            assertTrue(coordinator.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the coordinator hangs");
            final String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
            final List<String> lines = err.lines().filter(l -> l.startsWith("shoal:")).toList();
            assertEquals(1, lines.size(), err);
            assertTrue(lines.get(0).contains("partition 1 (cores 2-3)"), err);
            assertFalse(err.contains("\tat "), "a stack trace: " + err);
            assertTrue(coordinator.exitValue() != 0);
        }
        finally
        {
            stop(coordinator, started);
        }
    }

    /** Waits for the appliance, notes its workers in {@code started}, and sets a key of the last (a worker's) shard. */
    private static void serveOneKeyOnTheWorker(final Path dir, final Process coordinator,
        final List<ProcessHandle> started) throws Exception
    {
        final int port = awaitPort(dir, coordinator);
        coordinator.descendants().forEach(started::add);
        try (RespClient c = new RespClient(port))
        {
            assertEquals("OK", c.call("SET", KEYS[SHARDS - 1], "x"));
        }
    }

    @Test
    void shouldRefuseUnsupportedCombinationsWithOneLine()
    {
        for (final String[] args : List.of(
            new String[] {"run", "kv", "--port", "0", "--mode", "live", "--partitions", "2"},
            new String[] {"run", "kv", "--port", "0", "--cores", "1", "--partitions", "2"},
            new String[] {"run", "kv", "--port", "0", "--machine", "numa:1x8", "--cores", "4", "--partitions", "2"},
            new String[] {"run", "kv", "--port", "0", "--partitions", "65"}))
        {
            final StringWriter err = new StringWriter();
            final int exit = ShoalCli.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err,
                true));
            assertEquals(ShoalCli.EXIT_BAD_INPUT, exit, String.join(" ", args) + ": " + err);
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("shoal: --partitions"), err.toString());
        }
        for (final String[] args : List.of(
            new String[] {"run", "kv", "--port", "0", "--listen", "40123"},
            new String[] {"run", "kv", "--port", "0", "--partitions", "1", "--listen", "40123"},
            new String[] {"run", "kv", "--port", "0", "--partitions", "2", "--listen", "0"}))
        {
            final StringWriter err = new StringWriter();
            final int exit = ShoalCli.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err,
                true));
            assertEquals(ShoalCli.EXIT_BAD_INPUT, exit, String.join(" ", args) + ": " + err);
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("shoal: --listen"), err.toString());
        }
    }

    /**
     * One client's commands: single-key ones on every shard, multi-key ones across shards (MSET, MGET, DEL,
     * EXISTS), whole-keyspace ones (DBSIZE, KEYS, INFO, FLUSHALL) and a transaction; every reply, in order.
     */
    private static List<Object> session(final int port) throws IOException
    {
        final List<String[]> commands = new ArrayList<>();
        for (final String k : KEYS)
        {
            commands.add(new String[] {"SET", k, "v-" + k});
            commands.add(new String[] {"GET", k});
        }
        commands.add(new String[] {"MSET", KEYS[0], "1", KEYS[1], "2", KEYS[2], "3", KEYS[3], "4"});
        commands.add(new String[] {"MGET", KEYS[3], KEYS[2], "missing", KEYS[1], KEYS[0]});
        commands.add(new String[] {"INCRBY", KEYS[3], "41"});
        commands.add(new String[] {"EXISTS", KEYS[0], KEYS[2], "missing", KEYS[3]});
        commands.add(new String[] {"DEL", KEYS[1], KEYS[2], "missing"});
        commands.add(new String[] {"DBSIZE"});
        commands.add(new String[] {"KEYS", "*"});
        commands.add(new String[] {"MULTI"});
        commands.add(new String[] {"SET", KEYS[1], "t"});
        commands.add(new String[] {"INCR", KEYS[3]});
        commands.add(new String[] {"MGET", KEYS[0], KEYS[1], KEYS[3]});
        commands.add(new String[] {"EXEC"});
        commands.add(new String[] {"INFO", "keyspace"});
        commands.add(new String[] {"CONFIG", "GET", "maxclients"});
        commands.add(new String[] {"FLUSHALL"});
        commands.add(new String[] {"DBSIZE"});
        final List<Object> replies = new ArrayList<>();
        try (RespClient c = new RespClient(port))
        {
            for (final String[] command : commands)
            {
                replies.add(c.call(command));
            }
        }
        return replies;
    }

    /**
     * The one difference partitioning makes: INFO and CONFIG inside MULTI run on the connection's home core (its
     * id modulo the cores); where that core is in the worker (cores 2-3), which has no NIC registers, EXEC answers
     * each with a Redis error naming partition 0 (the other commands of the transaction still run); where it is in
     * the coordinator (cores 0-1) they answer. Outside MULTI both go to core 0 and answer on every connection.
     */
    private static void assertRegistersInsideMultiOnlyWhereTheNicIs(final int port) throws IOException
    {
        final List<RespClient> clients = new ArrayList<>();
        try
        {
            boolean inWorker = false;
            boolean inCoordinator = false;
            while (!(inWorker && inCoordinator))
            {
                final RespClient c = new RespClient(port);
                clients.add(c);
                final long home = (Long)c.call("CLIENT", "ID") % SHARDS;
                final Object config = c.call("CONFIG", "GET", "port");
                assertEquals(List.of("port", Integer.toString(port)), config);
                assertTrue(((String)c.call("INFO", "keyspace")).startsWith("# Keyspace"));
                assertEquals("OK", c.call("MULTI"));
                assertEquals("QUEUED", c.call("INFO", "keyspace"));
                assertEquals("QUEUED", c.call("SET", KEYS[0], "in-multi"));
                assertEquals("QUEUED", c.call("CONFIG", "GET", "port"));
                final List<?> exec = (List<?>)c.call("EXEC");
                assertEquals(3, exec.size(), exec.toString());
                assertEquals("OK", exec.get(1));
                if (home >= SHARDS / 2)
                {
                    inWorker = true;
                    final String info = ((RespClient.Error)exec.get(0)).message();
                    assertTrue(info.startsWith("ERR INFO inside MULTI reads the NIC's registers, which are in " +
                        "partition 0; this connection's transactions run on core " + home), info);
                    final String refused = ((RespClient.Error)exec.get(2)).message();
                    assertTrue(refused.startsWith("ERR CONFIG inside MULTI"), refused);
                }
                else
                {
                    inCoordinator = true;
                    assertTrue(((String)exec.get(0)).startsWith("# Keyspace"), exec.toString());
                    assertEquals(config, exec.get(2));
                }
            }
        }
        finally
        {
            for (final RespClient c : clients)
            {
                c.close();
            }
        }
    }

    private static String[] keysOnEveryShard()
    {
        final String[] keys = new String[SHARDS];
        for (int i = 0, found = 0; found < SHARDS; i++)
        {
            final String key = "key:" + i;
            final int shard = KeyHash.shardOf(KeyHash.fnv1a(key.getBytes(StandardCharsets.UTF_8)), SHARDS);
            if (keys[shard] == null)
            {
                keys[shard] = key;
                found++;
            }
        }
        return keys;
    }

    /**
     * {@code shoal run kv --cores 4 --partitions 2 --port 0} (and {@code more}) in a JVM of its own; stdout to
     * dir/out, stderr dir/err.
     */
    private static Process coordinator(final Path dir, final String... more) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of("run", "kv", "--cores", Integer.toString(SHARDS),
            "--partitions", "2", "--port", "0", "--memory", "8", "--partition-timeout", "5"));
        args.addAll(List.of(more));
        final List<String> command = java(args);
        return new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile())
            .redirectError(dir.resolve("err").toFile()).start();
    }

    /** The CLI with {@code args} in a JVM of its own with this JVM's options and class path; output to {@code log}. */
    private static Process java(final List<String> args, final Path log) throws IOException
    {
        return new ProcessBuilder(java(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static List<String> java(final List<String> args)
    {
        return CliProcesses.command(List.of(), args);
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
    }

    /** The port the coordinator says it listens on, once it does. */
    private static int awaitPort(final Path dir, final Process coordinator) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (System.nanoTime() < deadline && coordinator.isAlive())
        {
            final Matcher m = LISTENING.matcher(Files.readString(dir.resolve("out")));
            if (m.find())
            {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the appliance did not start: " + Files.readString(dir.resolve("err")));
    }

    private static void stop(final Process coordinator, final List<ProcessHandle> others)
    {
        CliProcesses.stopAll(coordinator, others);
    }
}
