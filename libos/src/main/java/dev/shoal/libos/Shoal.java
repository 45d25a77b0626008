package dev.shoal.libos;

import java.time.Duration;

import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * A booted Shoal machine, the entry point for applications and tests:
 * <pre>{@code
 * try (Shoal shoal = Shoal.boot("amd-8x4", 32)) {
 *     Domain d = shoal.startDomain("hello", new int[] {0, 31}, os -> ...);
 *     d.join(Duration.ofSeconds(10));
 * }
 * }</pre>
 * Host-side: its methods are called from the host thread that booted it, not from cores.
 */
public final class Shoal implements AutoCloseable
{
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    /** How long {@link #startDomain} waits for its cores to spawn their dispatchers: generous, but not for ever. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final MonitorSystem system;
    private final MonitorSystem.BootReport bootReport;
    private final java.util.concurrent.atomic.AtomicLong domainsStarted = new java.util.concurrent.atomic.AtomicLong();

    private Shoal(final MonitorSystem system, final MonitorSystem.BootReport bootReport)
    {
        this.system = system;
        this.bootReport = bootReport;
    }

    /** Cores per package of the machine generated when none is named. */
    public static final int DEFAULT_CORES_PER_PACKAGE = 8;

    /** The machine booted when none is named: {@code numa:Px8} with enough packages for {@code cores}. */
    public static String defaultMachine(final int cores)
    {
        final int packages = Math.max(1, (cores + DEFAULT_CORES_PER_PACKAGE - 1) / DEFAULT_CORES_PER_PACKAGE);
        return "numa:" + packages + "x" + DEFAULT_CORES_PER_PACKAGE;
    }

    /** Boots {@code cores} cores of {@code machine} (a built-in name, {@code numa:PxC} or a .pl file). */
    public static Shoal boot(final String machine, final int cores, final MonitorOperation... operations)
    {
        final MonitorConfig.Builder config = MonitorConfig.builder(Skb.open(machine)).cores(cores);
        for (final MonitorOperation op : operations)
        {
            config.operation(op);
        }
        return boot(config.build());
    }

    /** Boots a machine from a full configuration. */
    public static Shoal boot(final MonitorConfig config)
    {
        return attach(MonitorSystem.start(config), BOOT_TIMEOUT);
    }

    /** Wraps a machine started elsewhere (e.g. by a simulation that needs its scheduler first); waits for boot. */
    public static Shoal attach(final MonitorSystem system, final Duration timeout)
    {
        try
        {
            return new Shoal(system, system.awaitBoot(timeout));
        }
        catch (final RuntimeException ex)
        {
            system.close();
            throw ex;
        }
    }

    public MonitorSystem system()
    {
        return system;
    }

    public MonitorSystem.BootReport bootReport()
    {
        return bootReport;
    }

    public int cores()
    {
        return system.cores();
    }

    /** Starts a domain with one dispatcher on each of {@code cores}. */
    public Domain startDomain(final String name, final int[] cores, final Domain.Main main)
    {
        return startDomain(name, cores, main, START_TIMEOUT);
    }

    /** As {@link #startDomain(String, int[], Domain.Main)}, waiting at most {@code timeout} for the cores. */
    Domain startDomain(final String name, final int[] cores, final Domain.Main main, final Duration timeout)
    {
        for (final int core : cores)
        {
            if (core < 0 || core >= system.cores())
            {
                throw new IllegalArgumentException("core " + core + " is not one of the " + system.cores() +
                    " booted cores");
            }
        }
        if (java.util.Arrays.stream(cores).distinct().count() != cores.length)
        {
            throw new IllegalArgumentException("domain " + name + " lists a core twice: " +
                java.util.Arrays.toString(cores) + " (one dispatcher per core)");
        }
        final Domain domain = new Domain(name, domainsStarted.incrementAndGet(), cores);
        domain.start(this, main, timeout);
        return domain;
    }

    /**
     * A job for {@link #run}: the main of a one-dispatcher domain that answers a value. Serializable, like what it
     * captures and answers, so that it can run on a core of another JVM (docs/partitions.md).
     */
    @FunctionalInterface
    public interface Job<T> extends java.io.Serializable
    {
        T run(Os os) throws Exception;
    }

    /**
     * Starts a domain of one dispatcher on {@code core} that runs {@code job}; the future completes with what the
     * job answers when it ends (or fails with what it threw). In one JVM it is {@link #startDomain} with a result;
     * on a partitioned machine it reaches the cores of every partition, the job and its answer crossing JVMs as
     * bytes ({@link MonitorSystem#request}), with the single JVM's figures.
     *
     * @throws IllegalArgumentException for a core the machine does not have, or a job that must cross JVMs and
     *                                  is not serializable.
     */
    public <T> java.util.concurrent.CompletableFuture<T> run(final String name, final int core, final Job<T> job)
    {
        if (core < 0 || core >= system.cores())
        {
            throw new IllegalArgumentException("core " + core + " is not one of the " + system.cores() +
                " booted cores");
        }
        // A core of another partition is not in this JVM; its JVM fails the job if that core is halted.
        if (system.machine().isLocal(core) && system.machine().core(core).isHalted())
        {
            throw new IllegalStateException("domain " + name + " cannot start: core " + core + " is halted");
        }
        return system.request(core, new DomainJob<>(name, domainsStarted.incrementAndGet(), core, job));
    }

    /** A {@link #run} job as a host request: spawns its dispatcher on the core and answers when the job ends. */
    private record DomainJob<T>(String name, long instance, int core, Job<T> job) implements MonitorSystem.Request<T>
    {
        @Override
        public java.util.concurrent.CompletionStage<T> apply(final dev.shoal.monitor.Monitor monitor)
        {
            // In the JVM that runs the core: its own view of the machine (a partitioned machine's worker has no
            // Shoal of its own). The dispatcher's OS sees the same domain as in one JVM: name, number, cores.
            final Os os = new Os(new Shoal(monitor.system(), null), new Domain(name, instance, new int[] {core}),
                core);
            final java.util.concurrent.CompletableFuture<T> answer = new java.util.concurrent.CompletableFuture<>();
            monitor.core().spawn(name, () ->
            {
                try
                {
                    answer.complete(job.run(os));
                }
                catch (final RuntimeException | Error ex)
                {
                    answer.completeExceptionally(ex);
                    throw ex;
                }
                catch (final Exception ex)
                {
                    answer.completeExceptionally(ex);
                    throw new IllegalStateException(ex);
                }
            });
            return answer;
        }
    }

    @Override
    public void close()
    {
        system.close();
    }
}
