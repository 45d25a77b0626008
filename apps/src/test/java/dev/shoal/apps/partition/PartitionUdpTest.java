package dev.shoal.apps.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.shoal.apps.CliProcesses;

/**
 * A machine spread over JVMs that find each other over UDP (as across hosts), on the loopback address only: the
 * coordinator listens, workers join (one at 64 cores; three for boot, unmap and 2pc at 256 cores); the result is the
 * single JVM's. A port in use and a coordinator nobody
 * answers at are one line and exit 2.
 */
class PartitionUdpTest
{
    @Test
    void shouldGiveTheSingleJvmResultWhenAWorkerJoinsOverUdp() throws Exception
    {
        final int port = freePort();
        final Cli single = Cli.run("run", "unmap", "--machine", "numa:8x8", "--cores", "64", "--json");
        final CompletableFuture<Cli> coordinator = CompletableFuture.supplyAsync(() -> Cli.run("run", "unmap",
            "--machine", "numa:8x8", "--cores", "64", "--json", "--partitions", "2", "--listen",
            Integer.toString(port)));
        final Process worker = java("worker", "--join", "127.0.0.1:" + port);
        try
        {
            final Cli split = coordinator.get(120, TimeUnit.SECONDS);
            assertEquals(0, split.exit(), split.err());
            assertEquals(single.out(), split.out());
            assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker did not leave");
            assertEquals(0, worker.exitValue());
        }
        finally
        {
            worker.destroyForcibly();
            worker.waitFor(10, TimeUnit.SECONDS);
            assertFalse(worker.isAlive());
        }
    }

    @Test
    void shouldGiveTheSingleJvmCyclesForBootUnmapAndTwoPhaseCommitAt256CoresWithThreeWorkersOverUdp(
        @TempDir final Path dir) throws Exception
    {
        final int port = freePort();
        final List<String> common = List.of("bench", "--machine", "numa:16x16", "--cores", "256", "--workload",
            "boot,unmap,2pc", "--strategy", "multicast,numa-multicast", "--quiet", "--out");
        final Cli single = Cli.run(PartitionedRunTest.args(common, dir.resolve("single").toString()));
        assertEquals(0, single.exit(), single.err());
        final CompletableFuture<Cli> coordinator = CompletableFuture.supplyAsync(() -> Cli.run(PartitionedRunTest.args(common,
            dir.resolve("udp").toString(), "--partitions", "4", "--listen", Integer.toString(port))));
        final List<Process> workers = new ArrayList<>();
        try
        {
            for (int w = 0; w < 3; w++)
            {
                workers.add(java("worker", "--join", "127.0.0.1:" + port));
            }
            final Cli split = coordinator.get(180, TimeUnit.SECONDS);
            assertEquals(0, split.exit(), split.err());
            for (final String workload : List.of("boot", "unmap", "2pc"))
            {
                final List<String> expected =
                    PartitionedRunTest.simulated(dir.resolve("single").resolve(workload + ".csv"));
                assertTrue(expected.size() > 2, workload + ": " + expected);
                assertEquals(expected, PartitionedRunTest.simulated(dir.resolve("udp").resolve(workload + ".csv")),
                    workload);
            }
            for (final Process worker : workers)
            {
                assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "a worker did not leave");
                assertEquals(0, worker.exitValue());
            }
        }
        finally
        {
            for (final Process worker : workers)
            {
                worker.destroyForcibly();
                worker.waitFor(10, TimeUnit.SECONDS);
                assertFalse(worker.isAlive());
            }
        }
    }

    @Test
    void shouldRefuseAPortInUse() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Cli cli = Cli.run("run", "unmap", "--machine", "numa:8x8", "--cores", "64", "--partitions", "2",
                "--listen", Integer.toString(taken.getLocalPort()));
            assertEquals(2, cli.exit(), cli.err());
            assertEquals(1, cli.err().lines().count(), cli.err());
            assertTrue(cli.err().contains("in use"), cli.err());
        }
    }

    @Test
    void shouldRefuseToJoinACoordinatorThatDoesNotAnswer() throws Exception
    {
        final Cli cli = Cli.run("worker", "--join", "127.0.0.1:" + freePort(), "--timeout-ms", "1000");
        assertEquals(2, cli.exit(), cli.err());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().contains("cannot reach the coordinator"), cli.err());
    }

    private static int freePort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
    }

    /** The CLI in a JVM of its own with this JVM's options and class path. */
    private static Process java(final String... args) throws IOException
    {
        return new ProcessBuilder(CliProcesses.command(List.of(), List.of(args)))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
