package dev.shoal.apps.kv;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import java.io.PrintWriter;

import dev.shoal.apps.BadInputException;
import dev.shoal.apps.partition.PartitionSession;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.Interconnect;
import dev.shoal.skb.Skb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal run kv}: the key-value appliance ({@link KvAppliance}) until a client sends SHUTDOWN or the process
 * is stopped (SIGINT / SIGTERM).
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "A Redis-protocol key-value store, one shard per core, on 127.0.0.1.")
public final class KvCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cores", defaultValue = "2", description = "Shards, one per core (default ${DEFAULT-VALUE}).")
    int cores;

    @Option(names = "--port", defaultValue = "6379", description = "TCP port on 127.0.0.1; 0 picks one " +
        "(default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--machine", description = "Machine (default numa:Px8 sized for --cores).")
    String machine;

    @Option(names = "--memory", defaultValue = "64", description = "MiB of RAM per shard (default ${DEFAULT-VALUE}).")
    int memoryMiB;

    @Option(names = "--requirepass", description = "Password clients must AUTH with (Redis's requirepass; " +
        "default none: any local user may run any command, FLUSHALL and SHUTDOWN included).")
    String requirepass;

    @Option(names = "--mode", description = "live (a thread per core; the default) or deterministic (the exact " +
        "engine: the NIC's requests reach the cores as host requests; docs/partitions.md).")
    String mode;

    @Option(names = "--partitions", description = "Spread the machine over this many JVMs, on this host or, with " +
        "--listen, on the workers' hosts (the exact engine; the NIC in this JVM, the shards on every partition; " +
        "docs/partitions.md). Default 1.")
    Integer partitions;

    @Option(names = "--partition-timeout", defaultValue = "10", description = "Seconds a partition may stay " +
        "silent before the appliance stops (default ${DEFAULT-VALUE}).")
    long partitionTimeout;

    @Option(names = "--listen", description = "With --partitions: wait for the workers to join at this UDP port " +
        "(shoal worker --join HOST:PORT on other hosts) instead of starting them here.")
    Integer listen;

    /** The exact engine when asked for (--mode deterministic, or --partitions), else null: live. */
    private RunnerFactory engine()
    {
        final boolean exact = switch (mode == null ? (partitions != null ? "deterministic" : "live") : mode)
        {
            case "live" -> false;
            case "deterministic", "exact" -> true;
            default -> throw new BadInputException("--mode must be live or deterministic: " + mode);
        };
        if (partitions != null && (partitions < 1 || partitions > 64))
        {
            throw new BadInputException("--partitions must be 1..64: " + partitions);
        }
        if (partitions != null && partitions > 1 && !exact)
        {
            throw new BadInputException("--partitions needs --mode deterministic (the kv NIC serves partitions " +
                "through the exact engine)");
        }
        if (listen != null && (partitions == null || partitions < 2 || listen < 1 || listen > 65535))
        {
            throw new BadInputException("--listen needs --partitions 2 or more and a UDP port 1..65535: " + listen);
        }
        if (partitionTimeout < 1 || partitionTimeout > 3600)
        {
            throw new BadInputException("--partition-timeout must be 1..3600 seconds: " + partitionTimeout);
        }
        if (!exact)
        {
            return null;
        }
        final DeterministicScheduler scheduler = new DeterministicScheduler(1, new TraceRecorder(null));
        if (partitions != null && partitions > 1)
        {
            if (cores < partitions)
            {
                throw new BadInputException("--partitions " + partitions + " needs at least as many --cores (one " +
                    "shard per core): " + cores);
            }
            final Skb skb = Skb.open(machine());
            final long packages = java.util.stream.IntStream.range(0, cores).map(skb::packageOf).distinct().count();
            if (Interconnect.modelled(skb.topology()))
            {
                throw new BadInputException("--partitions " + partitions + ": " +
                    Interconnect.whyOnePartition(skb.topology()));
            }
            if (packages < partitions)
            {
                throw new BadInputException("--partitions " + partitions + " but the " + cores + " cores of " +
                    skb.machineName() + " span " + packages + " packages (a partition holds whole packages)");
            }
            scheduler.threads(1).partitionedBy(PartitionSession.start(partitions, partitionTimeout * 1000,
                new PrintWriter(System.err, true), listen).link());
        }
        return scheduler;
    }

    /**
     * The machine to boot: --machine, else numa:Px8 sized for --cores, or with --partitions P, P packages (so that
     * every partition has shards).
     */
    private String machine()
    {
        if (machine != null)
        {
            return machine;
        }
        if (partitions != null && partitions > 1)
        {
            return "numa:" + partitions + "x" + ((cores + partitions - 1) / partitions);
        }
        return null;
    }

    @Override
    public Integer call() throws Exception
    {
        if (machine != null)
        {
            final Skb skb = Skb.open(machine);
            if (cores > skb.coreCount())
            {
                throw new BadInputException("--cores " + cores + " but " + skb.machineName() + " has " +
                    skb.coreCount() + " cores");
            }
        }
        // Checked before the partitions' JVMs start.
        final KvAppliance.Settings settings = new KvAppliance.Settings(machine(), cores, port, (long)memoryMiB << 20,
            requirepass);
        final KvAppliance kv = KvAppliance.start(settings, engine());
        final Thread hook = new Thread(kv::close, "kv-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final var out = spec.commandLine().getOut();
        out.printf("kv: listening on 127.0.0.1:%d (loopback only), %d shards on %s%s, %d MiB per shard, %s%n",
            kv.port(), cores, kv.settings().machine(), partitions != null && partitions > 1 ? " over " + partitions +
            " JVMs" + (listen != null ? " joined over UDP" : "") : mode != null && !mode.equals("live") ? " (exact engine)" : "", memoryMiB,
            requirepass == null || requirepass.isEmpty() ? "no password (--requirepass sets one)" : "password required");
        out.flush();
        try
        {
            while (!kv.awaitShutdown(1, TimeUnit.HOURS))
            {
                // Runs until SHUTDOWN or a signal (the hook closes it).
            }
        }
        finally
        {
            // Also when a partition failed (the session interrupted this wait): the CLI then names the partition.
            kv.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        if (kv.failure() != null)
        {
            throw new IllegalStateException("the appliance stopped: " + kv.failure());
        }
        out.println("kv: shut down");
        return 0;
    }
}
