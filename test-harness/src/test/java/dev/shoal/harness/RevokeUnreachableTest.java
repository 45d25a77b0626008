package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.vspace.VNodeOps;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.CapabilityOperation;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.skb.Skb;

/**
 * Core 0 owns a frame; copies of it are mapped by dispatchers on other cores. When core 0's revoke returns, no
 * core reaches the frame through its old mapping — live and in deterministic mode.
 */
class RevokeUnreachableTest
{
    private static final int FRAME = 2;
    private static final long VADDR = 0x10_0000_0000L;

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic"})
    void shouldLeaveNoMappingOfARevokedFrameOnAnyCore(final String mode) throws Exception
    {
        final int cores = 4;
        final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:2x4")).cores(cores)
            .runners("live".equals(mode) ? CoreRunner::newCarrier :
                new DeterministicScheduler(11, new TraceRecorder(null)))
            .build();
        try (Shoal shoal = Shoal.boot(config))
        {
            final var system = shoal.system();
            system.onCore(0, m ->
            {
                final CSpace init = m.core().initCSpace();
                m.core().caps().retype(init, CSpace.BOOT_RAM_CPTR, CapType.FRAME, 0, 4096, 1, init.cptr(0, FRAME));
                return null;
            }).get(10, TimeUnit.SECONDS);

            final AddressSpace[] spaces = new AddressSpace[cores];
            // Each other core: a dispatcher copies the received frame into its own CSpace, maps it and writes.
            for (int c = 1; c < cores; c++)
            {
                final int core = c;
                final int received = system.onCore(0, m -> CapabilityOperation.send(m, m.core().initCSpace(),
                    m.core().initCSpace().cptr(0, FRAME), core)).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
                final AtomicReference<AddressSpace> space = new AtomicReference<>();
                final Domain d = shoal.startDomain("mapper", new int[] {core}, os ->
                {
                    final int mine = os.allocateSlot();
                    os.caps().copy(Dispatcher.current().core().initCSpace(), received, os.cspace(), mine);
                    os.map(mine, VADDR, Rights.READ_WRITE);
                    os.writeLong(VADDR, 1000 + core);
                    space.set(os.addressSpace());
                });
                assertTrue(d.join(Duration.ofSeconds(30)));
                spaces[c] = space.get();
            }
            for (int c = 1; c < cores; c++)
            {
                // All mappers share the one frame; core 3 wrote last.
                assertEquals("value 1003", read(shoal, c, spaces[c]), "before the revoke core " + c + " reaches it");
            }

            system.onCore(0, m -> CapabilityOperation.revoke(m, m.core().initCSpace(),
                m.core().initCSpace().cptr(0, FRAME))).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);

            for (int c = 1; c < cores; c++)
            {
                assertEquals("fault", read(shoal, c, spaces[c]), "after the revoke, core " + c + " (" + mode + ")");
            }
        }
    }

    private static String read(final Shoal shoal, final int core, final AddressSpace space) throws Exception
    {
        return shoal.system().onCore(core, m ->
        {
            try
            {
                return "value " + VNodeOps.of(m.core()).mmu().readLong(space, VADDR);
            }
            catch (final PageFaultException ex)
            {
                return "fault";
            }
        }).get(10, TimeUnit.SECONDS);
    }
}
