package dev.shoal.harness.bench;

import java.io.PrintStream;
import java.lang.ref.Reference;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * Heap per idle core: boots N cores, lets them settle into idleness, and divides the heap they hold (the used heap
 * with the machine up minus the used heap after it is shut down, each measured after full GCs) by N. Also the growth of the JVM's direct-buffer pool, where the UMP rings
 * live. Run by {@code bench/host} as a plain program, not under JMH: the figure is a size, not a time.
 *
 * <pre>
 *   java -cp ... dev.shoal.harness.bench.IdleCoreHeap [--cores 16,64,...] [--modes deterministic,live] [--runs 3]
 * </pre>
 *
 * <p>What is counted: everything the booted machine keeps reachable: the cores, their monitors, channel
 * endpoints, capability spaces, mapping databases, run queues and carrier {@code Thread} objects. Not counted: the
 * SKB, loaded before boot (as {@code shoal boot} does) and kept until after the second measurement, with whatever
 * it caches during boot; off-heap memory, i.e. the simulated physical memory, where boot's UMP rings live (the
 * direct-buffer column would show rings allocated as direct buffers); and the native stacks of live mode's carrier
 * threads.
 *
 * <p>Prints one line per boot and then a Markdown table (mean, min and max over the runs). Bad arguments give a
 * one-line error and exit code 2.
 */
public final class IdleCoreHeap
{
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(300);
    /** Host time allowed after boot for the last boot messages to be handled and the carriers to park. */
    private static final long SETTLE_MILLIS = 500;

    /** One boot's figures. */
    record Sample(String mode, int cores, long heapBytes, long directBytes)
    {
        double heapPerCore()
        {
            return (double)heapBytes / cores;
        }

        double directPerCore()
        {
            return (double)directBytes / cores;
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
            for (final int n : options.cores())
            {
                for (int run = 1; run <= options.runs(); run++)
                {
                    final Sample sample = measure(n, mode);
                    samples.add(sample);
                    System.out.printf(Locale.ROOT, "idle-heap %s cores=%d run=%d heapBytes=%d directBytes=%d " +
                        "heapPerCore=%.0f directPerCore=%.0f%n", mode, n, run, sample.heapBytes(),
                        sample.directBytes(), sample.heapPerCore(), sample.directPerCore());
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
     * Boots {@code cores} cores in {@code mode}, waits until they idle, measures, shuts down and measures again.
     * The figure is the used heap with the machine up minus the used heap once it is shut down and unreachable
     * (both after full GCs), so garbage or threads left over from an earlier boot in this JVM count on neither
     * side. Host thread.
     */
    static Sample measure(final int cores, final String mode) throws InterruptedException
    {
        final Skb skb = Skb.open(BootBenchmark.machineFor(cores));
        skb.topology();
        final long heapUp;
        final long directUp;
        MonitorSystem system = MonitorSystem.boot(
            MonitorConfig.builder(skb).cores(cores).runners(BootBenchmark.runnersFor(mode)).build(), BOOT_TIMEOUT);
        try
        {
            Thread.sleep(SETTLE_MILLIS);
            if (system.machine().startedCores() != cores)
            {
                throw new IllegalStateException("started " + system.machine().startedCores() + " cores, not " + cores);
            }
            heapUp = usedHeapAfterGc();
            directUp = directBytes();
        }
        finally
        {
            system.close();
        }
        system = null; // an interpreted frame would otherwise keep the machine reachable through this local
        final long heapDown = usedHeapAfterGc();
        final long directDown = directBytes();
        // The SKB stays reachable until here, so that it counts on neither side.
        Reference.reachabilityFence(skb);
        return new Sample(mode, cores, heapUp - heapDown, directUp - directDown);
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

    private static long directBytes()
    {
        long bytes = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                bytes += pool.getMemoryUsed();
            }
        }
        return bytes;
    }

    private static void printTable(final PrintStream out, final List<Sample> samples, final int runs)
    {
        out.println();
        out.println("| mode | cores | heap per idle core, bytes (mean of " + runs + ") | min | max | " +
            "direct buffers per core, bytes (mean) |");
        out.println("|---|---:|---:|---:|---:|---:|");
        for (int i = 0; i < samples.size(); i += runs)
        {
            final List<Sample> group = samples.subList(i, i + runs);
            final double mean = group.stream().mapToDouble(Sample::heapPerCore).average().orElseThrow();
            final double min = group.stream().mapToDouble(Sample::heapPerCore).min().orElseThrow();
            final double max = group.stream().mapToDouble(Sample::heapPerCore).max().orElseThrow();
            final double direct = group.stream().mapToDouble(Sample::directPerCore).average().orElseThrow();
            out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %,.0f | %,.0f |%n", group.get(0).mode(),
                group.get(0).cores(), mean, min, max, direct);
        }
    }
}
