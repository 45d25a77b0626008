package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumaMachineGeneratorTest {

    @ParameterizedTest
    @CsvSource({
        // spec, cores, packages, torus width, torus height
        "numa:1x1, 1, 1, 1, 1",
        "numa:2x4, 8, 2, 1, 2",
        "numa:4x4, 16, 4, 2, 2",
        "numa:7x3, 21, 7, 1, 7",
        "numa:12x2, 24, 12, 3, 4",
        "numa:128x8, 1024, 128, 8, 16",
    })
    void shouldLayPackagesOnATorusAsSquareAsTheirCountAllows(String spec, int cores, int packages, int width, int height) {
        Skb skb = Skb.open(spec);
        assertEquals(spec, skb.machineName());
        assertEquals(cores, skb.coreCount());
        assertEquals(packages, skb.packageCount());
        assertEquals(width, NumaMachineGenerator.torusWidth(packages));
        Topology topology = skb.topology();
        for (int a = 0; a < packages; a++) {
            for (int b = 0; b < packages; b++) {
                assertEquals(torusDistance(a, b, width, height), topology.packageHops(a, b), spec + " packages " + a + ", " + b);
            }
        }
    }

    @Test
    void shouldExtrapolateLatenciesFromTheAmd4x4Measurements() {
        Skb skb = Skb.open("numa:16x4"); // a 4 x 4 torus of packages
        assertEquals(2500, skb.clockMhz());
        assertEquals(1463, skb.lrpcCycles());
        assertEquals(448, skb.latency(0, 3), "same package");
        assertEquals(545, skb.latency(0, 4), "package 1: one hop");
        assertEquals(558, skb.latency(0, 5 * 4), "package 5 at (1, 1): two hops");
        assertEquals(571, skb.latency(0, 6 * 4), "package 6 at (2, 1): three hops");
        assertEquals(584, skb.latency(0, 10 * 4), "package 10 at (2, 2): four hops, the farthest");
    }

    @Test
    void shouldWrapAroundTheTorusEdges() {
        Skb skb = Skb.open("numa:128x8"); // 8 wide, 16 high
        assertEquals(1, skb.packageHops(0, 7), "x wraps from 0 to 7");
        assertEquals(1, skb.packageHops(0, 120), "y wraps from 0 to 15");
        assertEquals(12, skb.packageHops(0, 68), "(4, 8) is the far corner");
        assertEquals(545 + 13 * 11, skb.latency(0, 68 * 8));
    }

    @Test
    void shouldLoadA4096CoreMachine() {
        Skb skb = Skb.open("numa:64x64");
        assertEquals(4096, skb.coreCount());
        assertEquals(64, skb.packageCount());
        assertEquals(63, skb.packageOf(4095));
        assertEquals(63, skb.numaNodeOf(4095));
        assertEquals(558, skb.latency(0, 4095), "package 63 at (7, 7) is two wrapped hops from (0, 0)");
        Topology topology = skb.topology();
        assertEquals(4096, topology.coreCount());
        assertEquals(558, topology.latency(0, 4095));
        assertEquals(545 + 13 * 7, topology.latency(0, 36 * 64), "package 36 at (4, 4) is 8 hops away");
    }

    @Test
    void shouldLoadNuma128x8AndSnapshotItsTopologyWellWithinABudget() {
        // The budget is 300 ms warm; a unit test on a shared machine only guards against gross regressions
        // (such as a hop search per package pair) by taking the best of three runs against a loose bound.
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            long start = System.nanoTime();
            Skb.open("numa:128x8").topology();
            best = Math.min(best, System.nanoTime() - start);
        }
        assertTrue(best < 2_000_000_000L, "numa:128x8 took " + best / 1_000_000 + " ms at best");
    }

    @ParameterizedTest
    @ValueSource(strings = {"numa:0x4", "numa:4x0", "numa:", "numa:4", "numa:x4", "numa:-1x2", "numa:2x2x2", "numa:4 x 4"})
    void shouldRejectAMalformedGeneratorSpec(String spec) {
        MachineDescriptionException e = assertThrows(MachineDescriptionException.class, () -> Skb.open(spec));
        assertTrue(e.getMessage().startsWith("'" + spec.strip() + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("numa:PxC") || e.getMessage().contains("at least 1"), e.getMessage());
    }

    @Test
    void shouldRejectAMachineBeyondTheSupportedSize() {
        MachineDescriptionException e = assertThrows(MachineDescriptionException.class, () -> Skb.open("numa:2048x1"));
        assertEquals("'numa:2048x1': at most 1024 packages and 8388608 cores are supported", e.getMessage());
        assertEquals("'numa:1024x8193': at most 1024 packages and 8388608 cores are supported",
            assertThrows(MachineDescriptionException.class, () -> Skb.open("numa:1024x8193")).getMessage());
    }

    @Test
    void shouldDescribeMachinesBeyond65536Cores() {
        // Loading one takes seconds; its text is enough to show the generator no longer stops at 65,536 cores.
        String text = NumaMachineGenerator.generate("numa:512x256");
        assertTrue(text.contains("core(131071, 511).\n"), "the last core of 131,072");
    }

    private static int torusDistance(int a, int b, int width, int height) {
        int dx = Math.abs(a % width - b % width);
        int dy = Math.abs(a / width - b / width);
        return Math.min(dx, width - dx) + Math.min(dy, height - dy);
    }
}
