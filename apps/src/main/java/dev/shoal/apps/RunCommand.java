package dev.shoal.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.shoal.apps.bench.Row;
import dev.shoal.apps.bench.Sample;
import dev.shoal.apps.bench.Workload;
import dev.shoal.apps.bench.Workloads;
import dev.shoal.skb.Skb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shoal run NAME}: the bundled applications ({@code pingpong}, {@code unmap}, {@code kv} have commands of
 * their own), and any workload {@code shoal bench} knows — built-in or a user's from {@code --classpath} — run
 * once at one core count: every variant on a freshly booted machine, as one step of a sweep.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a bundled application, or one step of any workload (yours with --classpath).",
    subcommands = {PingPongCommand.class, UnmapCommand.class, dev.shoal.apps.kv.KvCommand.class})
final class RunCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "WORKLOAD",
        description = "pingpong, unmap, kv, or a workload of shoal workloads (e.g. boot, 2pc, census).")
    String workload;

    @Option(names = "--machine", defaultValue = "amd-8x4", description = "Machine (default ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--cores", defaultValue = "8", description = "Cores to boot (default ${DEFAULT-VALUE}).")
    int cores;

    @Option(names = "--variant", description = "Only this variant (default: every variant of the workload).")
    String variant;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @CommandLine.Mixin
    ModeOptions mode;

    @CommandLine.Mixin
    UserClassPath classPath;

    @Override
    public Integer call() throws Exception
    {
        if (workload == null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "missing workload: pingpong, unmap, kv or one that shoal workloads lists");
        }
        try (UserClassPath closing = classPath)
        {
            return run(Workloads.load(classPath.open()).find(workload));
        }
    }

    private Integer run(final Workload w) throws Exception
    {
        mode.defaultTo("deterministic").deterministic();
        final Skb skb = Skb.open(machine);
        if (cores < Math.max(1, w.minCores()) || cores > skb.coreCount())
        {
            throw new BadInputException("--cores must be " + Math.max(1, w.minCores()) + ".." + skb.coreCount() +
                " for " + w.name() + " on " + skb.machineName() + ": " + cores);
        }
        final List<String> variants = w.variants(skb, cores);
        if (variant != null && !variants.contains(variant))
        {
            throw new BadInputException("--variant " + variant + ": " + w.name() + " at " + cores + " cores has " +
                String.join(", ", variants));
        }
        final List<String> args = spec.commandLine().getParseResult().originalArgs();
        final List<Row> rows = new ArrayList<>();
        final List<Boolean> simulated = new ArrayList<>();
        for (final String v : variant != null ? List.of(variant) : variants)
        {
            for (final Sample s : Workloads.checked(w, v, w.measure(skb, cores, v, () -> mode.runners(args))))
            {
                rows.add(new Row(w.name(), skb.machineName(), mode.mode(), cores, v, s.metric(), s.unit(), "1",
                    s.value()));
                simulated.add(s.simulated());
            }
        }
        mode.finish();
        final var out = spec.commandLine().getOut();
        if (json)
        {
            final List<String> results = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++)
            {
                final Row r = rows.get(i);
                results.add(new Json().put("variant", r.variant()).put("metric", r.metric()).put("unit", r.unit())
                    .put("value", Double.isFinite(r.value()) ? r.value() : null).put("simulated", simulated.get(i))
                    .toString());
            }
            out.println(new Json().put("status", "ok").put("workload", w.name()).put("machine", skb.machineName())
                .put("cores", cores).put("mode", mode.mode()).put("engine", mode.engine())
                .put("seed", mode.deterministic() ? mode.seed : null).put("traceHash", mode.traceHash())
                .putRaw("results", results.stream().collect(Collectors.joining(",", "[", "]"))));
            return 0;
        }
        out.printf("%s on %s, %d cores, %s%n", w.name(), skb.machineName(), cores, mode.deterministic() ?
            "exact engine, seed " + mode.seed + (mode.traceHash() != null ? ", trace hash " + mode.traceHash() : "") :
            "live mode (cycle figures approximate where messages contend)");
        final int width = Math.max(7, rows.stream().mapToInt(r -> r.variant().length()).max().orElse(0));
        final int metricWidth = Math.max(6, rows.stream().mapToInt(r -> r.metric().length()).max().orElse(0));
        out.printf("%-" + width + "s  %-" + metricWidth + "s  %14s  %s%n", "variant", "metric", "value", "unit");
        for (final Row r : rows)
        {
            out.printf("%-" + width + "s  %-" + metricWidth + "s  %14s  %s%n", r.variant(), r.metric(),
                Row.format(r.value()), r.unit());
        }
        return 0;
    }
}
