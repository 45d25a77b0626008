package dev.shoal.kernel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

/** {@code --pin}: each live carrier on one host CPU, round robin, and its own mask back when it ends. */
class CarrierAffinityTest
{
    @Test
    void shouldPinEachCarrierToOneHostCpuRoundRobin() throws Exception
    {
        final int[] cpus = CarrierAffinity.allowedCpus();
        assumeTrue(cpus.length > 0 && net.openhft.affinity.Affinity.isJNAAvailable(), "the host cannot set affinity");
        final int cores = cpus.length + 1;
        final ConcurrentHashMap<Integer, BitSet> masks = new ConcurrentHashMap<>();
        try (Machine machine = new Machine(cores, CostModel.forLrpc(1000), (core, arg) -> { },
            CoreRunner.pinnedCarriers()))
        {
            for (int i = 0; i < cores; i++)
            {
                final int id = i;
                machine.core(i).start(0);
                machine.core(i).spawn("probe", () -> masks.put(id, CarrierAffinity.current()));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> masks.size() == cores);
        }
        for (int i = 0; i < cores; i++)
        {
            final BitSet expected = new BitSet();
            expected.set(cpus[i % cpus.length]);
            assertEquals(expected, masks.get(i), "core " + i);
        }
    }

    @Test
    void shouldGiveTheThreadItsMaskBack()
    {
        final int[] cpus = CarrierAffinity.allowedCpus();
        assumeTrue(cpus.length > 0 && net.openhft.affinity.Affinity.isJNAAvailable(), "the host cannot set affinity");
        final BitSet original = CarrierAffinity.current();
        final BitSet before = CarrierAffinity.pin(cpus.length - 1, cpus);
        try
        {
            assertEquals(original, before);
            assertEquals(1, CarrierAffinity.current().cardinality());
            assertTrue(CarrierAffinity.current().get(cpus[cpus.length - 1]));
        }
        finally
        {
            CarrierAffinity.restore(before);
        }
        assertEquals(original, CarrierAffinity.current());
    }
}
