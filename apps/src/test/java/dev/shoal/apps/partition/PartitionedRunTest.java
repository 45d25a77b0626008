package dev.shoal.apps.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine spread over 2 and 4 JVMs (Aeron IPC on this host) gives the single JVM's trace hash and every cycle
 * figure: boot, unmap and 2pc at 64 and 256 cores. The workers are real processes started by the coordinator.
 */
class PartitionedRunTest
{
    @Test
    void shouldGiveTheSingleJvmHashAndCyclesForUnmapOnTwoPartitions()
    {
        final Cli single = Cli.run("run", "unmap", "--machine", "numa:8x8", "--cores", "64", "--json");
        final Cli split = Cli.run("run", "unmap", "--machine", "numa:8x8", "--cores", "64", "--json",
            "--partitions", "2");
        assertEquals(0, single.exit(), single.err());
        assertEquals(0, split.exit(), split.err());
        assertTrue(single.out().contains("\"traceHash\""), single.out());
        assertEquals(single.out(), split.out());
    }

    @Test
    void shouldGiveTheSingleJvmCyclesForBootUnmapAndTwoPhaseCommitAt256CoresOnTwoAndFourPartitions(
        @TempDir final Path dir) throws IOException
    {
        final List<String> common = List.of("bench", "--machine", "numa:16x16", "--cores", "64,256", "--workload",
            "boot,unmap,2pc", "--strategy", "multicast,numa-multicast", "--quiet", "--out");
        for (final String p : List.of("1", "2", "4"))
        {
            final Cli cli = Cli.run(args(common, dir.resolve("p" + p).toString(), "--partitions", p));
            assertEquals(0, cli.exit(), cli.err());
        }
        for (final String workload : List.of("boot", "unmap", "2pc"))
        {
            final List<String> expected = simulated(dir.resolve("p1").resolve(workload + ".csv"));
            assertTrue(expected.size() > 4, workload + ": " + expected);
            assertEquals(expected, simulated(dir.resolve("p2").resolve(workload + ".csv")), workload + " on 2");
            assertEquals(expected, simulated(dir.resolve("p4").resolve(workload + ".csv")), workload + " on 4");
        }
    }

    @Test
    void shouldRunAJobOnTheLastCoreFromTheCoordinatorWithTheSingleJvmsHashAndFigures()
    {
        // census's dispatcher variant runs a job on the last core, in the last partition: the job travels there as
        // bytes and its answer comes back; its host variant runs on core 0. Two machines in one run: the workers'
        // trace hashes go on from one machine to the next as the coordinator's do.
        final List<String> common = List.of("run", "census", "--machine", "numa:4x8", "--cores", "32", "--json");
        final Cli single = Cli.run(common.toArray(String[]::new));
        assertEquals(0, single.exit(), single.err());
        assertTrue(single.out().contains("\"variant\":\"dispatcher\""), single.out());
        for (final String p : List.of("2", "4"))
        {
            final Cli split = Cli.run(args(common, "--partitions", p));
            assertEquals(0, split.exit(), split.err());
            assertEquals(single.out(), split.out(), "on " + p + " JVMs");
        }
    }

    @Test
    void shouldGiveTheSingleJvmFiguresForSharedMemoryAndMessageUpdatesOnTwoPartitions(@TempDir final Path dir)
        throws IOException
    {
        // Half the updating cores, and the lines' home directory's partners, live in the other JVM: only the bytes
        // of the coherence messages can reach them, so the same figures mean no coherence state crossed as objects.
        final List<String> common = List.of("bench", "--machine", "numa:4x4", "--cores", "16", "--workload",
            "shm,msg", "--lines", "2", "--quiet", "--out");
        for (final String p : List.of("1", "2"))
        {
            final Cli cli = Cli.run(args(common, dir.resolve("p" + p).toString(), "--partitions", p));
            assertEquals(0, cli.exit(), cli.err());
        }
        for (final String workload : List.of("shm", "msg"))
        {
            final List<String> expected = simulated(dir.resolve("p1").resolve(workload + ".csv"));
            assertTrue(expected.size() >= 3, workload + ": " + expected);
            assertEquals(expected, simulated(dir.resolve("p2").resolve(workload + ".csv")), workload + " on 2");
        }
    }

    @Test
    void shouldWriteTheSingleJvmsTraceFileFromEveryPartitionsLines(@TempDir final Path dir) throws IOException
    {
        // The workers ship their cores' lines before each vote; the coordinator writes them with its own in the
        // file's order. Equal past the "# args:" line, which names the command (and so --partitions).
        for (final List<String> common : List.of(
            List.of("run", "census", "--machine", "numa:4x8", "--cores", "32"),
            List.of("run", "unmap", "--machine", "numa:8x8", "--cores", "64")))
        {
            final Path one = dir.resolve(common.get(1) + "-1.trace");
            final Path two = dir.resolve(common.get(1) + "-2.trace");
            final Cli single = Cli.run(args(common, "--trace", one.toString()));
            final Cli split = Cli.run(args(common, "--trace", two.toString(), "--partitions", "2"));
            assertEquals(0, single.exit(), single.err());
            assertEquals(0, split.exit(), split.err());
            final List<String> expected = withoutArgs(Files.readAllLines(one));
            assertTrue(expected.size() > 100, common + ": " + expected.size() + " lines");
            assertEquals(expected, withoutArgs(Files.readAllLines(two)), common.toString());
        }
    }

    @Test
    void shouldWriteTheSingleJvmsTimelineFromEveryPartitionsEvents(@TempDir final Path dir) throws IOException
    {
        // The workers ship their cores' events before each vote; the coordinator sorts them in with its own, counts
        // the queues of every core and writes one file: byte for byte the single JVM's (it names no command). 2pc
        // boots one machine per variant, each placed after the one before; the filter travels to the workers.
        for (final List<String> common : List.of(
            List.of("run", "census", "--machine", "numa:4x8", "--cores", "32"),
            List.of("run", "2pc", "--machine", "numa:4x8", "--cores", "32", "--timeline-cores", "8-27",
                "--timeline-from", "2000")))
        {
            final Path one = dir.resolve(common.get(1) + "-1.json");
            final Path two = dir.resolve(common.get(1) + "-2.json");
            final Cli single = Cli.run(args(common, "--timeline", one.toString()));
            final Cli split = Cli.run(args(common, "--timeline", two.toString(), "--partitions", "2"));
            assertEquals(0, single.exit(), single.err());
            assertEquals(0, split.exit(), split.err());
            final String expected = Files.readString(one);
            // The second partition's cores (16-31) did work: their slices are in the file.
            assertTrue(expected.contains("\"ph\":\"X\",\"pid\":3,\"tid\":24,"), common + ": no slice of core 24");
            assertTrue(expected.contains("\"complete\":true"), expected.substring(expected.length() - 300));
            assertEquals(expected, Files.readString(two), common.toString());
        }
    }

    private static List<String> withoutArgs(final List<String> lines)
    {
        return lines.stream().filter(l -> !l.startsWith("# args:")).toList();
    }

    @Test
    void shouldGiveTheSingleJvmTraceHashForARunOfSeveralMachines()
    {
        // run 2pc boots one machine per variant, all folded into one trace hash.
        final List<String> common = List.of("run", "2pc", "--machine", "numa:4x8", "--cores", "32", "--json");
        final Cli single = Cli.run(common.toArray(String[]::new));
        final Cli split = Cli.run(args(common, "--partitions", "2"));
        assertEquals(0, single.exit(), single.err());
        assertEquals(0, split.exit(), split.err());
        assertEquals(field(single.out(), "traceHash"), field(split.out(), "traceHash"));
        assertEquals(single.out().replaceAll("\\{[^{}]*host-throughput[^{}]*\\}", ""),
            split.out().replaceAll("\\{[^{}]*host-throughput[^{}]*\\}", ""));
    }

    @Test
    void shouldGiveTheSingleJvmTraceHashForPingPongAcrossPartitions()
    {
        final List<String> common = List.of("run", "pingpong", "--machine", "numa:8x8", "--from", "0", "--to", "63",
            "--json", "--batches", "3", "--batch", "50");
        final Cli single = Cli.run(common.toArray(String[]::new));
        final Cli split = Cli.run(args(common, "--partitions", "2"));
        assertEquals(0, single.exit(), single.err());
        assertEquals(0, split.exit(), split.err());
        assertEquals(field(single.out(), "traceHash"), field(split.out(), "traceHash"));
        assertEquals(field(single.out(), "roundTripCycles"), field(split.out(), "roundTripCycles"));
    }

    @Test
    void shouldGatherTheTraceHashesOfAPartitionTooLargeForOneAeronMessage()
    {
        // 24,576 cores per worker: their per-core hashes (24 bytes each, 576 KiB) exceed one Aeron message (512 KiB),
        // so they travel in chunks; one message failed the run at this size.
        final List<String> common = List.of("run", "unmap", "--machine", "numa:192x256", "--cores", "49152",
            "--strategy", "numa-multicast", "--json");
        final Cli single = Cli.run(common.toArray(String[]::new));
        final Cli split = Cli.run(args(common, "--partitions", "2"));
        assertEquals(0, single.exit(), single.err());
        assertEquals(0, split.exit(), split.err());
        assertEquals(single.out(), split.out());
    }

    /** The rows in simulated units: cycles and counts, not host time (which differs from run to run). */
    static List<String> simulated(final Path csv) throws IOException
    {
        return Files.readAllLines(csv).stream().filter(l -> l.contains(",cycles,") || l.contains(",messages,") ||
            l.contains("/Mcycle,") || l.contains("/kcycle,")).toList();
    }

    static String[] args(final List<String> common, final String... more)
    {
        final List<String> all = new java.util.ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static String field(final String json, final String name)
    {
        final int at = json.indexOf("\"" + name + "\":");
        assertTrue(at >= 0, name + " in " + json);
        int end = at + name.length() + 3;
        while (end < json.length() && ",}]".indexOf(json.charAt(end)) < 0)
        {
            end++;
        }
        return json.substring(at + name.length() + 3, end);
    }
}
