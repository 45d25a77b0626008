package dev.shoal.apps.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.apps.CliProcesses;

/** Misconfigured partitions: one line on stderr, exit 2, no stack trace, no worker left behind. */
class PartitionBadInputTest
{
    @Test
    void shouldRefureMorePartitionsThanPackages()
    {
        final Cli cli = Cli.run("run", "unmap", "--machine", "numa:2x2", "--cores", "4", "--partitions", "3");
        assertOneLine(cli, "more than the machine's 2 packages");
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "a worker left behind");
    }

    @Test
    void shouldRefuseToSplitAMachineWhoseInterconnectIsShared()
    {
        // amd-2x2's links have a bandwidth: every package's transfers queue on them, so it runs in one partition.
        final Cli cli = Cli.run("run", "unmap", "--machine", "amd-2x2", "--cores", "4", "--partitions", "2");
        assertOneLine(cli, "amd-2x2 models the occupancy of its links, buses or memory controllers, which all its " +
            "packages share, so it runs in one partition");
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "a worker left behind");
    }

    @Test
    void shouldRefuseAnUnsplittableMachineInOneLineFromTheWholeProcessTree() throws Exception
    {
        // In a process of its own, so that the workers' stderr, which they inherit, is read too: the machine is
        // refused before the workers hear of it, so only the coordinator says so.
        for (final String[] args : List.of(
            new String[] {"run", "unmap", "--machine", "amd-2x2", "--cores", "4", "--partitions", "2"},
            new String[] {"run", "unmap", "--machine", "numa:2x2", "--cores", "4", "--partitions", "3"}))
        {
            final Process p = new ProcessBuilder(CliProcesses.command(List.of(), List.of(args)))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + String.join(" ", args));
            assertEquals(2, p.exitValue(), err);
            assertEquals(1, err.lines().count(), err);
            CliProcesses.stopAll(p, new ArrayList<>());
        }
    }

    @Test
    void shouldRefuseAPartitionCountOutOfRange()
    {
        assertOneLine(Cli.run("run", "unmap", "--machine", "amd-2x2", "--partitions", "0"), "--partitions must be");
        assertOneLine(Cli.run("run", "unmap", "--machine", "amd-2x2", "--partitions", "65"), "--partitions must be");
    }

    @Test
    void shouldRefusePartitionsInLiveModeWithOrWithoutATimeline()
    {
        // A timeline is written partitioned (PartitionedRunTest) only by the exact engine, like everything else.
        assertOneLine(Cli.run("run", "unmap", "--machine", "amd-2x2", "--mode", "live", "--partitions", "2"),
            "--partitions needs --mode deterministic");
        assertOneLine(Cli.run("run", "unmap", "--machine", "amd-2x2", "--mode", "live", "--timeline", "t.json",
            "--partitions", "2"), "--partitions needs --mode deterministic");
    }

    @Test
    void shouldRefuseTheFullUnmapOverPartitions()
    {
        // The full unmap's host side reaches every core's memory and TLB: it runs in one JVM.
        assertOneLine(Cli.run("run", "unmap", "--machine", "amd-2x2", "--cores", "4", "--full", "--partitions", "2"),
            "--full runs in one JVM");
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "a worker left behind");
    }

    @Test
    void shouldRefuseAWorkerThatCannotReachItsCoordinator()
    {
        assertOneLine(Cli.run("worker", "--aeron-dir", "no-such-aeron-dir", "--partition", "1", "--partitions", "2"),
            "cannot reach the coordinator");
    }

    private static void assertOneLine(final Cli cli, final String expected)
    {
        assertEquals(2, cli.exit(), cli.err());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().contains(expected), cli.err());
    }
}
