package dev.shoal.apps.partition;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.Timeline;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;
import io.aeron.Aeron;

/**
 * A worker JVM of a partitioned machine: carries one partition of every machine the coordinator announces, until
 * the coordinator says bye. It rebuilds each machine from the coordinator's words (machine, cores, ring slots,
 * operations, seed, jitter), runs its partition of the exact engine until the coordinator stops it, and sends its
 * cores' trace hashes back. The host thread of the worker process.
 */
public final class PartitionWorker
{
    private final AeronPartitionLink link;
    private final PrintWriter err;
    /** This worker's cores' trace hashes, kept across machines while the coordinator's trace goes on. */
    private TraceRecorder trace;

    public PartitionWorker(final AeronPartitionLink link, final PrintWriter err)
    {
        this.link = link;
        this.err = err;
    }

    /** Connects to the coordinator's media driver (one host). */
    public static Aeron connect(final String aeronDir)
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
    }

    /** A partition failed: one line, and this process ends with exit code 1. */
    public static java.util.function.Consumer<String> exitOnFailure(final PrintWriter err)
    {
        return line ->
        {
            err.println("shoal worker: " + line);
            err.flush();
            // Synchronously: the thread that found the failure must not go on to report it again.
            System.exit(1);
        };
    }

    /**
     * Joins a coordinator on another host ({@code HOST:PORT}) over UDP with a media driver of its own, then serves
     * machines. Returns the exit code.
     *
     * @throws IllegalArgumentException (one line) for a malformed address, an unreachable or refusing coordinator.
     */
    public static int joinOverUdp(final String coordinator, final long timeoutMillis, final PrintWriter err)
        throws Exception
    {
        final int colon = coordinator.lastIndexOf(':');
        final int port;
        final java.net.InetAddress host;
        try
        {
            port = Integer.parseInt(coordinator.substring(colon + 1));
            host = java.net.InetAddress.getByName(coordinator.substring(0, Math.max(0, colon)));
            if (colon <= 0 || port < 1 || port > 65535)
            {
                throw new NumberFormatException();
            }
        }
        catch (final NumberFormatException | java.net.UnknownHostException ex)
        {
            throw new IllegalArgumentException("--join needs HOST:PORT with a known host and a port 1..65535: " +
                coordinator);
        }
        final java.net.InetAddress local = UdpRendezvous.localAddressTowards(host);
        final String self = local.getHostAddress() + ":" + UdpRendezvous.freePort(local, 0);
        final String version = System.getProperty(PartitionSession.VERSION_PROPERTY, PartitionSession.VERSION);
        try (EmbeddedDriver driver = new EmbeddedDriver(true))
        {
            final String target = host.getHostAddress() + ":" + port;
            final UdpRendezvous.Roster roster = UdpRendezvous.join(driver.aeron(), target, self, version,
                timeoutMillis);
            try (AeronPartitionLink link = new AeronPartitionLink(driver.aeron(), roster.self(), roster.count(),
                p -> UdpRendezvous.channel(p == roster.self() ? self : roster.endpoints().get(p)), timeoutMillis,
                exitOnFailure(err)))
            {
                return new PartitionWorker(link, err).run();
            }
        }
    }

    /** Says hello and serves machines; returns the exit code (0 after bye, 2 when refused). */
    public int run() throws Exception
    {
        final String version = System.getProperty(PartitionSession.VERSION_PROPERTY, PartitionSession.VERSION);
        link.sendText(0, Wire.HELLO, version);
        while (true)
        {
            final byte[] message = link.take(0);
            switch (AeronPartitionLink.type(message))
            {
                case Wire.MACHINE -> runMachine(AeronPartitionLink.text(message));
                case Wire.BYE ->
                {
                    PartitionSession.printStats(link, err);
                    return 0;
                }
                case Wire.REFUSED ->
                {
                    err.println("shoal worker: refused by the coordinator: " + AeronPartitionLink.text(message));
                    return 2;
                }
                default -> throw new IllegalStateException("unexpected message type " +
                    AeronPartitionLink.type(message) + " between machines");
            }
        }
    }

    private void runMachine(final String text) throws Exception
    {
        final Map<String, String> fields = new HashMap<>();
        final List<String> operations = new ArrayList<>();
        for (final String line : text.split("\n"))
        {
            final int eq = line.indexOf('=');
            if (eq <= 0)
            {
                continue;
            }
            final String key = line.substring(0, eq);
            if (key.equals("operation"))
            {
                operations.add(line.substring(eq + 1));
            }
            else
            {
                fields.put(key, line.substring(eq + 1));
            }
        }
        final Skb skb = Skb.open(fields.get("machine"));
        final MonitorConfig.Builder builder = MonitorConfig.builder(skb).cores(Integer.parseInt(fields.get("cores")))
            .channelSlots(Integer.parseInt(fields.get("slots")));
        for (final String name : operations)
        {
            final MonitorOperation op = instantiate(name);
            if (op != null)
            {
                builder.operation(op);
            }
        }
        if (trace == null || !"continue".equals(fields.get("trace")))
        {
            trace = TraceRecorder.forWorker(Boolean.parseBoolean(fields.get("lines")));
        }
        final DeterministicScheduler engine = new DeterministicScheduler(Long.parseLong(fields.get("seed")), trace).threads(1).jitter(Long.parseLong(fields.get("jitter"))).partitionedBy(link);
        final String timeline = fields.getOrDefault("timeline", "off");
        if (!timeline.equals("off"))
        {
            // This worker's cores' events go to the coordinator, which writes the one file.
            engine.timeline(Timeline.forWorker(timeline));
        }
        final MonitorConfig config = builder.runners(engine).build();
        final int types = Integer.parseInt(fields.get("types"));
        if (config.protocol().messageTypes() != types)
        {
            throw new IllegalStateException("this worker's protocol has " + config.protocol().messageTypes() +
                " message types, the coordinator's " + types + " (an operation without a public no-argument " +
                "constructor cannot be rebuilt here)");
        }
        try (MonitorSystem system = MonitorSystem.start(config))
        {
            engine.startPartition(system.machine());
            while (!engine.awaitEnd(Duration.ofSeconds(1).toMillis()))
            {
                // The link's heartbeat ends the process if the coordinator goes silent.
            }
        }
    }

    /** An operation of the coordinator's protocol, by class name; null for one this JVM registers by itself. */
    private static MonitorOperation instantiate(final String className)
    {
        try
        {
            final Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            if (!MonitorOperation.class.isAssignableFrom(type))
            {
                return null;
            }
            final var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return (MonitorOperation)constructor.newInstance();
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            // A built-in operation (registered by every JVM anyway) or one that cannot be rebuilt: the count of
            // message types tells which.
            return null;
        }
    }
}
