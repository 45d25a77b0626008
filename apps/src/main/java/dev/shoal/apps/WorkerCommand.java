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
 * coordinator ({@code --partitions P}) starts its workers itself with {@code --aeron-dir}; a user never needs to.
 */
@Command(name = "worker", description = "Carry one partition of a machine for a coordinator (started by " +
    "--partitions on the coordinator; see docs/partitions.md).")
final class WorkerCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--aeron-dir", required = true, description = "The coordinator's Aeron directory (one host).")
    Path aeronDir;

    @Option(names = "--partition", required = true, description = "This worker's partition, 1..P-1.")
    int partition;

    @Option(names = "--partitions", required = true, description = "Partitions in all.")
    int partitions;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "How long the coordinator may be silent.")
    long timeoutMillis;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter err = spec.commandLine().getErr();
        if (partitions < 2 || partitions > 127 || partition < 1 || partition >= partitions || timeoutMillis < 100)
        {
            throw new BadInputException("worker needs 2 <= --partitions <= 127, 1 <= --partition < partitions and " +
                "--timeout-ms >= 100");
        }
        if (!Files.isDirectory(aeronDir))
        {
            throw new BadInputException("cannot reach the coordinator: no Aeron directory " + aeronDir);
        }
        try (Aeron aeron = PartitionWorker.connect(aeronDir.toString());
            AeronPartitionLink link = new AeronPartitionLink(aeron, partition, partitions,
                p -> PartitionSession.IPC_CHANNEL, timeoutMillis, line ->
                {
                    err.println("shoal worker: " + line);
                    err.flush();
                    Thread.ofPlatform().start(() -> System.exit(1));
                }))
        {
            return new PartitionWorker(link, err).run();
        }
    }
}
