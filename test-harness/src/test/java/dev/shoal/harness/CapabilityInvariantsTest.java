package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.monitor.CapabilityOperation;
import dev.shoal.monitor.MonitorSystem;

/** Ownership stays unique at every step while capabilities move between cores, and a revoke leaves nothing. */
class CapabilityInvariantsTest
{
    private static final int FRAME = 2;

    private static Capability shareAFrame(final MonitorSystem system, final int cores) throws Exception
    {
        final Capability frame = system.onCore(0, m ->
        {
            final CSpace init = m.core().initCSpace();
            m.core().caps().retype(init, CSpace.BOOT_RAM_CPTR, CapType.FRAME, 0, 4 * 4096, 1, init.cptr(0, FRAME));
            return init.capability(init.cptr(0, FRAME));
        }).get(10, TimeUnit.SECONDS);
        for (int c = 1; c < cores; c++)
        {
            final int core = c;
            system.onCore(0, m -> CapabilityOperation.send(m, m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME),
                core)).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
        return frame;
    }

    @Test
    void shouldKeepOneOwnerAtEveryStepWhileOwnershipMovesAndLeaveNothingAfterRevoke()
    {
        Simulation.of("numa:1x8").cores(4).seeds(1, 25)
            .invariant(Invariants.capabilityOwnershipUnique())
            .run(shoal ->
            {
                final MonitorSystem system = shoal.system();
                final Capability frame = shareAFrame(system, 4);
                // Core 3 retypes its copy: ownership moves from 0 to 3 first.
                final int slotOn3 = system.onCore(3, m -> m.core().caps().mdb().findCopy(frame).index())
                    .get(10, TimeUnit.SECONDS);
                system.onCore(3, m -> CapabilityOperation.retype(m, m.core().initCSpace(),
                    m.core().initCSpace().cptr(0, slotOn3), CapType.FRAME, 4096, 4096, 1,
                    m.core().initCSpace().cptr(0, 30))).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
                // Core 1 revokes: forwarded to the owner, core 3.
                final int slotOn1 = system.onCore(1, m -> m.core().caps().mdb().findCopy(frame).index())
                    .get(10, TimeUnit.SECONDS);
                system.onCore(1, m -> CapabilityOperation.revoke(m, m.core().initCSpace(),
                    m.core().initCSpace().cptr(0, slotOn1))).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
                final Capability ownedBy3 = frame.withOwner(3);
                Invariants.nothingLeftAfterRevoke(ownedBy3).check(system);
                assertEquals(3, system.onCore(3, m -> m.core().caps().mdb().findCopy(frame).capability().owner())
                    .get(10, TimeUnit.SECONDS));
            });
    }

    @Test
    void shouldCatchADoubleOwner()
    {
        assertThrows(AssertionError.class, () -> Simulation.of("numa:1x8").cores(2).seeds(1, 1)
            .invariant(Invariants.capabilityOwnershipUnique())
            .run(shoal ->
            {
                final MonitorSystem system = shoal.system();
                final Capability frame = shareAFrame(system, 2);
                // Break the protocol on purpose: core 1 claims ownership without telling anyone.
                system.onCore(1, m ->
                {
                    m.core().caps().mdb().setOwner(m.core().caps().mdb().findCopy(frame), 1);
                    return null;
                }).get(10, TimeUnit.SECONDS);
                Invariants.capabilityOwnershipUnique().check(system);
            }));
    }
}
