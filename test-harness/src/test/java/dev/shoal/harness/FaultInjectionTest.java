package dev.shoal.harness;

import dev.shoal.apps.examples.CoreCensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.CapabilityOperation;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.RoutingTree;
import dev.shoal.skb.Skb;

class FaultInjectionTest
{
    private static int subtreeSize(final RoutingTree tree, final int core)
    {
        int n = 1;
        for (final int child : tree.children(core))
        {
            n += subtreeSize(tree, child);
        }
        return n;
    }

    /** Core 0 retypes a frame into slot (0, 2) of its initial CSpace and sends a copy to every other core. */
    private static Capability frameCopiedToEveryCore(final MonitorSystem system) throws Exception
    {
        final Capability frame = system.onCore(0, m ->
        {
            final CSpace init = m.core().initCSpace();
            m.core().caps().retype(init, CSpace.BOOT_RAM_CPTR, CapType.FRAME, 0, 4096, 1, init.cptr(0, 2));
            return init.capability(init.cptr(0, 2));
        }).get(10, TimeUnit.SECONDS);
        for (int c = 1; c < system.cores(); c++)
        {
            final int core = c;
            system.onCore(0, m -> CapabilityOperation.send(m, m.core().initCSpace(),
                m.core().initCSpace().cptr(0, 2), core)).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
        return frame;
    }

    private static int halted(final Shoal shoal)
    {
        for (int c = 0; c < shoal.cores(); c++)
        {
            if (shoal.system().machine().core(c).isHalted())
            {
                return c;
            }
        }
        return -1;
    }

    /** The README's extension with a halted core, for 1,000 seeds on 2..64 cores: it reports the core, never hangs. */
    @Test
    void shouldReportAHaltedCoreInTheCensusForAThousandSeeds()
    {
        final Skb skb = Skb.open("numa:8x8");
        for (long seed = 1; seed <= 1000; seed++)
        {
            final int cores = 2 + (int)((seed * 37) % 63);
            final RoutingTree tree = skb.multicastTree(0, cores);
            Simulation.of("numa:8x8").cores(cores).seeds(seed, 1)
                .operation(CoreCensus::new)
                .invariant(Invariants.bootOncePerCore())
                .fault(Faults.haltRandomCore())
                .run(shoal ->
                {
                    final int h = halted(shoal);
                    final CoreCensus.Result result = CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS);
                    assertEquals(List.of(h), result.missing());
                    assertEquals(cores - subtreeSize(tree, h), result.cores());
                });
        }
    }

    @Test
    void shouldAbortARevokeWhenACoreIsHaltedAndNameIt()
    {
        Simulation.of("numa:1x8").cores(4).seeds(3, 5)
            .run(shoal ->
            {
                final var system = shoal.system();
                final Capability frame = frameCopiedToEveryCore(system);
                Faults.halt(2).inject(system, null);
                final ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> system.onCore(0, m -> CapabilityOperation.revoke(m,
                        m.core().initCSpace(), m.core().initCSpace().cptr(0, 2))).get(10, TimeUnit.SECONDS)
                        .get(10, TimeUnit.SECONDS));
                assertTrue(failure.getCause().getMessage().contains("CORE_UNRESPONSIVE"), failure.getCause().getMessage());
                assertTrue(failure.getCause().getMessage().contains("[2]"), failure.getCause().getMessage());
                for (final int c : new int[] {1, 3})
                {
                    final var copy = system.onCore(c, m -> m.core().caps().mdb().findCopy(frame))
                        .get(10, TimeUnit.SECONDS);
                    assertNotNull(copy, "an aborted revoke deletes nothing on core " + c);
                    assertFalse(copy.isInDelete(), "and leaves no mark on core " + c);
                }
            });
    }

    @Test
    void shouldMakeTheCensusLaterWhenACoreIsSlowOrAChannelDelayed()
    {
        final AtomicLong normal = new AtomicLong();
        final Simulation.Scenario census = shoal -> normal.compareAndSet(0,
            CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS).latestCycle());
        Simulation.of("numa:2x4").cores(8).seeds(9, 1).operation(CoreCensus::new).run(census);
        final long baseline = normal.get();

        final AtomicLong slowed = new AtomicLong();
        Simulation.of("numa:2x4").cores(8).seeds(9, 1).operation(CoreCensus::new).fault(Faults.slow(5, 50))
            .run(shoal -> slowed.set(CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS).latestCycle()));
        assertTrue(slowed.get() > baseline, "slowed " + slowed.get() + " vs " + baseline);

        final AtomicLong delayed = new AtomicLong();
        Simulation.of("numa:2x4").cores(8).seeds(9, 1).operation(CoreCensus::new).fault(Faults.delay(4, 0, 100_000))
            .run(shoal -> delayed.set(CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS).latestCycle()));
        assertTrue(delayed.get() >= baseline + 100_000, "delayed " + delayed.get() + " vs " + baseline);
    }

    @Test
    void shouldCountAgainAfterAMonitorRestart()
    {
        Simulation.of("numa:2x4").cores(8).seeds(1, 5).operation(CoreCensus::new)
            .fault(Faults.restartMonitor(4))
            .run(shoal ->
            {
                final CoreCensus.Result result = CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS);
                assertEquals(8, result.cores());
                assertTrue(result.missing().isEmpty());
            });
    }

    /** A monitor that restarts after marking, before the sweep, still deletes its marked copies. */
    @Test
    void shouldSweepTheMarkedCopiesOfAMonitorThatRestartedBetweenThePhases() throws Exception
    {
        final DeterministicScheduler scheduler = new DeterministicScheduler(3, new TraceRecorder(null));
        final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:1x8")).cores(4).runners(scheduler).build();
        final MonitorSystem[] system = new MonitorSystem[1];
        final Capability[] watched = new Capability[1];
        final boolean[] restarted = new boolean[1];
        scheduler.afterEachStep(() ->
        {
            // Between two steps every core is paused: read core 2's kernel state, restart its monitor once it marked.
            if (watched[0] != null && !restarted[0])
            {
                final Cte copy = system[0].peekMonitor(2).core().caps().mdb().findCopy(watched[0]);
                if (copy != null && copy.isInDelete())
                {
                    system[0].peekMonitor(2).restart();
                    restarted[0] = true;
                }
            }
        });
        system[0] = MonitorSystem.boot(config, Duration.ofSeconds(60));
        try (MonitorSystem machine = system[0])
        {
            final Capability frame = frameCopiedToEveryCore(machine);
            watched[0] = frame;
            final CapabilityOperation.RevokeResult result = machine.onCore(0, m -> CapabilityOperation.revoke(m,
                m.core().initCSpace(), m.core().initCSpace().cptr(0, 2))).get(10, TimeUnit.SECONDS)
                .get(10, TimeUnit.SECONDS);
            assertTrue(restarted[0], "core 2's monitor restarted between mark and sweep");
            assertEquals(List.of(), result.unresponsive());
            for (int c = 1; c < 4; c++)
            {
                assertNull(machine.onCore(c, m -> m.core().caps().mdb().findCopy(frame)).get(10, TimeUnit.SECONDS),
                    "core " + c + " still holds a copy after the revoke");
            }
        }
    }
}
