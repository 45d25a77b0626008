package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
