package dev.shoal.harness.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * Heap per idle core: boots N cores, lets them settle into idleness (0.5 s), and divides the growth of the used
 * heap (measured after full GCs before boot and with the machine up) by N. As a cross-check it also reports what
 * shutting the machine down frees again, and how long after {@code close()} that took: it waits (up to 30 s) until
 * at least half the growth is free, so that one boot's leftovers do not count in the next one's "before". Run by {@code bench/host} as a plain program, not under JMH: the figure is a size, not a
 * time.
 *
 * <pre>
 *   java -cp ... dev.shoal.harness.bench.IdleCoreHeap [--cores 16,64,...] [--modes deterministic,live] [--runs 3]
 * </pre>
 *
 * <p>What is counted: everything the booted machine keeps reachable: the cores, their monitors, channel
 * endpoints, capability spaces, mapping databases, run queues and carrier {@code Thread} objects. Not counted: the
 * SKB, loaded before the first measurement (as {@code shoal boot} does) and kept until after the last, with
 * whatever it caches during boot; off-heap memory, i.e. the simulated physical memory, where boot's UMP rings live;
 * and the native stacks of live mode's carrier threads.
 *
 * <p>Boots the first core count once per mode unmeasured, as a warm-up. Prints one line per boot and then a
 * Markdown table (mean, min and max over the runs). Bad arguments give a one-line error and exit code 2.
 */
public final class IdleCoreHeap
{
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(300);
    /** Host time allowed after boot for the last boot messages to be handled and the carriers to park. */
    private static final long SETTLE_MILLIS = 500;
    /** Longest wait, after shutdown, for the machine's heap to become free before the next boot. */
    private static final long RELEASE_TIMEOUT_MILLIS = 30_000;

    /**
     * One boot's figures: used heap (after full GCs) before boot, with the idle machine up, and after shutdown, once
     * at least half of the growth was free again or {@value #RELEASE_TIMEOUT_MILLIS} ms had passed
     * ({@code releaseMillis}: how long after shutdown that was, to the nearest {@value #SETTLE_MILLIS} ms).
     */
    record Sample(String mode, int cores, long heapBefore, long heapUp, long heapDown, long releaseMillis)
    {
        /** The figure: heap added by booting, per core. */
        double heapPerCore()
        {
            return (double)(heapUp - heapBefore) / cores;
        }

        /** The cross-check: heap that shutting the machine down made free again, per core. */
        double freedPerCore()
        {
            return (double)(heapUp - heapDown) / cores;
        }
    }

    private IdleCoreHeap()
    {
    }

    /** What to measure: every mode times every core count, {@code runs} boots each. */
    record Options(List<Integer> cores, List<String> modes, int runs)
    {
        /**
         * Parses {@code --cores 16,64 --modes live --runs 3}; an option not given keeps its default.
         *
         * @throws IllegalArgumentException naming the bad argument.
         */
        static Options parse(final String... args)
        {
            List<Integer> cores = List.of(16, 64, 256, 1024, 4096);
            List<String> modes = List.of("deterministic", "live");
            int runs = 3;
            for (int i = 0; i < args.length; i += 2)
            {
                final String option = args[i];
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                final String value = args[i + 1];
                switch (option)
                {
                    case "--cores" ->
                    {
                        final List<Integer> counts = new ArrayList<>();
                        for (final String n : value.split(","))
                        {
                            final int count = parseInt("--cores", n);
                            BootBenchmark.machineFor(count);
                            counts.add(count);
                        }
                        cores = List.copyOf(counts);
                    }
                    case "--modes" ->
                    {
                        for (final String mode : value.split(","))
                        {
                            BootBenchmark.runnersFor(mode);
                        }
                        modes = List.of(value.split(","));
                    }
                    case "--runs" ->
                    {
                        runs = parseInt("--runs", value);
                        if (runs < 1)
                        {
                            throw new IllegalArgumentException("--runs must be at least 1, not " + runs);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + option +
                        " (expected --cores, --modes or --runs)");
                }
            }
            return new Options(cores, modes, runs);
        }
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("IdleCoreHeap: " + ex.getMessage());
            System.exit(2);
            return;
        }
        final List<Sample> samples = new ArrayList<>();
        for (final String mode : options.modes())
        {
            // A first boot in a fresh JVM also loads and initialises classes and static tables: not per-core state.
            measure(options.cores().get(0), mode);
            for (final int n : options.cores())
            {
                for (int run = 1; run <= options.runs(); run++)
                {
                    final Sample sample = measure(n, mode);
                    samples.add(sample);
                    System.out.printf(Locale.ROOT, "idle-heap %s cores=%d run=%d heapBefore=%d heapUp=%d " +
                        "heapDown=%d heapPerCore=%.0f freedPerCore=%.0f releasedAfterMillis=%d%n", mode, n, run,
                        sample.heapBefore(), sample.heapUp(), sample.heapDown(), sample.heapPerCore(),
                        sample.freedPerCore(), sample.releaseMillis());
                }
            }
        }
        printTable(System.out, samples, options.runs());
    }

    private static int parseInt(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " takes whole numbers, not '" + value + "'");
        }
    }

    /**
     * Boots {@code cores} cores in {@code mode}, waits until they idle, measures, shuts down and measures again. The
     * SKB is loaded before the first measurement and kept until after the last, so it counts on no side. Host
     * thread.
     */
    static Sample measure(final int cores, final String mode) throws InterruptedException
    {
        final Skb skb = Skb.open(BootBenchmark.machineFor(cores));
        skb.topology();
        // Deterministic mode's runner factory (its scheduler) lists every core once they start: the configuration
        // must not outlive the machine, or it keeps the closed machine reachable.
        MonitorConfig config = MonitorConfig.builder(skb).cores(cores)
            .runners(BootBenchmark.runnersFor(mode)).build();
        final long heapBefore = usedHeapAfterGc();
        final long heapUp;
        MonitorSystem system = MonitorSystem.boot(config, BOOT_TIMEOUT);
        config = null;
        try
        {
            Thread.sleep(SETTLE_MILLIS);
            if (system.machine().startedCores() != cores)
            {
                throw new IllegalStateException("started " + system.machine().startedCores() + " cores, not " + cores);
            }
            heapUp = usedHeapAfterGc();
        }
        finally
        {
            system.close();
        }
        system = null; // an interpreted frame would otherwise keep the machine reachable through this local
        // Wait until the machine is collectable, so that the next boot's "before" does not contain this one. Host
        // time, outside every core: what holds a closed machine for a while is recorded, not hidden.
        long heapDown = usedHeapAfterGc();
        long waitedMillis = 0;
        while (heapDown - heapBefore > (heapUp - heapBefore) / 2 && waitedMillis < RELEASE_TIMEOUT_MILLIS)
        {
            Thread.sleep(SETTLE_MILLIS);
            waitedMillis += SETTLE_MILLIS;
            heapDown = usedHeapAfterGc();
        }
        Reference.reachabilityFence(skb);
        return new Sample(mode, cores, heapBefore, heapUp, heapDown, waitedMillis);
    }

    static long usedHeapAfterGc()
    {
        final var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Several full collections: the figure settles once nothing is left for a later one to free.
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static void printTable(final PrintStream out, final List<Sample> samples, final int runs)
    {
        out.println();
        out.println("| mode | cores | heap per idle core, bytes (mean of " + runs + ") | min | max | " +
            "freed after shutdown, bytes per core (mean) | longest wait for it, ms |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < samples.size(); i += runs)
        {
            final List<Sample> group = samples.subList(i, i + runs);
            final double mean = group.stream().mapToDouble(Sample::heapPerCore).average().orElseThrow();
            final double min = group.stream().mapToDouble(Sample::heapPerCore).min().orElseThrow();
            final double max = group.stream().mapToDouble(Sample::heapPerCore).max().orElseThrow();
            final double freed = group.stream().mapToDouble(Sample::freedPerCore).average().orElseThrow();
            final long wait = group.stream().mapToLong(Sample::releaseMillis).max().orElseThrow();
            out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %,.0f | %,.0f | %,d |%n", group.get(0).mode(),
                group.get(0).cores(), mean, min, max, freed, wait);
        }
    }
}
