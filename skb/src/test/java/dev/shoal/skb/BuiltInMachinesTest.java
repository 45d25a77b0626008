package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuiltInMachinesTest {

    private static Map<String, Skb> machines;

    @BeforeAll
    static void openAll() {
        machines = Map.of(
                "intel-2x4", Skb.open("intel-2x4"),
                "amd-2x2", Skb.open("amd-2x2"),
                "amd-4x4", Skb.open("amd-4x4"),
                "amd-8x4", Skb.open("amd-8x4"));
    }

    @ParameterizedTest
    @CsvSource({
        "intel-2x4, 8, 2, 2660, 845",
        "amd-2x2, 4, 2, 2800, 757",
        "amd-4x4, 16, 4, 2500, 1463",
        "amd-8x4, 32, 8, 2000, 1549",
    })
    void shouldLoadEveryBuiltInMachineWithItsPublishedShape(String name, int cores, int packages, int clockMhz, long lrpc) {
        Skb skb = machines.get(name);
        assertEquals(name, skb.machineName());
        assertEquals(cores, skb.coreCount());
        assertEquals(packages, skb.packageCount());
        assertEquals(clockMhz, skb.clockMhz());
        assertEquals(lrpc, skb.lrpcCycles());
    }

    @Test
    void shouldReportSharedCacheAndNonSharedLatencyOnIntel2x4() {
        Skb intel = machines.get("intel-2x4");
        assertEquals(180, intel.latency(0, 1), "cores 0 and 1 share an L2");
        assertEquals(180, intel.latency(6, 7), "cores 6 and 7 share an L2");
        assertEquals(570, intel.latency(0, 2), "same package, different L2");
        assertEquals(570, intel.latency(0, 4), "across the front-side bus");
        assertEquals(570, intel.latency(3, 7));
    }

    @Test
    void shouldReportSameDieAndOneHopLatencyOnAmd2x2() {
        Skb amd = machines.get("amd-2x2");
        assertEquals(450, amd.latency(0, 1));
        assertEquals(532, amd.latency(0, 2));
        assertEquals(532, amd.latency(3, 1));
    }

    @Test
    void shouldReportTwoHopLatencyAcrossTheSquareDiagonal() {
        Skb amd = machines.get("amd-4x4");
        assertEquals(448, amd.latency(0, 3), "same die");
        assertEquals(545, amd.latency(0, 4), "package 0 to package 1");
        assertEquals(545, amd.latency(0, 12), "package 0 to package 3");
        assertEquals(558, amd.latency(0, 8), "package 0 to package 2, the diagonal");
        assertEquals(558, amd.latency(5, 13), "package 1 to package 3, the other diagonal");
        assertEquals(2, amd.packageHops(0, 2));
        assertEquals(2, amd.packageHops(1, 3));
    }

    @Test
    void shouldReportTwoHopLatencyAcrossTheLadderDiagonal() {
        Skb amd = machines.get("amd-8x4");
        assertEquals(538, amd.latency(0, 1), "same die");
        for (int oneHop : List.of(1, 4, 7)) {
            assertEquals(613, amd.latency(0, oneHop * 4), "package 0 to its neighbour " + oneHop);
        }
        for (int twoHops : List.of(2, 3, 5, 6)) {
            assertEquals(618, amd.latency(0, twoHops * 4), "package 0 to package " + twoHops);
        }
    }

    @Test
    void shouldLinkEachLadderPackageToItsRingNeighboursAndItsRung() {
        Skb amd = machines.get("amd-8x4");
        for (int p = 0; p < 8; p++) {
            for (int q = 0; q < 8; q++) {
                int d = Math.floorMod(q - p, 8);
                int expected = p == q ? 0 : (d == 1 || d == 7 || d == 4) ? 1 : 2;
                assertEquals(expected, amd.packageHops(p, q), "packages " + p + " and " + q);
            }
        }
    }

    @Test
    void shouldGiveZeroLatencyFromACoreToItself() {
        for (Skb skb : machines.values()) {
            for (int core = 0; core < skb.coreCount(); core++) {
                assertEquals(0, skb.latency(core, core), skb.machineName() + " core " + core);
            }
        }
    }

    @Test
    void shouldNumberCoresPackageMajorWithOneNumaNodePerPackage() {
        for (Skb skb : machines.values()) {
            int perPackage = skb.coreCount() / skb.packageCount();
            for (int core = 0; core < skb.coreCount(); core++) {
                assertEquals(core / perPackage, skb.packageOf(core), skb.machineName() + " core " + core);
                assertEquals(core / perPackage, skb.numaNodeOf(core), skb.machineName() + " core " + core);
            }
        }
    }

    @Test
    void shouldRejectACoreTheMachineDoesNotHave() {
        Skb amd = machines.get("amd-8x4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> amd.latency(0, 32));
        assertEquals("core 32 does not exist: amd-8x4 has cores 0..31", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> amd.packageOf(-1));
        assertThrows(IllegalArgumentException.class, () -> amd.packageHops(0, 8));
    }

    @Test
    void shouldListTheBuiltInMachinesForTheMachinesCommand() {
        assertEquals(List.of(
                new MachineInfo("intel-2x4", "2x4-core Intel Xeon X5355, 2.66 GHz", 8, 2),
                new MachineInfo("amd-2x2", "2x2-core AMD Opteron 2220, 2.8 GHz", 4, 2),
                new MachineInfo("amd-4x4", "4x4-core AMD Opteron 8380, 2.5 GHz", 16, 4),
                new MachineInfo("amd-8x4", "8x4-core AMD Opteron 8350, 2.0 GHz", 32, 8)),
                MachineCatalog.builtIns());
    }

    @Test
    void shouldDescribeTheHardware() {
        assertEquals("8x4-core AMD Opteron 8350, 2.0 GHz", machines.get("amd-8x4").description());
    }
}
