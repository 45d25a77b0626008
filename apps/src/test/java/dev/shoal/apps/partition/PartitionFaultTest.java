package dev.shoal.apps.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.shoal.apps.CliProcesses;

/**
 * Faults of a partitioned run, with the coordinator in a process of its own and in this JVM: a killed worker
 * ends the run with one line naming the partition and its cores, a non-zero exit, no hang and no process left
 * behind (in this JVM: the host's wait fails, the CLI returns 1, and this JVM goes on); a worker of another Shoal version is refused with one line and exit 2. Every process is
 * stopped by pid in the end, whatever happened.
 */
class PartitionFaultTest
{
    private static final long BOUND_SECONDS = 120;

    @Test
    void shouldEndTheRunOnEveryPartitionWhenAWorkerIsKilled(@TempDir final Path dir) throws Exception
    {
        // A sweep long enough to be killed in the middle of.
        final Process coordinator = coordinator(dir, List.of(), "bench", "--machine", "numa:16x16", "--cores", "256",
            "--workload", "2pc", "--repeat", "200", "--quiet", "--out", dir.resolve("out").toString(),
            "--partitions", "2", "--partition-timeout", "5");
        final List<ProcessHandle> started = new ArrayList<>();
        try
        {
            final ProcessHandle worker = awaitWorker(coordinator);
            started.add(worker);
            awaitFile(dir.resolve("out"));
            assertTrue(worker.destroyForcibly());
            assertTrue(coordinator.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the coordinator hangs");
            final String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
            final List<String> lines = err.lines().filter(l -> l.startsWith("shoal:")).toList();
            assertEquals(1, lines.size(), err);
            assertTrue(lines.get(0).contains("partition 1 (cores 128-255)"), err);
            assertFalse(err.contains("\tat "), "a stack trace: " + err);
            assertTrue(coordinator.exitValue() != 0);
            assertFalse(worker.isAlive());
        }
        finally
        {
            stop(coordinator, started);
        }
    }

    @Test
    void shouldFailTheHostsWaitRatherThanEndTheJvmWhenAWorkerIsKilled(@TempDir final Path dir) throws Exception
    {
        // The coordinator in this JVM: a partition's failure must reach the host thread waiting on the machine as
        // an exception, and the CLI return 1, instead of the process ending (it would end this test's JVM).
        final List<Long> killed = new ArrayList<>();
        final Thread killer = Thread.ofPlatform().daemon(true).start(() ->
        {
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
                while (System.nanoTime() < deadline && (PartitionSession.current() == null ||
                    !Files.isDirectory(dir.resolve("out"))))
                {
                    Thread.sleep(50);
                }
                Thread.sleep(2_000);
                final PartitionSession session = PartitionSession.current();
                if (session != null)
                {
                    for (final long pid : session.workerPids())
                    {
                        killed.add(pid);
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        final Cli cli = Cli.run("bench", "--machine", "numa:16x16", "--cores", "256", "--workload", "2pc",
            "--repeat", "200", "--quiet", "--out", dir.resolve("out").toString(), "--partitions", "2",
            "--partition-timeout", "5");
        killer.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
        assertEquals(1, killed.size(), "no worker was killed: " + cli.err());
        assertEquals(1, cli.exit(), cli.err());
        final List<String> lines = cli.err().lines().filter(l -> l.startsWith("shoal:")).toList();
        assertEquals(1, lines.size(), cli.err());
        assertTrue(lines.get(0).contains("partition 1 (cores 128-255) died"), cli.err());
        assertFalse(cli.err().contains("\tat "), "a stack trace: " + cli.err());
        assertFalse(ProcessHandle.of(killed.get(0)).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(null, PartitionSession.current());
    }

    @Test
    void shouldRefuseAWorkerOfAnotherVersionWithOneLine(@TempDir final Path dir) throws Exception
    {
        final Process coordinator = coordinator(dir, List.of("-D" + PartitionSession.VERSION_PROPERTY + "=0.0.1"),
            "run", "unmap", "--machine", "numa:8x8", "--cores", "64", "--partitions", "2");
        final List<ProcessHandle> started = new ArrayList<>();
        try
        {
            coordinator.descendants().forEach(started::add);
            assertTrue(coordinator.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the coordinator hangs");
            final String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
            assertEquals(2, coordinator.exitValue(), err);
            final List<String> lines = err.lines().filter(l -> l.startsWith("shoal:")).toList();
            assertEquals(1, lines.size(), err);
            assertTrue(lines.get(0).contains("0.0.1") && lines.get(0).contains("refused"), err);
        }
        finally
        {
            stop(coordinator, started);
        }
    }

    /** The CLI in a JVM of its own, with this JVM's options and class path; stderr to dir/err. */
    private static Process coordinator(final Path dir, final List<String> jvmOptions, final String... args)
        throws IOException
    {
        final List<String> command = CliProcesses.command(jvmOptions, List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(dir.resolve("err").toFile()).start();
    }

    private static ProcessHandle awaitWorker(final Process coordinator) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (System.nanoTime() < deadline && coordinator.isAlive())
        {
            final Optional<ProcessHandle> child = coordinator.children().findFirst();
            if (child.isPresent())
            {
                return child.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no worker was started");
    }

    /** Waits until the sweep has begun writing (the machines run on both partitions then). */
    private static void awaitFile(final Path out) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (System.nanoTime() < deadline && !Files.isDirectory(out))
        {
            Thread.sleep(50);
        }
        Thread.sleep(2_000);
    }

    private static void stop(final Process coordinator, final List<ProcessHandle> others)
    {
        CliProcesses.stopAll(coordinator, others);
    }
}
