package dev.shoal.apps;

import java.io.PrintWriter;

import dev.shoal.kernel.JvmOptions;
import dev.shoal.kernel.VirtualThreads;
import dev.shoal.skb.MachineDescriptionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar shoal.jar}: boot a simulated multikernel, list machines, run workloads.
 *
 * <p>Exit codes: 0 success; 2 bad input (arguments, machine descriptions, a missing JVM option, a malformed
 * services file) with one line on stderr naming the problem; 1 a failure of the simulation itself.
 */
@Command(name = "shoal", mixinStandardHelpOptions = true, version = "shoal 0.1.0",
    description = "A Barrelfish-style multikernel simulated on the JVM.",
    subcommands = {BootCommand.class, MachinesCommand.class, RunCommand.class, ReplayCommand.class, BenchCommand.class,
        WorkloadsCommand.class, ProtocolCommand.class, ValidateCommand.class, WorkerCommand.class})
public final class ShoalCli implements Runnable
{
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: boot, machines, run, bench, workloads, protocol or replay");
    }

    public static void main(final String[] args)
    {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. */
    public static int execute(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine cli = new CommandLine(new ShoalCli());
        cli.setOut(out);
        cli.setErr(err);
        AsciiNumbers.register(cli);
        cli.setParameterExceptionHandler((ex, arguments) ->
        {
            err.println("shoal: " + firstLine(ex.getMessage()));
            return EXIT_BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            if (dev.shoal.apps.partition.PartitionSession.failure() != null)
            {
                // A partition failed and the host's wait was cut short: that failure, not how the wait ended.
                err.println(partitionFailure());
                return EXIT_FAILURE;
            }
            if (ex instanceof BadInputException || ex instanceof MachineDescriptionException ||
                ex instanceof IllegalArgumentException)
            {
                err.println("shoal: " + firstLine(ex.getMessage()));
                return EXIT_BAD_INPUT;
            }
            // An I/O failure during a run (a disk that fills up) is named by its message, which names the file.
            err.println("shoal: " + firstLine(ex instanceof java.io.UncheckedIOException ? ex.getMessage() :
                String.valueOf(ex)));
            return EXIT_FAILURE;
        });
        if (JvmOptions.missing() != null)
        {
            err.println("shoal: " + JvmOptions.missing());
            return EXIT_BAD_INPUT;
        }
        if (VirtualThreads.unavailableReason() != null)
        {
            err.println("shoal: " + VirtualThreads.unavailableReason());
            return EXIT_FAILURE;
        }
        try
        {
            final int exit = cli.execute(args);
            if (exit == 0 && dev.shoal.apps.partition.PartitionSession.failure() != null)
            {
                err.println(partitionFailure());
                return EXIT_FAILURE;
            }
            return exit;
        }
        finally
        {
            if (dev.shoal.apps.partition.PartitionSession.failure() != null)
            {
                // The session interrupted this thread to end its wait; closing it waits again.
                Thread.interrupted();
            }
            dev.shoal.apps.partition.PartitionSession.closeCurrent();
            dev.shoal.apps.partition.PartitionSession.clearFailure();
            ModeOptions.closeUnfinished();
        }
    }

    private static String partitionFailure()
    {
        return "shoal: " + dev.shoal.apps.partition.PartitionSession.failure() + "; the run ends on every partition";
    }

    static String firstLine(final String message)
    {
        if (message == null)
        {
            return "unknown error";
        }
        final int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
