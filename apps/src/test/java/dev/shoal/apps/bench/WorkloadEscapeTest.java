package dev.shoal.apps.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.skb.Skb;

/**
 * Every built-in workload runs on the exact engine without a determinism escape: nothing it does on a core is
 * started by a thread that is not that core's, so its figures come from the model alone.
 */
class WorkloadEscapeTest
{
    @Test
    void shouldRunEveryBuiltInWorkloadWithoutADeterminismEscape() throws Exception
    {
        final Skb skb = Skb.open("numa:2x2");
        final List<String> escapes = new ArrayList<>();
        int measured = 0;
        for (final Workload workload : ServiceLoader.load(Workload.class))
        {
            final int cores = Math.max(4, workload.minCores());
            for (final String variant : workload.variants(skb, cores))
            {
                final List<DeterministicScheduler> engines = new ArrayList<>();
                workload.measure(skb, cores, variant, () ->
                {
                    final DeterministicScheduler engine = new DeterministicScheduler(1, new TraceRecorder(null));
                    engines.add(engine);
                    return engine;
                });
                for (final DeterministicScheduler engine : engines)
                {
                    engine.escapes().forEach(e -> escapes.add(workload.name() + " " + variant + ": " + e));
                }
                measured++;
            }
        }
        assertFalse(measured < 10, "workloads measured: " + measured);
        assertEquals(List.of(), escapes);
    }
}
