package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopologyTest {

    @ParameterizedTest
    @ValueSource(strings = {"intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"})
    void shouldAgreeWithPrologForEveryPairOfCores(String machine) {
        Skb skb = Skb.open(machine);
        Topology topology = skb.topology();
        assertEquals(skb.coreCount(), topology.coreCount());
        assertEquals(skb.packageCount(), topology.packageCount());
        for (int a = 0; a < skb.coreCount(); a++) {
            assertEquals(skb.packageOf(a), topology.packageOf(a));
            assertEquals(skb.numaNodeOf(a), topology.numaNodeOf(a));
            for (int b = 0; b < skb.coreCount(); b++) {
                assertEquals(skb.latency(a, b), topology.latency(a, b), machine + " cores " + a + ", " + b);
            }
        }
        for (int pa = 0; pa < skb.packageCount(); pa++) {
            for (int pb = 0; pb < skb.packageCount(); pb++) {
                assertEquals(skb.packageHops(pa, pb), topology.packageHops(pa, pb));
            }
        }
    }

    @Test
    void shouldAgreeWithPrologForSampledPairsOnA1024CoreMachine() {
        Skb skb = Skb.open("numa:128x8");
        Topology topology = skb.topology();
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            int a = random.nextInt(1024);
            int b = random.nextInt(1024);
            assertEquals(skb.latency(a, b), topology.latency(a, b), "cores " + a + ", " + b);
            assertEquals(skb.packageOf(a), topology.packageOf(a));
            int pa = random.nextInt(128);
            int pb = random.nextInt(128);
            assertEquals(skb.packageHops(pa, pb), topology.packageHops(pa, pb), "packages " + pa + ", " + pb);
        }
    }

    @Test
    void shouldGiveTheAmdMachinesHyperTransportAndTheIntelMachineItsFrontSideBuses() {
        // 16 bits each way at 1 GHz, two bit times a clock: 4,000 MB/s; a line is 4 + 64 bytes.
        assertEquals(34, Skb.open("amd-8x4").topology().linkCycles(Topology.DATA_PACKET_BYTES), "68 x 2000 / 4000");
        assertEquals(4, Skb.open("amd-8x4").topology().linkCycles(Topology.PROBE_PACKET_BYTES));
        assertEquals(43, Skb.open("amd-4x4").topology().linkCycles(Topology.DATA_PACKET_BYTES), "42.5, rounded up");
        assertEquals(48, Skb.open("amd-2x2").topology().linkCycles(Topology.DATA_PACKET_BYTES), "47.6, rounded up");
        Topology intel = Skb.open("intel-2x4").topology();
        assertFalse(intel.broadcastsProbes());
        assertTrue(intel.hasFrontSideBuses());
        assertEquals(16, intel.busCycles(Topology.LINE_BYTES), "64 bytes at 1333 MT/s x 8 bytes, 2.66 GHz");
    }

    @Test
    void shouldHoldALineAtItsHomeUntilTheRequestersUnblockIsBackOnTheOpterons() {
        // amd-8x4: a hop step of 275 - 240 = 35 cycles and a 4-byte response packet of 2 cycles per hop.
        Topology amd = Skb.open("amd-8x4").topology();
        assertEquals(35, amd.homeHopCycles());
        assertEquals(0, amd.unblockCycles(3, 0), "the home's own package: no link");
        assertEquals(37, amd.unblockCycles(4, 0), "package 1, one hop");
        assertEquals(74, amd.unblockCycles(8, 0), "package 2, two hops");
        assertEquals(74, amd.unblockCycles(0, 8), "the same way back");
        assertEquals(0, Skb.open("intel-2x4").topology().unblockCycles(7, 0), "a bus: no home to unblock");
        assertEquals(0, Skb.open("numa:4x4").topology().unblockCycles(15, 0), "no broadcast protocol described");
    }

    @Test
    void shouldPriceAMissToMemoryAsTheSamePackageTransferPlusAHopStepPerHopToTheHome() {
        Topology amd = Skb.open("amd-8x4").topology();
        assertEquals(240, amd.memoryLatency(3, 0), "the home's own package: local memory");
        assertEquals(240, amd.memoryLatency(0, 0), "the home core itself");
        assertEquals(240 + 35, amd.memoryLatency(4, 0), "package 1, one hop");
        assertEquals(240 + 2 * 35, amd.memoryLatency(8, 0), "package 2, two hops");
        Topology intel = Skb.open("intel-2x4").topology();
        assertEquals(255, intel.memoryLatency(7, 0), "a front-side bus: memory behind the chipset, no hop step");
        // numa:PxC derives its transfers from the latencies: (448 - 60) / 2 = 194, a hop step of 242 - 194 = 48.
        Topology numa = Skb.open("numa:4x4").topology();
        assertEquals(194, numa.memoryLatency(1, 0));
        assertEquals(194 + 48, numa.memoryLatency(4, 0));
    }

    @Test
    void shouldRouteToTheLowestNumberedNeighbourOnAShortestPath() {
        // amd-8x4: package 0 is linked to 1, 4 and 7.
        Topology topology = Skb.open("amd-8x4").topology();
        assertEquals(1, topology.firstHop(0, 1));
        assertEquals(1, topology.firstHop(0, 2), "0-1-2");
        assertEquals(4, topology.firstHop(0, 3), "0-4-3 before 0-7-3");
        assertEquals(1, topology.firstHop(0, 5), "0-1-5 before 0-4-5");
        assertEquals(7, topology.firstHop(0, 6), "0-7-6");
        assertEquals(0, topology.firstHop(0, 0));
        for (int from = 0; from < 8; from++) {
            for (int to = 0; to < 8; to++) {
                if (from != to) {
                    int next = topology.firstHop(from, to);
                    assertEquals(1, topology.packageHops(from, next));
                    assertEquals(topology.packageHops(from, to) - 1, topology.packageHops(next, to));
                }
            }
        }
    }

    @Test
    void shouldCarryTheMachineFigures() {
        Topology topology = Skb.open("amd-8x4").topology();
        assertEquals("amd-8x4", topology.machineName());
        assertEquals(2000, topology.clockMhz());
        assertEquals(1549, topology.lrpcCycles());
        assertEquals(32, topology.coreCount());
        assertEquals(7, topology.packageOf(31));
    }

    @Test
    void shouldOccupyEachAmdHomesMemoryControllerForOneLineAtItsPublishedBandwidth() {
        // 64 bytes x clock / peak DRAM bandwidth, rounded up: DDR2-667 (10,667 MB/s) on the rev F and Barcelona
        // parts, DDR2-800 (12,800 MB/s) on Shanghai; the Intel machine's controller is not per node.
        assertEquals(17, Skb.open("amd-2x2").topology().homeOccupancyCycles());
        assertEquals(13, Skb.open("amd-4x4").topology().homeOccupancyCycles());
        assertEquals(12, Skb.open("amd-8x4").topology().homeOccupancyCycles());
        assertEquals(0, Skb.open("intel-2x4").topology().homeOccupancyCycles());
    }

    @Test
    void shouldBuildTheSnapshotOnce() {
        Skb skb = Skb.open("amd-2x2");
        assertSame(skb.topology(), skb.topology());
    }

    @Test
    void shouldAnswerTheSameFromManyThreads() {
        Topology topology = Skb.open("amd-8x4").topology();
        long expected = 0;
        for (int a = 0; a < 32; a++) {
            for (int b = 0; b < 32; b++) {
                expected += topology.latency(a, b);
            }
        }
        LongAdder sum = new LongAdder();
        IntStream.range(0, 32).parallel().forEach(a -> {
            for (int b = 0; b < 32; b++) {
                sum.add(topology.latency(a, b));
            }
        });
        assertEquals(expected, sum.sum());
    }

    @Test
    void shouldRejectACoreOutsideTheMachine() {
        Topology topology = Skb.open("amd-2x2").topology();
        assertThrows(IndexOutOfBoundsException.class, () -> topology.latency(0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> topology.packageOf(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> topology.packageHops(0, 2));
    }
}
