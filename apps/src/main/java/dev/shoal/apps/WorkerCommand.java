package dev.shoal.apps;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.shoal.apps.partition.AeronPartitionLink;
import dev.shoal.apps.partition.PartitionSession;
import dev.shoal.apps.partition.PartitionWorker;
import io.aeron.Aeron;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code shoal worker}: one partition of a machine spread over several JVMs (docs/partitions.md). On one host the
 * coordinator ({@code --partitions P}) starts its workers itself with {@code --aeron-dir}; across hosts a worker
 * joins a coordinator started with {@code --partitions P --listen PORT} by {@code --join HOST:PORT} (UDP).
 */
@Command(name = "worker", description = "Carry one partition of a machine for a coordinator: --join HOST:PORT " +
    "(the coordinator runs with --partitions P --listen PORT; see docs/partitions.md).")
final class WorkerCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    /** The coordinator's --classpath on this host (set by the coordinator when it starts its workers). */
    @picocli.CommandLine.Mixin
    UserClassPath classPath;

    @Option(names = "--join", description = "The coordinator's HOST:PORT (UDP, across hosts).")
    String join;

    @Option(names = "--aeron-dir", description = "The coordinator's Aeron directory (one host; set by the " +
        "coordinator when it starts its workers).")
    Path aeronDir;

    @Option(names = "--partition", description = "This worker's partition, 1..P-1 (with --aeron-dir).")
    int partition;

    @Option(names = "--partitions", description = "Partitions in all (with --aeron-dir).")
    int partitions;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "How long the coordinator may be silent.")
    long timeoutMillis;

    @Override
    public Integer call() throws Exception
    {
        try (UserClassPath opened = classPath)
        {
            opened.open();
            return work();
        }
    }

    private Integer work() throws Exception
    {
        final PrintWriter err = spec.commandLine().getErr();
        if ((join == null) == (aeronDir == null))
        {
            throw new BadInputException("worker needs either --join HOST:PORT or --aeron-dir DIR");
        }
        if (timeoutMillis < 100 || timeoutMillis > 3_600_000)
        {
            throw new BadInputException("--timeout-ms must be 100..3600000: " + timeoutMillis);
        }
        if (join != null)
        {
            return PartitionWorker.joinOverUdp(join, timeoutMillis, err);
        }
        if (partitions < 2 || partitions > 64 || partition < 1 || partition >= partitions)
        {
            throw new BadInputException("worker needs 2 <= --partitions <= 64 and 1 <= --partition < partitions");
        }
        if (!Files.isDirectory(aeronDir))
        {
            throw new BadInputException("cannot reach the coordinator: no Aeron directory " + aeronDir);
        }
        try (Aeron aeron = PartitionWorker.connect(aeronDir.toString());
            AeronPartitionLink link = new AeronPartitionLink(aeron, partition, partitions,
                p -> PartitionSession.IPC_CHANNEL, timeoutMillis, PartitionWorker.exitOnFailure(err)))
        {
            return new PartitionWorker(link, err).run();
        }
    }
}
