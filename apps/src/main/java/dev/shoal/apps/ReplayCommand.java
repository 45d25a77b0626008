package dev.shoal.apps;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code shoal replay TRACE}: re-runs the command recorded in a trace file's header (a deterministic run) and
 * checks that the new run produces exactly the same events. Exit 0 when it does, 1 at the first divergence
 * (named by event number and both lines), 2 for a file that is not a Shoal trace.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Re-run a recorded deterministic run and check it reproduces the trace event for event.")
final class ReplayCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "TRACE", description = "A trace written with --mode deterministic --trace FILE.")
    Path trace;

    @Override
    public Integer call() throws IOException
    {
        if (trace.toString().isEmpty())
        {
            throw new BadInputException("replay needs a trace file, not the empty string");
        }
        if (Files.isDirectory(trace))
        {
            throw new BadInputException("cannot read trace file " + trace + ": it is a directory");
        }
        if (!Files.isReadable(trace))
        {
            throw new BadInputException("cannot read trace file " + trace);
        }
        final List<String> recorded = Files.readAllLines(trace, StandardCharsets.UTF_8);
        if (recorded.isEmpty() || !recorded.get(0).equals("# shoal trace v1"))
        {
            throw new BadInputException(trace + ":1: not a Shoal trace (expected '# shoal trace v1')");
        }
        final String argsLine = recorded.stream().filter(l -> l.startsWith("# args: ")).findFirst()
            .orElseThrow(() -> new BadInputException(trace + ": no '# args:' line"));
        final List<String> args = withoutTraceOption(argsLine.substring("# args: ".length()).split(" "));
        final Path fresh = Files.createTempFile("shoal-replay", ".trace");
        try
        {
            args.add("--trace");
            args.add(fresh.toString());
            final StringWriter sink = new StringWriter();
            final StringWriter errors = new StringWriter();
            final int exit = ShoalCli.execute(args.toArray(new String[0]), new PrintWriter(sink, true),
                new PrintWriter(errors, true));
            final var out = spec.commandLine().getOut();
            if (exit != 0)
            {
                out.println("replay failed: the recorded command exited " + exit + ": " +
                    ShoalCli.firstLine(errors.toString()));
                return ShoalCli.EXIT_FAILURE;
            }
            final List<String> expected = events(recorded);
            final List<String> actual = events(Files.readAllLines(fresh, StandardCharsets.UTF_8));
            for (int i = 0; i < Math.max(expected.size(), actual.size()); i++)
            {
                final String e = i < expected.size() ? expected.get(i) : "(end of trace)";
                final String a = i < actual.size() ? actual.get(i) : "(end of trace)";
                if (!e.equals(a))
                {
                    out.printf("replay diverged at event %d: recorded '%s', replayed '%s'%n", i + 1, e, a);
                    return ShoalCli.EXIT_FAILURE;
                }
            }
            out.printf("replay ok: %d events reproduced (%s)%n", expected.size(),
                recorded.stream().filter(l -> l.startsWith("# hash: ")).findFirst().orElse("# hash: ?").substring(2));
            return 0;
        }
        finally
        {
            Files.deleteIfExists(fresh);
        }
    }

    private static List<String> withoutTraceOption(final String[] args)
    {
        final List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals("--trace"))
            {
                i++;
            }
            else if (!args[i].startsWith("--trace="))
            {
                kept.add(args[i]);
            }
        }
        return kept;
    }

    private static List<String> events(final List<String> lines)
    {
        return lines.stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }
}
