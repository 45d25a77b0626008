package dev.shoal.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.shoal.kernel.CoreFailures;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.skb.Skb;

/**
 * Deterministic simulation tests (Kafka's RaftEventSimulationTest and FoundationDB's simulation are the models):
 * boot a machine on the exact engine, run a scenario, check invariants after every event, for many seeds. To
 * explore interleavings the runs use latency jitter ({@link #jitter(long)}, {@value #DEFAULT_JITTER} cycles by
 * default): each seed draws its own latencies and tie order, so different seeds take different paths, while one
 * seed always takes the same.
 * A run fails when a core's handler or task threw, even though the core contained it ({@link
 * dev.shoal.kernel.Machine#failures()}). A failure names the seed, the core count, the cores that failed and how
 * to replay it:
 * <pre>{@code
 * Simulation.of("numa:8x8").cores(2, 8, 64).seeds(1, 1000)
 *     .operation(CoreCensus::new)
 *     .invariant(Invariants.bootOncePerCore())
 *     .run(shoal -> assertEquals(shoal.cores(), CoreCensus.run(shoal.system()).get().cores()));
 * }</pre>
 * Host-side; each run boots a fresh machine.
 */
public final class Simulation
{
    /** What to do on a booted machine; its host requests are admitted at quiescent points of the schedule. */
    @FunctionalInterface
    public interface Scenario
    {
        void run(Shoal shoal) throws Exception;
    }

    /** A scenario that also needs its run's seed, core count and injected faults. */
    @FunctionalInterface
    public interface RunScenario
    {
        void run(Shoal shoal, SimulationRun run) throws Exception;
    }

    /** Latency jitter of a simulation run unless {@link #jitter(long)} says otherwise, in cycles. */
    public static final long DEFAULT_JITTER = 200;

    private final String machine;
    private long jitter = DEFAULT_JITTER;
    private int threads = 1;
    private int[] coreCounts = {2};
    private long firstSeed = 1;
    private int seeds = 1;
    private final List<java.util.function.Supplier<MonitorOperation>> operations = new ArrayList<>();
    private final List<Invariant> invariants = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<InjectedFault> injected = new ArrayList<>();
    private final List<String> hashes = new ArrayList<>();

    private Simulation(final String machine)
    {
        this.machine = machine;
    }

    public static Simulation of(final String machine)
    {
        return new Simulation(machine);
    }

    public Simulation cores(final int... counts)
    {
        this.coreCounts = counts.clone();
        return this;
    }

    /** Up to {@code cycles} of seeded extra latency per message (0: none, every seed gives the same figures). */
    public Simulation jitter(final long cycles)
    {
        if (cycles < 0)
        {
            throw new IllegalArgumentException("jitter must not be negative: " + cycles);
        }
        this.jitter = cycles;
        return this;
    }

    /** Host threads per run (default 1; results do not depend on it, and invariants are checked at barriers). */
    public Simulation threads(final int threads)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.threads = threads;
        return this;
    }

    /** Seeds {@code first} .. {@code first + count - 1}. */
    public Simulation seeds(final long first, final int count)
    {
        this.firstSeed = first;
        this.seeds = count;
        return this;
    }

    /** An operation to register; a supplier, because every run needs a fresh instance. */
    public Simulation operation(final java.util.function.Supplier<MonitorOperation> operation)
    {
        operations.add(operation);
        return this;
    }

    public Simulation invariant(final Invariant invariant)
    {
        invariants.add(invariant);
        return this;
    }

    /** A fault injected after boot, before the scenario (in the order added). */
    public Simulation fault(final Fault fault)
    {
        faults.add(fault);
        return this;
    }

    /** The faults injected in the last run (a scenario gets its own run's from {@link SimulationRun#faults()}). */
    public List<InjectedFault> injected()
    {
        return List.copyOf(injected);
    }

    /** Runs the scenario for every core count and seed; returns the number of runs. */
    public int run(final Scenario scenario)
    {
        return run((shoal, run) -> scenario.run(shoal));
    }

    /** Runs the scenario, told its seed, core count and faults, for every core count and seed; returns the runs. */
    public int run(final RunScenario scenario)
    {
        int runs = 0;
        hashes.clear();
        for (final int cores : coreCounts)
        {
            for (long seed = firstSeed; seed < firstSeed + seeds; seed++)
            {
                runOne(scenario, cores, seed);
                runs++;
            }
        }
        return runs;
    }

    /** Trace hashes of the runs so far, in order. */
    public List<String> hashes()
    {
        return List.copyOf(hashes);
    }

    private void runOne(final RunScenario scenario, final int cores, final long seed)
    {
        final TraceRecorder trace = new TraceRecorder(null);
        final DeterministicScheduler scheduler = new DeterministicScheduler(seed, trace).jitter(jitter).threads(threads);
        final MonitorConfig.Builder config = MonitorConfig.builder(Skb.open(machine)).cores(cores).runners(scheduler);
        operations.forEach(op -> config.operation(op.get()));
        final String where = "seed " + seed + " on " + cores + " cores of " + machine;
        final Throwable[] violation = new Throwable[1];
        final dev.shoal.monitor.MonitorSystem[] system = new dev.shoal.monitor.MonitorSystem[1];
        Shoal shoal = null;
        try
        {
            final MonitorConfig built = config.build();
            scheduler.afterEachStep(() ->
            {
                if (violation[0] == null && system[0] != null)
                {
                    try
                    {
                        for (final Invariant invariant : invariants)
                        {
                            invariant.check(system[0]);
                        }
                    }
                    catch (final Throwable t)
                    {
                        violation[0] = t;
                    }
                }
            });
            system[0] = dev.shoal.monitor.MonitorSystem.start(built);
            shoal = Shoal.attach(system[0], Duration.ofSeconds(60));
            injected.clear();
            final java.util.SplittableRandom faultRandom = new java.util.SplittableRandom(seed ^ 0x5eed_fa17L);
            for (final Fault fault : faults)
            {
                // Injected on a core's carrier at a quiescent point: the same step of the schedule every run.
                injected.add(system[0].onCore(0, m -> fault.inject(system[0], faultRandom))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            scenario.run(shoal, new SimulationRun(machine, cores, seed, jitter, injected));
            for (final Invariant invariant : invariants)
            {
                invariant.check(system[0]);
            }
            if (!system[0].machine().failures().isEmpty())
            {
                throw new AssertionError("a core's handler or task threw");
            }
        }
        catch (final Throwable t)
        {
            throw failure(where, cores, seed, t, failures(system[0]));
        }
        finally
        {
            if (shoal != null)
            {
                shoal.close();
            }
        }
        if (violation[0] != null)
        {
            throw failure(where, cores, seed, violation[0], failures(system[0]));
        }
        hashes.add(trace.hash());
    }

    /** The run's core failures as {@code ; core 3 failed 1 time(s), last: ...}, or "" when no core failed. */
    private static String failures(final dev.shoal.monitor.MonitorSystem system)
    {
        if (system == null)
        {
            return "";
        }
        final StringBuilder out = new StringBuilder();
        for (final CoreFailures f : system.machine().failures())
        {
            out.append("; core ").append(f.core()).append(" failed ").append(f.count()).append(" time(s), last: ")
                .append(f.last());
        }
        return out.toString();
    }

    private AssertionError failure(final String where, final int cores, final long seed, final Throwable cause,
        final String coreFailures)
    {
        return new AssertionError("simulation failed with " + where + (injected.isEmpty() ? "" :
            " (faults: " + String.join(", ", injected.stream().map(InjectedFault::description).toList()) + ")") + ": " + cause.getMessage() + coreFailures +
            " — replay it with Simulation.of(\"" + machine + "\").cores(" + cores + ").seeds(" + seed + ", 1)", cause);
    }
}
