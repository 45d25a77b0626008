package dev.shoal.kernel;


import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The simulated hardware: N cores and their physical memory. Powering on starts core 0 only; the software on it
 * (the monitor) starts the others with {@link #start(int, long, long)}, as a BSP starts the application processors.
 *
 * <p>A machine partitioned over several JVMs (docs/partitions.md) builds a {@link Core} only for the cores this JVM
 * runs ({@link RunnerFactory#ownsCore}, asked once per core at construction). Another partition's core is no object
 * here but its number: what a core of this JVM does to it — start it ({@link #start(int, long, long)}), ring its
 * doorbell ({@link #wake(int, long)}) — goes to the runner as bytes for that core's JVM, and {@link #core(int)}
 * refuses it with one line. So a JVM's heap grows with its own cores, not with the whole machine's.
 *
 * <p>Thread-safety: the core array is fixed at construction; each core guards its own state.
 */
public final class Machine implements AutoCloseable
{
    private final Core[] cores;
    private final PhysicalMemory memory;
    private final CoreBootstrap bootstrap;
    private final RunnerFactory runnerFactory;
    private final MemoryLatency memoryLatency;
    private final IdleTime idleTime = new IdleTime(this);
    private boolean closed;
    /** How long {@link #close()} lets an exact-mode machine finish what it is doing before it stops the cores. */
    private static final long QUIESCE_MILLIS = 30_000;

    public Machine(final int coreCount, final CostModel costs, final CoreBootstrap bootstrap)
    {
        this(coreCount, costs, bootstrap, CoreRunner::newCarrier);
    }

    public Machine(final int coreCount, final CostModel costs, final CoreBootstrap bootstrap,
        final RunnerFactory runnerFactory)
    {
        this(coreCount, costs, bootstrap, runnerFactory, null);
    }

    /**
     * @param memoryLatency what a miss to memory costs, priced on each core's first touch of a line through its MMU
     *                      ({@link dev.shoal.kernel.paging.TouchedLines}); null to model no memory misses.
     */
    public Machine(final int coreCount, final CostModel costs, final CoreBootstrap bootstrap,
        final RunnerFactory runnerFactory, final MemoryLatency memoryLatency)
    {
        // Before any carrier starts: a missing flag would otherwise fail a core's first task and hang the boot.
        JvmOptions.require();
        if (coreCount < 1 || coreCount > PhysicalMemory.MAX_CORES)
        {
            throw new IllegalArgumentException("a machine has 1.." + PhysicalMemory.MAX_CORES + " cores (each core's " +
                "physical memory is a 1 TiB region of a 63-bit address space), not " + coreCount);
        }
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.runnerFactory = Objects.requireNonNull(runnerFactory, "runnerFactory");
        this.memoryLatency = memoryLatency;
        runnerFactory.timeline().newMachine(coreCount);
        this.memory = new PhysicalMemory(coreCount);
        this.cores = new Core[coreCount];
        Objects.requireNonNull(costs, "costs");
        for (int i = 0; i < coreCount; i++)
        {
            cores[i] = runnerFactory.ownsCore(i) ? new Core(i, this, costs) : null;
        }
    }

    /** What a miss to memory costs on this machine; null when it models none. */
    public MemoryLatency memoryLatency()
    {
        return memoryLatency;
    }

    public int coreCount()
    {
        return cores.length;
    }

    /**
     * Core {@code id} of this JVM. Any thread.
     *
     * @throws IllegalArgumentException when there is no such core.
     * @throws IllegalStateException when the core runs in another partition's JVM (it is not built here).
     */
    public Core core(final int id)
    {
        final Core core = coreOrNull(id);
        if (core == null)
        {
            throw new IllegalStateException("core " + id + " runs in another partition: its JVM holds it, this one " +
                "holds only its own cores (docs/partitions.md)");
        }
        return core;
    }

    /** Whether core {@code id} runs in this JVM (always, unless the machine is partitioned over JVMs). */
    public boolean isLocal(final int id)
    {
        return coreOrNull(id) != null;
    }

    private Core coreOrNull(final int id)
    {
        if (id < 0 || id >= cores.length)
        {
            throw new IllegalArgumentException("no core " + id + " on a machine of " + cores.length + " cores");
        }
        return cores[id];
    }

    /**
     * Starts core {@code id} (the start-up IPI), its start-up task landing at {@code atCycle}: see
     * {@link Core#start(long, long)}. A core of another partition is started there: the runner sends the IPI, with
     * the line {@code bootArgument} points at, to that core's JVM ({@link RunnerFactory#startRemote}). Called on the
     * starting core.
     */
    public void start(final int id, final long bootArgument, final long atCycle)
    {
        final Core core = coreOrNull(id);
        if (core != null)
        {
            core.start(bootArgument, atCycle);
        }
        else
        {
            runnerFactory.startRemote(id, bootArgument, atCycle);
        }
    }

    /**
     * Rings core {@code id}'s doorbell for {@code channel} (see {@link Core#wake(long)}); for a core of another
     * partition the runner carries the doorbell to its JVM ({@link RunnerFactory#wakeRemote}). Called on the core
     * that wrote the channel.
     */
    public void wake(final int id, final long channel)
    {
        final Core core = coreOrNull(id);
        if (core != null)
        {
            core.wake(channel);
        }
        else
        {
            runnerFactory.wakeRemote(id, channel);
        }
    }

    public PhysicalMemory physicalMemory()
    {
        return memory;
    }

    CoreBootstrap bootstrap()
    {
        return bootstrap;
    }

    RunnerFactory runnerFactory()
    {
        return runnerFactory;
    }

    /** Live mode's record of sleeping cores, through which idle time passes ({@link IdleTime}). */
    IdleTime idleTime()
    {
        return idleTime;
    }

    /** Delivers a host request to core {@code core} (see {@link RunnerFactory#hostSubmit}). Any host thread. */
    public void hostSubmit(final int core, final Runnable task)
    {
        runnerFactory.hostSubmit(core(core), task);
    }

    /**
     * Delivers a host request, as bytes, to core {@code core} of another JVM of a partitioned machine (see
     * {@link RunnerFactory#hostSubmitEncoded}). Any host thread.
     */
    public void hostSubmitEncoded(final int core, final byte[] request,
        final java.util.function.Consumer<byte[]> reply)
    {
        coreOrNull(core); // a core of this machine, here or in another JVM
        runnerFactory.hostSubmitEncoded(core, request, reply);
    }

    /**
     * Delivers {@code tasks[i]} to core {@code cores[i]} as one host request: in exact mode they all land at one
     * simulated instant (see {@link RunnerFactory#hostSubmitAll}). Any host thread.
     */
    public void hostSubmitAll(final int[] cores, final Runnable[] tasks)
    {
        if (cores.length != tasks.length)
        {
            throw new IllegalArgumentException(cores.length + " cores but " + tasks.length + " tasks");
        }
        final Core[] targets = new Core[cores.length];
        for (int i = 0; i < cores.length; i++)
        {
            targets[i] = core(cores[i]);
        }
        runnerFactory.hostSubmitAll(targets, tasks.clone());
    }

    /**
     * Delivers several host requests as one (see {@link RunnerFactory#hostSubmitAll(RunnerFactory.HostRequest[])}):
     * in exact mode they land at one simulated instant, on whichever partition runs each core. Any host thread.
     */
    public void hostSubmitAll(final RunnerFactory.HostRequest[] requests)
    {
        for (final RunnerFactory.HostRequest r : requests)
        {
            coreOrNull(r.coreId()); // a core of this machine, here or in another JVM
        }
        runnerFactory.hostSubmitAll(requests.clone());
    }

    /** True in deterministic mode ({@link DeterministicScheduler}). */
    public boolean isDeterministic()
    {
        return runnerFactory.isDeterministic();
    }

    /**
     * The determinism escapes found so far on this machine's cores, oldest first (see {@link EscapeDetector}); empty
     * in live mode or when detection is off. Any thread.
     */
    public List<DeterminismEscape> escapes()
    {
        final EscapeDetector detector = runnerFactory.escapeDetector();
        return detector == null ? List.of() : detector.escapes();
    }

    /**
     * The latency jitter of the {@code serial}-th channel from core {@code from} to core {@code to}: a generator
     * seeded from the run's seed and the channel alone, or null when the run has no jitter (live mode, benchmarks).
     * The receiving side draws from it once per message, in channel order.
     */
    public java.util.SplittableRandom channelJitter(final int from, final int to, final int serial)
    {
        return runnerFactory.jitter() == 0 ? null :
            new java.util.SplittableRandom(runnerFactory.channelSeed(from, to, serial));
    }

    /** The latency jitter bound in cycles (0: none). */
    public long jitter()
    {
        return runnerFactory.jitter();
    }

    /** The run's event trace ({@link Trace#NONE} in live mode). */
    public Trace trace()
    {
        return runnerFactory.trace();
    }

    /** The run's timeline ({@link Timeline#OFF} when none is written). */
    public Timeline timeline()
    {
        return runnerFactory.timeline();
    }

    /**
     * The core whose carrier calls, or null for any other thread (a host thread). For observers only: O(cores).
     */
    Core currentCore()
    {
        for (final Core core : cores)
        {
            if (core != null && core.isCurrent())
            {
                return core;
            }
        }
        return null;
    }

    /**
     * The cores on which something threw and was contained ({@link Core#fail}), lowest id first; empty when none
     * did. Any thread; exact once the machine is quiescent or closed.
     */
    public List<CoreFailures> failures()
    {
        final List<CoreFailures> failures = new ArrayList<>();
        for (final Core core : cores)
        {
            final CoreFailures f = core == null ? null : core.failures();
            if (f != null)
            {
                failures.add(f);
            }
        }
        return failures;
    }

    /** Starts core 0 (the bootstrap processor). */
    public void powerOn()
    {
        // In a partitioned machine only the coordinator's JVM holds core 0; the others wait for start-up IPIs.
        if (runnerFactory.ownsCore(0))
        {
            cores[0].start(0);
        }
    }

    /** See {@link RunnerFactory#noteRing}. Called on the core that writes the ring. */
    public void noteRing(final long address, final int bytes, final int reader)
    {
        runnerFactory.noteRing(address, bytes, reader);
    }

    /** Number of this JVM's cores started so far. */
    public int startedCores()
    {
        int n = 0;
        for (final Core core : cores)
        {
            n += core != null && core.isStarted() ? 1 : 0;
        }
        return n;
    }

    /**
     * Stops every core and waits for the carriers to finish their duty cycle. In exact mode the machine first runs
     * until it has nothing left to do (at most 30 s of host time), so every run of a seed ends at the same event.
     * Dispatchers still blocked are abandoned (they are virtual threads: nothing leaks but heap, reclaimed with the
     * machine).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        runnerFactory.quiesce(QUIESCE_MILLIS);
        for (final Core core : cores)
        {
            if (core != null)
            {
                core.stop();
            }
        }
        boolean interrupted = false;
        for (final Core core : cores)
        {
            try
            {
                if (core != null)
                {
                    core.join();
                }
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        runnerFactory.timeline().machineClosed();
        memory.close();
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

}
