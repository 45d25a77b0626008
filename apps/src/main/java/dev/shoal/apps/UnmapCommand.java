package dev.shoal.apps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal run unmap}: the TLB shootdown of an unmap, per core count and strategy, in simulated cycles (the
 * Multikernel paper's Figure 6); with {@code --full}, the whole unmap as an application sees it (its Figure 7: the
 * page-table change, the call into the local monitor, the shootdown and the reply; {@link FullUnmap}). Every run
 * boots a fresh machine; by default on the exact engine, whose figures do not depend on the host, the seed or the
 * threads.
 */
@Command(name = "unmap", mixinStandardHelpOptions = true,
    description = "TLB shootdown (or, with --full, whole unmap) latency per core count and strategy, in simulated " +
        "cycles.")
final class UnmapCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--machine", defaultValue = "amd-8x4", description = "Machine (default ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--cores", defaultValue = "2,4,8,16,32", split = ",",
        description = "Core counts, comma-separated (default ${DEFAULT-VALUE}).")
    int[] cores;

    @Option(names = "--strategy", defaultValue = "all",
        description = "unicast, broadcast, multicast, numa-multicast or all (default ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--full", description = "Measure the whole unmap from an application on core 0 (the page-table " +
        "change, its call into its monitor, the shootdown, the reply) instead of the shootdown alone.")
    boolean full;

    @CommandLine.Mixin
    ModeOptions mode;

    /** One measured point. */
    record Point(int cores, ShootdownStrategy strategy, long latencyCycles, int messages)
    {
    }

    @Override
    public Integer call() throws Exception
    {
        if (cores == null || cores.length == 0)
        {
            throw new BadInputException("--cores needs at least one core count");
        }
        mode.defaultTo("deterministic").deterministic();
        final List<ShootdownStrategy> strategies = "all".equalsIgnoreCase(strategy) ?
            List.of(ShootdownStrategy.values()) : List.of(ShootdownStrategy.parse(strategy));
        final Skb skb = Skb.open(machine);
        for (final int n : cores)
        {
            if (n < 2 || n > skb.coreCount())
            {
                throw new BadInputException("--cores values must be 2.." + skb.coreCount() + " on " +
                    skb.machineName() + ": " + n);
            }
        }
        if (full && mode.partitions != null && mode.partitions > 1)
        {
            throw new BadInputException("--full runs in one JVM: leave out --partitions");
        }
        final List<String> args = spec.commandLine().getParseResult().originalArgs();
        final List<Point> points = full ? FullUnmap.measure(skb, cores, strategies, () -> mode.runners(args)) :
            measure(skb, cores, strategies, () -> mode.runners(args));
        mode.finish();
        final var out = spec.commandLine().getOut();
        if (json)
        {
            out.println(new Json()
                .put("status", "ok")
                .put("machine", skb.machineName())
                .put("measures", full ? "full unmap" : "shootdown")
                .put("engine", mode.engine())
                .put("traceHash", mode.traceHash())
                .putRaw("results", points.stream()
                    .map(p -> new Json().put("cores", p.cores()).put("strategy", p.strategy().cliName())
                        .put("latencyCycles", p.latencyCycles()).put("messages", p.messages()).toString())
                    .collect(Collectors.joining(",", "[", "]"))));
        }
        else
        {
            out.println(table((full ? "Full unmap" : "TLB shootdown") + " latency on " + skb.machineName(), points,
                strategies));
        }
        return 0;
    }

    /**
     * Boots a fresh machine for each core count and shoots down one page with each strategy, twice from core 0: the
     * first round sets up what that strategy's channels need, the second is measured — the steady state the paper's
     * figure averages. (One machine per core count, not per strategy: a partitioned run gathers the other JVMs'
     * trace hashes for one machine per session.)
     */
    static List<Point> measure(final Skb skb, final int[] coreCounts, final List<ShootdownStrategy> strategies,
        final java.util.function.Supplier<dev.shoal.kernel.RunnerFactory> runners) throws Exception
    {
        final List<Point> points = new ArrayList<>();
        for (final int n : coreCounts)
        {
            final ShootdownOperation shootdown = new ShootdownOperation();
            final MonitorConfig config = MonitorConfig.builder(skb).cores(n).operation(shootdown)
                .runners(runners.get()).build();
            try (MonitorSystem system = MonitorSystem.boot(config, HostBound.of(60, n)))
            {
                for (final ShootdownStrategy s : strategies)
                {
                    final ShootdownOperation.Result r = shootdown.steadyFromCoreZero(system, s, HostBound.of(60, n));
                    points.add(new Point(n, s, r.latencyCycles(), r.messages()));
                }
            }
        }
        return points;
    }

    static String table(final String title, final List<Point> points, final List<ShootdownStrategy> strategies)
    {
        final StringBuilder out = new StringBuilder();
        out.append(title).append(" (simulated cycles)\n");
        out.append(String.format("%6s", "cores"));
        strategies.forEach(s -> out.append(String.format(" %15s", s.cliName())));
        out.append('\n');
        final int[] counts = points.stream().mapToInt(Point::cores).distinct().toArray();
        for (final int n : counts)
        {
            out.append(String.format("%6d", n));
            for (final ShootdownStrategy s : strategies)
            {
                final long v = points.stream().filter(p -> p.cores() == n && p.strategy() == s)
                    .mapToLong(Point::latencyCycles).findFirst().orElse(-1);
                out.append(String.format(" %15d", v));
            }
            out.append('\n');
        }
        return out.toString().stripTrailing();
    }

    @Override
    public String toString()
    {
        return "unmap " + Arrays.toString(cores);
    }
}
