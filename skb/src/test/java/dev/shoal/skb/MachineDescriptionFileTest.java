package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading descriptions from files, and the one-line messages for malformed ones. */
class MachineDescriptionFileTest {

    /** A valid description; tests replace single lines, so the line numbers below stay put. */
    private static final List<String> TINY = List.of(
            "% tiny: two packages of two cores, for loader tests.",       // 1
            "machine(tiny, 'Two packages of two cores', 1000).",          // 2
            "package(0). package(1).",                                     // 3
            "core(0, 0).",                                                 // 4
            "core(1, 0).",                                                 // 5
            "core(2, 1).",                                                 // 6
            "core(3, 1).",                                                 // 7
            "numa_node(0, 0). numa_node(1, 0).",                           // 8
            "numa_node(2, 1). numa_node(3, 1).",                           // 9
            "interconnect(0, 1).",                                         // 10
            "urpc_latency(same_package, 100).",                            // 11
            "urpc_latency(hops(1), 200).",                                 // 12
            "lrpc_cycles(50).",                                            // 13
            "memory_region(0, 0, 1024).",                                  // 14
            "memory_region(1, 1024, 1024).");                              // 15

    @TempDir
    Path dir;

    @Test
    void shouldLoadAValidDescriptionFromAFile() throws IOException {
        Skb skb = Skb.open(write("tiny.pl", TINY).toString());
        assertEquals("tiny", skb.machineName());
        assertEquals(4, skb.coreCount());
        assertEquals(100, skb.latency(0, 1));
        assertEquals(200, skb.latency(1, 3));
    }

    @Test
    void shouldSearchTheInterconnectForHopsWhenThereIsNoTorus() throws IOException {
        // Four packages in a line, 0-1-2-3.
        List<String> lines = new ArrayList<>(TINY);
        lines.set(2, "package(0). package(1). package(2). package(3).");
        lines.set(3, "core(0, 0). core(4, 2). core(5, 3).");
        lines.set(8, "numa_node(2, 1). numa_node(3, 1). numa_node(4, 2). numa_node(5, 3).");
        lines.set(9, "interconnect(0, 1). interconnect(2, 1). interconnect(3, 2).");
        lines.set(12, "urpc_latency(hops(2), 300). urpc_latency(hops(3), 400). lrpc_cycles(50).");
        Skb skb = Skb.open(write("line.pl", lines).toString());
        assertEquals(3, skb.packageHops(0, 3));
        assertEquals(2, skb.packageHops(3, 1));
        assertEquals(400, skb.latency(5, 0));
        assertEquals(300, skb.topology().latency(4, 1));
    }

    @Test
    void shouldReadMissBuffersOrAssumeTheDefault() throws IOException {
        assertEquals(Topology.DEFAULT_MISS_BUFFERS, Skb.open(write("tiny.pl", TINY).toString()).topology().missBuffers());
        List<String> lines = new ArrayList<>(TINY);
        lines.add("miss_buffers(2).");
        assertEquals(2, Skb.open(write("mlp.pl", lines).toString()).topology().missBuffers());
        assertProblem(13, "miss_buffers(0).", "miss_buffers(0): Count must be at least 1, not 0");
    }

    @Test
    void shouldGiveAHomesMemoryControllerOneLineAtItsBandwidthOrNoOccupancy() throws IOException {
        assertEquals(0, Skb.open(write("tiny.pl", TINY).toString()).topology().homeOccupancyCycles(),
                "no dram_bandwidth: no occupancy");
        List<String> lines = new ArrayList<>(TINY);
        // 64 bytes at 1000 MHz over 3000 MB/s: 21.3 cycles, rounded up.
        lines.add("dram_bandwidth(3000).");
        assertEquals(22, Skb.open(write("mc.pl", lines).toString()).topology().homeOccupancyCycles());
        assertProblem(13, "dram_bandwidth(0).", "dram_bandwidth(0): MegabytesPerSecond must be at least 1, not 0");
        lines.add("dram_bandwidth(6400).");
        assertMessage(lines, 17, "dram_bandwidth(6400): only one dram_bandwidth fact is allowed (the first is on line 16)");
    }

    @Test
    void shouldReadTheLinksOrTheBusesBandwidthButNotBoth() throws IOException {
        Topology none = Skb.open(write("tiny.pl", TINY).toString()).topology();
        assertFalse(none.broadcastsProbes(), "no link_bandwidth: links are pure delay");
        assertFalse(none.hasFrontSideBuses());
        assertEquals(0, none.linkCycles(Topology.DATA_PACKET_BYTES));
        List<String> links = new ArrayList<>(TINY);
        // 68 bytes at 1000 MHz over 3000 MB/s: 22.7 cycles, rounded up; a probe 8 bytes, 2.7.
        links.add("link_bandwidth(3000).");
        Topology ht = Skb.open(write("ht.pl", links).toString()).topology();
        assertTrue(ht.broadcastsProbes());
        assertEquals(23, ht.linkCycles(Topology.DATA_PACKET_BYTES));
        assertEquals(3, ht.linkCycles(Topology.PROBE_PACKET_BYTES));
        List<String> bus = new ArrayList<>(TINY);
        bus.add("bus_bandwidth(6400).");
        Topology fsb = Skb.open(write("fsb.pl", bus).toString()).topology();
        assertTrue(fsb.hasFrontSideBuses());
        assertFalse(fsb.broadcastsProbes());
        assertEquals(10, fsb.busCycles(Topology.LINE_BYTES));
        assertProblem(13, "link_bandwidth(0).", "link_bandwidth(0): MegabytesPerSecond must be at least 1, not 0");
        links.add("bus_bandwidth(6400).");
        assertMessage(links, 17, "bus_bandwidth(6400): a machine has point-to-point links or front-side buses, not "
                + "both (link_bandwidth is on line 16)");
    }

    @Test
    void shouldPriceAFetchByHowFarTheLinesHomeIs() throws IOException {
        // Line transfers derived from the latencies: (100 - 60) / 2 = 20 on a package, (200 - 60) / 2 = 70 one hop.
        Topology topology = Skb.open(write("tiny.pl", TINY).toString()).topology();
        assertEquals(50, topology.homeHopCycles());
        assertEquals(20, topology.lineFetch(0, 1, 0), "home on the reader's node");
        assertEquals(20 + 50, topology.lineFetch(0, 1, 2), "home one hop from the reader");
        assertEquals(70, topology.lineFetch(2, 0, 2), "written across the hop, home on the reader's node");
        assertEquals(70 + 50, topology.lineFetch(2, 0, 0), "written across the hop, home on the writer's node");
    }

    @Test
    void shouldKeepTheDescriptionsOwnPredicatesForQueries() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.add("rack(0, 'rack-a'). rack(1, 'rack-b').");
        lines.add("same_rack(A, B) :- core(A, P), core(B, P).");
        Skb skb = Skb.open(write("racks.pl", lines).toString());
        assertEquals(List.of("rack-b"), skb.query("rack(1, R)", "R"));
        assertEquals(List.of("0", "1"), skb.query("same_rack(0, B)", "B"));
    }

    @Test
    void shouldNameFileLineAndProblemForAFactAboutAnUndeclaredPackage() throws IOException {
        assertProblem(7, "core(3, 9).", "core(3, 9): package 9 is not declared");
    }

    @Test
    void shouldReportASyntaxErrorAtItsLine() throws IOException {
        String message = problemWith(7, "core(3, 1");
        assertTrue(message.startsWith(dir.resolve("bad.pl") + ":"), message);
        assertTrue(message.contains(": syntax error") || message.contains("does not end with"), message);
        assertOneLine(message);
    }

    @Test
    void shouldReportAClauseWithoutItsFullStop() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.set(14, "memory_region(1, 1024, 1024)");
        assertMessage(lines, 15, "clause does not end with '.'");
    }

    @Test
    void shouldReportAFactWithTheWrongArity() throws IOException {
        assertProblem(7, "core(3, 1, 0).", "core(3, 1, 0): expected core(CoreId, Package)");
    }

    @Test
    void shouldReportAnArgumentOfTheWrongType() throws IOException {
        assertProblem(7, "core(three, 1).", "core(three, 1): CoreId must be an integer, not three");
        assertProblem(13, "lrpc_cycles(-5).", "lrpc_cycles(-5): Cycles must be at least 0, not -5");
        assertProblem(2, "machine(tiny, 'Tiny', fast).", "machine(tiny, Tiny, fast): ClockMHz must be an integer, not fast");
    }

    @Test
    void shouldReportADuplicateCoreId() throws IOException {
        assertProblem(7, "core(2, 1).", "core(2, 1): duplicate core id 2 (first declared on line 6)");
    }

    @Test
    void shouldReportCoreIdsWithAGap() throws IOException {
        assertProblem(7, "core(5, 1).", "core(5, 1): core ids must run from 0 to 3 without gaps, but core 3 is not declared");
    }

    @Test
    void shouldReportAMissingMachineFactAtTheEndOfTheFile() throws IOException {
        assertProblemAt(2, "", 15, "missing fact machine(Name, Description, ClockMHz)");
    }

    @Test
    void shouldReportAMissingLatencyClass() throws IOException {
        assertProblemAt(12, "", 15, "missing fact urpc_latency(hops(1), Cycles): packages 0 and 1 are 1 hop apart");
        assertProblemAt(11, "", 15, "missing fact urpc_latency(same_package, Cycles): cores 0 and 1 share a package but no cache");
    }

    @Test
    void shouldReportAnUnknownLatencyClass() throws IOException {
        assertProblem(12, "urpc_latency(far, 200).",
                "urpc_latency(far, 200): Class must be shared_cache, same_package or hops(N) with N >= 1, not far");
    }

    @Test
    void shouldReportACoreWithoutANumaNode() throws IOException {
        assertProblemAt(9, "numa_node(2, 1).", 7, "core(3, 1): core 3 has no numa_node(3, Node) fact");
    }

    @Test
    void shouldReportAPackageNoLinkReaches() throws IOException {
        assertProblemAt(10, "", 3, "package(1): package 1 is not joined to package 0 by any chain of interconnect facts");
    }

    @Test
    void shouldReportACacheGroupSpanningPackages() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.add("shared_cache(0, l2). shared_cache(2, l2).");
        lines.add("urpc_latency(shared_cache, 50).");
        assertMessage(lines, 16, "shared_cache(2, l2): cache group l2 also holds core 0 of package 0, but core 2 is in package 1");
    }

    @Test
    void shouldReportOverlappingMemoryRegions() throws IOException {
        assertProblem(15, "memory_region(1, 512, 1024).", "memory_region(1, 512, 1024): overlaps memory_region(0, 0, 1024) on line 14");
    }

    @Test
    void shouldRejectRulesForMachineFacts() throws IOException {
        assertProblem(7, "core(3, P) :- P = 1.", "core(3, P): core/2 must be given as facts, not rules");
    }

    @Test
    void shouldRejectRedefiningAnSkbRule() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.add("core_latency(0, 1, 5).");
        assertMessage(lines, 16, "core_latency/3 is defined by the SKB rules; a machine description cannot redefine it");
    }

    @Test
    void shouldRejectRedefiningABuiltInPredicate() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.add("member(a, b).");
        assertMessage(lines, 16, "member/2 is a built-in predicate and cannot be redefined");
    }

    @Test
    void shouldRejectDirectives() throws IOException {
        assertProblem(1, ":- dynamic(foo/1).", "directives are not allowed in a machine description");
    }

    @Test
    void shouldReportAnUnterminatedQuote() throws IOException {
        assertProblem(2, "machine(tiny, 'Two packages, 1000).", "unterminated quoted text starting with '");
    }

    @Test
    void shouldReportATorusThatContradictsTheLinks() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.add("torus(1, 3).");
        assertMessage(lines, 16, "torus(1, 3): a 1 x 3 torus has 3 positions, but there are 2 packages");
    }

    @Test
    void shouldReportAMissingFile() {
        String path = dir.resolve("absent.pl").toString();
        MachineDescriptionException e = assertThrows(MachineDescriptionException.class, () -> Skb.open(path));
        assertEquals(path + ": no such machine description file", e.getMessage());
    }

    @Test
    void shouldListTheChoicesForAnUnknownMachineName() {
        MachineDescriptionException e = assertThrows(MachineDescriptionException.class, () -> Skb.open("amd-16x4"));
        assertEquals("unknown machine 'amd-16x4': expected one of intel-2x4, amd-2x2, amd-4x4, amd-8x4, numa:PxC "
                + "(e.g. numa:64x64) or the path of a .pl machine description", e.getMessage());
    }

    @Test
    void shouldAcceptAByteOrderMarkAtTheStartOfTheFile() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.set(0, "\uFEFF" + lines.get(0));
        assertEquals("tiny", Skb.open(write("bom.pl", lines).toString()).machineName());
        lines.set(0, "\uFEFFmachine(tiny, 'Two packages of two cores', 1000).");
        lines.set(1, "");
        assertEquals("tiny", Skb.open(write("bom-fact.pl", lines).toString()).machineName());
    }

    @Test
    void shouldRejectDeeplyNestedTermsWithoutOverflowingTheStack() throws IOException {
        assertProblem(15, "deep(" + "f(".repeat(3000) + "x" + ")".repeat(3001) + ").",
                "brackets nested more than 256 deep");
    }

    @Test
    void shouldRejectDeeplyNestedParenthesesQuickly() throws IOException {
        long start = System.nanoTime();
        assertProblem(15, "deep(" + "(".repeat(20_000) + "x" + ")".repeat(20_000) + ").",
                "brackets nested more than 256 deep");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2_000, "took " + millis + " ms");
    }

    @Test
    void shouldCheckTheNestingOfTextAfterACarriageReturnInAComment() throws IOException {
        assertProblem(15, "% a comment\rdeep(" + "f(".repeat(5000) + "x" + ")".repeat(5001) + ").",
                "brackets nested more than 256 deep");
    }

    @Test
    void shouldEndASymbolRunAtACommentStart() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.add("sum(X) :- X is 1 +/* a comment. with ( a full stop */ 2.");
        assertEquals(List.of("3"), Skb.open(write("comment.pl", lines).toString()).query("sum(X)", "X"));
    }

    @Test
    void shouldRejectALongOperatorChain() throws IOException {
        assertProblem(15, "chain(1" + "+1".repeat(5000) + ").", "operators nested more than 256 deep");
        assertProblem(15, "chain(X) :- X is 1" + "+1".repeat(5000) + ".", "term nested more than 256 deep");
    }

    @Test
    void shouldRejectALongPrefixOperatorChain() throws IOException {
        assertProblem(15, "chain(" + "- ".repeat(20_000) + "1).", "operators nested more than 256 deep");
        assertProblem(15, "chain(" + "'-' ".repeat(20_000) + "1).", "operators nested more than 256 deep");
        assertProblem(15, "chain(" + "'\\x2D\\' ".repeat(20_000) + "1).", "operators nested more than 256 deep");
    }

    @Test
    void shouldRejectOperatorsAndBracketsThatTogetherNestTooDeep() throws IOException {
        String inner = "(a" + "+a".repeat(200) + ")";
        assertProblem(15, "mixed(" + inner + "+a".repeat(100) + ").", "term nested more than 256 deep");
    }

    @Test
    void shouldNameTheLineWhereTheNestingGetsTooDeep() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.add("deep(");
        lines.add("[".repeat(300) + "]".repeat(300) + ").");
        assertMessage(lines, 17, "brackets nested more than 256 deep");
    }

    @Test
    void shouldAcceptWideButShallowTerms() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        StringBuilder args = new StringBuilder("wide(-1");
        for (int i = 2; i <= 1000; i++) {
            args.append(", -").append(i);
        }
        lines.add(args.append(").").toString());
        lines.add("sum(X) :- X is " + "(1+1+1)+".repeat(60) + "1.");
        Skb skb = Skb.open(write("wide.pl", lines).toString());
        assertEquals(List.of("-1"), skb.query("wide(A" + ", _".repeat(999) + ")", "A"));
    }

    @Test
    void shouldRejectAClauseWithTooManyTokens() throws IOException {
        assertProblem(15, "big(" + "a, ".repeat(60_000) + "a).", "clause has more than 100000 tokens");
    }

    @Test
    void shouldRejectAFileLargerThanTheLimitBeforeReadingIt() throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        String padding = "% " + "x".repeat(1000);
        for (int i = 0; i < 5000; i++) {
            lines.add(padding);
        }
        Path file = write("huge.pl", lines);
        var e = assertThrows(MachineDescriptionException.class, () -> Skb.open(file.toString()));
        assertEquals(file + ":1: file is " + Files.size(file) + " bytes; a machine description may be at most "
                + (4 << 20) + " bytes", e.getMessage());
    }

    @Test
    void shouldQuoteOnlyTheStartOfAHugeTermInAMessage() throws IOException {
        String huge = "x".repeat(1_000_000);
        assertProblem(7, "core(" + huge + ", 1).", "core(" + "x".repeat(72) + "...: CoreId must be an integer, not "
                + "x".repeat(77) + "...");
        for (String line : List.of("s(\"" + huge + "\").", "p(" + "9".repeat(100_000) + ").")) {
            String message = problemWith(15, line);
            assertTrue(message.length() < 400, () -> message.length() + " characters: " + message.substring(0, 400));
            assertOneLine(message);
        }
    }

    // ---- helpers ----

    /** Replaces {@code line} of the tiny machine and expects {@code problem} reported at that line. */
    private void assertProblem(int line, String replacement, String problem) throws IOException {
        assertProblemAt(line, replacement, line, problem);
    }

    /** Replaces {@code line} of the tiny machine and expects {@code problem} reported at {@code reportedLine}. */
    private void assertProblemAt(int line, String replacement, int reportedLine, String problem) throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.set(line - 1, replacement);
        assertMessage(lines, reportedLine, problem);
    }

    private void assertMessage(List<String> lines, int reportedLine, String problem) throws IOException {
        Path file = write("bad.pl", lines);
        MachineDescriptionException e = assertThrows(MachineDescriptionException.class, () -> Skb.open(file.toString()));
        assertEquals(file + ":" + reportedLine + ": " + problem, e.getMessage());
        assertEquals(reportedLine, e.line());
        assertOneLine(e.getMessage());
    }

    private String problemWith(int line, String replacement) throws IOException {
        List<String> lines = new ArrayList<>(TINY);
        lines.set(line - 1, replacement);
        Path file = write("bad.pl", lines);
        return assertThrows(MachineDescriptionException.class, () -> Skb.open(file.toString())).getMessage();
    }

    private static void assertOneLine(String message) {
        assertFalse(message.contains("\n") || message.contains("\r"), message);
    }

    private Path write(String name, List<String> lines) throws IOException {
        return Files.write(dir.resolve(name), lines);
    }
}
