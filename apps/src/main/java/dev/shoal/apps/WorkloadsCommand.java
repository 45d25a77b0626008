package dev.shoal.apps;

import java.util.concurrent.Callable;

import dev.shoal.apps.bench.Workload;
import dev.shoal.apps.bench.Workloads;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code shoal workloads}: what {@code shoal bench --workload} and {@code shoal run} can run, one line each. */
@Command(name = "workloads", mixinStandardHelpOptions = true,
    description = "List the workloads of shoal bench and shoal run (yours too, with --classpath).")
final class WorkloadsCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    UserClassPath classPath;

    @Override
    public Integer call()
    {
        try (UserClassPath closing = classPath)
        {
            final ClassLoader loader = classPath.open();
            final var out = spec.commandLine().getOut();
            for (final Workload w : Workloads.load(loader).all())
            {
                final boolean own = w.getClass().getClassLoader() != ShoalCli.class.getClassLoader();
                out.printf("%-12s %s%s%n", w.name(), oneLine(w.description()), own ? " [" + w.getClass().getName() + "]" :
                    "");
            }
            return 0;
        }
    }

    /** A description as one line, whatever its author wrote. */
    static String oneLine(final String text)
    {
        return text == null ? "" : text.strip().replaceAll("\\s+", " ");
    }
}
