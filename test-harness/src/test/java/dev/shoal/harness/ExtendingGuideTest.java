package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.apps.examples.CoreCensus;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.skb.Skb;

/**
 * The code of docs/extending.md, run: the census started from the host and from a dispatcher on a live machine,
 * and a simulation over many seeds with a halted core. ExtendingDocTest keeps the guide's copies equal to these.
 */
class ExtendingGuideTest
{
    @Test
    void shouldCountEveryCoreOnALiveMachineFromTheHostAndFromADispatcher() throws Exception
    {
        // tag::live[]
        final MonitorConfig config = MonitorConfig.builder(Skb.open("amd-8x4")).cores(32)
            .operation(new CoreCensus())                 // the one registration
            .build();
        try (Shoal shoal = Shoal.boot(config))
        {
            // From the host: the census starts on core 0's carrier (MonitorSystem.onCore).
            final CoreCensus.Result fromHost = CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS);
            assertEquals(32, fromHost.cores());

            // From a dispatcher on core 31: Monitor.call parks it until core 0's Answer completes the call.
            final int[] counted = new int[1];
            final Domain asker = shoal.startDomain("asker", new int[] {31}, os -> counted[0] = CoreCensus.ask(os).cores());
            assertTrue(asker.join(Duration.ofSeconds(30)));
            assertEquals(32, counted[0]);
        }
        // end::live[]
    }

    @Test
    void shouldNameTheHaltedCoreForTwoHundredSeeds()
    {
        // tag::simulation[]
        final int runs = Simulation.of("amd-8x4").cores(8, 32).seeds(1, 100)
            .operation(CoreCensus::new)
            .invariant(Invariants.bootOncePerCore())
            .fault(Faults.haltRandomCore())
            .run((shoal, run) ->
            {
                final CoreCensus.Result result = CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS);
                // The core the seed halted is named, and the cores counted exclude it (and any it leads).
                assertEquals(run.haltedCores(), result.missing(), run.replay());
                assertTrue(result.cores() < run.cores(), run.replay());
            });
        assertEquals(200, runs);
        // end::simulation[]
    }

    @Test
    void shouldLeaveNoTimerBehindWhenEveryChildAnswers() throws Exception
    {
        final MonitorConfig config = MonitorConfig.builder(Skb.open("amd-8x4")).cores(32)
            .operation(new CoreCensus()).runners(new dev.shoal.kernel.DeterministicScheduler(1,
                new dev.shoal.kernel.TraceRecorder(null)).threads(1)).build();
        try (Shoal shoal = Shoal.boot(config))
        {
            final CoreCensus.Result first = CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS);
            final CoreCensus.Result second = CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS);
            // A timer left behind would let idle time pass to its deadline, 500,000 cycles later.
            assertTrue(second.latestCycle() - first.latestCycle() < CoreCensus.TIMEOUT_CYCLES / 10,
                first + " then " + second);
            assertEquals(List.of(), second.missing());
        }
    }
}
