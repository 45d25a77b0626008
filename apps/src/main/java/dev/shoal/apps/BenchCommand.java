package dev.shoal.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import dev.shoal.apps.bench.BenchReport;
import dev.shoal.apps.bench.BenchRunner;
import dev.shoal.apps.bench.Row;
import dev.shoal.apps.bench.UnmapWorkload;
import dev.shoal.apps.bench.UpdateWorkload;
import dev.shoal.apps.bench.Workload;
import dev.shoal.apps.bench.Workloads;
import dev.shoal.monitor.Interconnect;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal bench}: a scalability sweep. For each workload, core count, variant and repeat it boots a fresh
 * machine and measures; it writes a CSV per workload, {@code summary.md} and a PNG and an SVG plot per metric into
 * {@code --out}. Progress goes to stderr, one line per step. The workloads are those {@link Workloads} finds: the
 * built-in ones and a user's from {@code --classpath}, handled alike.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Scalability sweep over core counts: CSV, Markdown summary and plots (PNG, SVG).")
final class BenchCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--machine", defaultValue = "amd-8x4", description = "Machine (default ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--cores", defaultValue = "2,4,8,16,32", split = ",",
        description = "Core counts, comma-separated (default ${DEFAULT-VALUE}).")
    int[] cores;

    @Option(names = "--workload", required = true, split = ",",
        description = "Workloads, comma-separated: unmap, boot, urpc, lrpc, 2pc, revoke, nameservice, shm, msg, or " +
            "your own " +
            "(--classpath; shoal workloads lists them).")
    List<String> workloads;

    @Option(names = "--strategy", defaultValue = "all",
        description = "unmap: unicast, broadcast, multicast, numa-multicast or all, comma-separated " +
            "(default ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--lines", defaultValue = "1,2,4,8", split = ",",
        description = "shm, msg: cache lines per update, comma-separated, 1..64 (default ${DEFAULT-VALUE}).")
    int[] lines;

    @Option(names = "--repeat", defaultValue = "1", description = "Repeats of every step (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--out", description = "Output directory (default results/<timestamp>).")
    Path out;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @CommandLine.Mixin
    ModeOptions mode;

    @CommandLine.Mixin
    UserClassPath classPath;

    @Override
    public Integer call() throws Exception
    {
        try (UserClassPath closing = classPath)
        {
            return sweep(Workloads.load(classPath.open()));
        }
    }

    private Integer sweep(final Workloads available) throws Exception
    {
        if (repeat < 1)
        {
            throw new BadInputException("--repeat must be at least 1: " + repeat);
        }
        if (cores == null || cores.length == 0)
        {
            throw new BadInputException("--cores needs at least one core count");
        }
        if (workloads == null || workloads.stream().allMatch(String::isBlank))
        {
            throw new BadInputException("--workload needs at least one of " + String.join(", ", available.names()));
        }
        final boolean deterministic = mode.defaultTo("deterministic").deterministic();
        mode.openTimeline();
        final List<Workload> selected = new ArrayList<>();
        for (final String w : workloads)
        {
            final Workload found = available.find(w);
            // --strategy picks the lines of unmap's plots, --lines those of shm and msg; the other workloads
            // measure all their variants.
            selected.add(switch (found)
            {
                case UnmapWorkload u -> new UnmapWorkload(strategies());
                case UpdateWorkload.Shm s -> new UpdateWorkload.Shm(lines());
                case UpdateWorkload.Msg m -> new UpdateWorkload.Msg(lines());
                default -> found;
            });
        }
        final Skb skb = Skb.open(machine);
        final int[] counts = Arrays.stream(cores).distinct().sorted().toArray();
        for (final int n : counts)
        {
            if (n < 1 || n > skb.coreCount())
            {
                throw new BadInputException("--cores values must be 1.." + skb.coreCount() + " on " +
                    skb.machineName() + ": " + n);
            }
        }
        final Path dir = outputDirectory(out != null ? out :
            Path.of("results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        final List<String> args = spec.commandLine().getParseResult().originalArgs();
        final BenchRunner runner = new BenchRunner(skb, counts, selected, repeat, mode.mode(),
            () -> mode.runners(args), quiet ? null : spec.commandLine().getErr());
        final List<Row> rows = runner.run();
        mode.finish();
        final String header = "# shoal bench on " + skb.machineName() + "\n\n" +
            "Command: `shoal " + String.join(" ", args) + "`\n\n" +
            "Mode: " + (deterministic ? "deterministic: the exact engine, seed " + mode.seed + ", " +
            (Interconnect.modelled(skb.topology()) ? "one host thread (the machine's interconnect is shared: one " +
                "partition)" : mode.threads() + " host threads requested") +
            (mode.jitter > 0 ? ", jitter " + mode.jitter + " cycles" : "") :
            "live: host-paced, cycle figures approximate wherever messages contend") + "; " + repeat +
            " repeat" + (repeat == 1 ? "" : "s") + " of every step, each on a freshly booted machine. " +
            "Cycle figures are simulated (core clocks); ms, us and ns are host time. A p99 in brackets is shown " +
            "where the repeats differ.\n";
        BenchReport.write(dir, rows, header);
        if (!quiet)
        {
            spec.commandLine().getErr().println("results in " + dir);
        }
        spec.commandLine().getOut().println(dir);
        return 0;
    }

    /**
     * Creates the output directory before the sweep, so that a path that cannot hold the results is bad input at
     * once rather than an exception after a sweep of many minutes.
     */
    static Path outputDirectory(final Path dir)
    {
        if (dir.toString().isEmpty())
        {
            throw new BadInputException("--out must name a directory, not the empty string");
        }
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent())
        {
            if (Files.exists(p) && !Files.isDirectory(p))
            {
                throw new BadInputException("--out " + dir + ": " + p + " is a file, not a directory");
            }
        }
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new BadInputException("--out " + dir + ": cannot create the directory: " + ModeOptions.reason(ex));
        }
        if (!Files.isWritable(dir))
        {
            throw new BadInputException("--out " + dir + ": the directory is not writable");
        }
        return dir;
    }

    private List<Integer> lines()
    {
        if (lines == null || lines.length == 0)
        {
            throw new BadInputException("--lines needs at least one number of lines");
        }
        final List<Integer> out = new ArrayList<>();
        for (final int n : Arrays.stream(lines).distinct().sorted().toArray())
        {
            if (n < 1 || n > 64)
            {
                throw new BadInputException("--lines values must be 1..64: " + n);
            }
            out.add(n);
        }
        return out;
    }

    private List<ShootdownStrategy> strategies()
    {
        if ("all".equalsIgnoreCase(strategy.strip()))
        {
            return List.of(ShootdownStrategy.values());
        }
        final List<ShootdownStrategy> out = new ArrayList<>();
        for (final String s : strategy.split(","))
        {
            out.add(ShootdownStrategy.parse(s.strip()));
        }
        return out;
    }
}
