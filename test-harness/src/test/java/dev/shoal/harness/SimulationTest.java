package dev.shoal.harness;

import dev.shoal.apps.examples.CoreCensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.libos.Domain;

class SimulationTest
{
    /** The README's protocol extension, CoreCensus, for 1,000 seeds; each seed picks a core count in 2..64. */
    @Test
    void shouldCountEveryCoreForAThousandSeeds()
    {
        final HashSet<String> distinct = new HashSet<>();
        for (long seed = 1; seed <= 1000; seed++)
        {
            final int cores = 2 + (int)((seed * 37) % 63);
            final Simulation simulation = Simulation.of("numa:8x8").cores(cores).seeds(seed, 1)
                .operation(CoreCensus::new)
                .invariant(Invariants.bootOncePerCore())
                .invariant(Invariants.nameServiceBindsEachNameOnce());
            simulation.run(shoal ->
                assertEquals(shoal.cores(), CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS).cores()));
            distinct.addAll(simulation.hashes());
        }
        assertTrue(distinct.size() > 900, "distinct schedules: " + distinct.size());
    }

    @Test
    void shouldCheckTheNameServiceInvariantWhileServicesComeAndGo()
    {
        Simulation.of("numa:2x4").cores(8).seeds(1, 20)
            .invariant(Invariants.nameServiceBindsEachNameOnce())
            .invariant(Invariants.bootOncePerCore())
            .run(shoal ->
            {
                final Domain exporters = shoal.startDomain("exporters", new int[] {1, 2, 5, 7}, os ->
                {
                    try
                    {
                        os.export("contested");
                    }
                    catch (final dev.shoal.monitor.NameServiceException expected)
                    {
                        // exactly one core wins the name
                    }
                    os.export("unique-" + os.coreId());
                });
                assertTrue(exporters.join(Duration.ofSeconds(30)));
            });
    }

    @Test
    void shouldNameTheSeedAndTheReplayWhenAnInvariantBreaks()
    {
        final AssertionError failure = assertThrows(AssertionError.class, () ->
            Simulation.of("numa:1x8").cores(4).seeds(42, 1)
                .invariant(system ->
                {
                    if (system.peekMonitor(3) != null)
                    {
                        throw new AssertionError("core 3 booted");
                    }
                })
                .run(shoal -> { }));
        assertTrue(failure.getMessage().contains("seed 42 on 4 cores"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Simulation.of(\"numa:1x8\").cores(4).seeds(42, 1)"),
            failure.getMessage());
    }

    @Test
    void shouldFailARunWhoseHandlerThrewAndNameTheCore()
    {
        final AssertionError failure = assertThrows(AssertionError.class, () ->
            Simulation.of("numa:1x8").cores(2).seeds(7, 1)
                .operation(ProtocolExtensionTest.ThrowsOnce::new)
                .run(shoal -> assertEquals(2, ProtocolExtensionTest.ThrowsOnce.ping(shoal, 1, 2).get(2)
                    .get(10, TimeUnit.SECONDS))));
        assertTrue(failure.getMessage().contains("seed 7 on 2 cores"), failure.getMessage());
        assertTrue(failure.getMessage().contains("core 1 failed 1 time(s), last: handler of Ping from core 0 failed: " +
            "java.lang.IllegalStateException: first ping 1"), failure.getMessage());
    }

    @Test
    void shouldTellTheScenarioItsSeedCoreCountAndWhichCoreWasHalted()
    {
        final java.util.List<Long> seeds = new java.util.ArrayList<>();
        final HashSet<Integer> haltedCores = new HashSet<>();
        Simulation.of("numa:2x4").cores(8).seeds(11, 12).fault(Faults.haltRandomCore())
            .run((shoal, run) ->
            {
                seeds.add(run.seed());
                assertEquals(8, run.cores());
                assertEquals(1, run.faults().size());
                final InjectedFault halt = run.faults().getFirst();
                assertEquals(InjectedFault.Kind.HALT, halt.kind());
                assertEquals("core " + halt.core() + " halted", halt.description());
                for (int core = 0; core < shoal.cores(); core++)
                {
                    assertEquals(run.halted(core), shoal.system().machine().core(core).isHalted(), "core " + core);
                }
                haltedCores.add(halt.core());
            });
        assertEquals(java.util.stream.LongStream.range(11, 23).boxed().toList(), seeds);
        assertTrue(haltedCores.size() > 1, "the seed picks the core: " + haltedCores);
        assertTrue(haltedCores.stream().allMatch(c -> c >= 1 && c < 8), haltedCores.toString());
    }
}
