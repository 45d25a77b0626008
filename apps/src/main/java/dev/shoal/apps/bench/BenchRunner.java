package dev.shoal.apps.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.skb.Skb;

/**
 * Runs a sweep: for each workload, core count, variant and repeat one step on a fresh machine. Returns the raw
 * rows and, per (workload, cores, variant, metric), the median and p99 over the repeats.
 */
public final class BenchRunner
{
    private final Skb skb;
    private final int[] coreCounts;
    private final List<Workload> workloads;
    private final int repeats;
    private final String mode;
    private final Supplier<RunnerFactory> runners;
    private final PrintWriter progress;

    /** {@code progress} may be null (quiet). */
    public BenchRunner(final Skb skb, final int[] coreCounts, final List<Workload> workloads, final int repeats,
        final String mode, final Supplier<RunnerFactory> runners, final PrintWriter progress)
    {
        this.skb = skb;
        this.coreCounts = coreCounts.clone();
        this.workloads = List.copyOf(workloads);
        this.repeats = repeats;
        this.mode = mode;
        this.runners = runners;
        this.progress = progress;
    }

    private record Step(Workload workload, int cores, String variant, int repeat)
    {
    }

    public List<Row> run() throws Exception
    {
        final List<Step> steps = new ArrayList<>();
        for (final Workload w : workloads)
        {
            for (final int n : coreCounts)
            {
                if (n < w.minCores())
                {
                    note("skipping " + w.name() + " at " + n + " core" + (n == 1 ? "" : "s") + ": needs at least " +
                        w.minCores());
                    continue;
                }
                for (final String v : w.variants(skb, n))
                {
                    for (int r = 1; r <= repeats; r++)
                    {
                        steps.add(new Step(w, n, v, r));
                    }
                }
            }
        }
        final List<Row> rows = new ArrayList<>();
        int done = 0;
        for (final Step s : steps)
        {
            done++;
            final List<Sample> samples = Workloads.checked(s.workload(), s.variant(),
                s.workload().measure(skb, s.cores(), s.variant(), runners));
            for (final Sample x : samples)
            {
                rows.add(new Row(s.workload().name(), skb.machineName(), mode, s.cores(), s.variant(), x.metric(),
                    x.unit(), Integer.toString(s.repeat()), x.value()));
            }
            final Sample head = samples.getFirst();
            note(String.format("[%d/%d] %s %s %d cores%s ... %s %s", done, steps.size(), s.workload().name(),
                s.variant().equals(s.workload().name()) ? "at" : s.variant(), s.cores(), repeats > 1 ? " (repeat " + s.repeat() + ")" : "", Row.format(head.value()),
                head.unit()));
        }
        return withStatistics(rows);
    }

    private void note(final String line)
    {
        if (progress != null)
        {
            progress.println(line);
            progress.flush();
        }
    }

    /** The raw rows followed, for each series point, by its median and p99 rows. */
    static List<Row> withStatistics(final List<Row> raw)
    {
        final List<Row> out = new ArrayList<>(raw);
        final java.util.Map<String, List<Row>> groups = new java.util.LinkedHashMap<>();
        for (final Row r : raw)
        {
            groups.computeIfAbsent(String.join("\u0000", r.workload(), Integer.toString(r.cores()), r.variant(),
                r.metric()), k -> new ArrayList<>()).add(r);
        }
        for (final List<Row> g : groups.values())
        {
            final double[] v = g.stream().mapToDouble(Row::value).sorted().toArray();
            final Row first = g.getFirst();
            out.add(new Row(first.workload(), first.machine(), first.mode(), first.cores(), first.variant(),
                first.metric(), first.unit(), "median", median(v)));
            out.add(new Row(first.workload(), first.machine(), first.mode(), first.cores(), first.variant(),
                first.metric(), first.unit(), "p99", percentile(v, 0.99)));
        }
        return out;
    }

    static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(final double[] sorted, final double p)
    {
        final int rank = (int)Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    @Override
    public String toString()
    {
        return "bench " + Arrays.toString(coreCounts);
    }
}
