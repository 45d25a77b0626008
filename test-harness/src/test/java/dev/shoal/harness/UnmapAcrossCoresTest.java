package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.MemoryAccess;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.paging.PageTableFormat;
import dev.shoal.kernel.paging.PageTables;
import dev.shoal.kernel.paging.PagingCosts;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;

/**
 * One address space shared by every core (a domain spanning the machine): each core caches a translation in its
 * own TLB; core 0 unmaps the page and shoots the translation down. When the unmap returns, no core may reach the
 * frame through the old mapping.
 */
class UnmapAcrossCoresTest
{
    private static final long PAGE = PageTableFormat.PAGE_SIZE;
    private static final long VADDR = 0x4000_0000L;
    private static final int ASID = 3;

    private static MemoryAccess mmu(final Core core)
    {
        return MemoryAccess.forCore(core, core.tlb(), PagingCosts.DEFAULT);
    }

    private static <T> T on(final MonitorSystem system, final int core, final java.util.function.Function<Core, T> f)
        throws Exception
    {
        return system.onCore(core, m -> f.apply(m.core())).get(10, TimeUnit.SECONDS);
    }

    /** Maps one fresh frame at {@code vaddr} in the shared space (page tables and frame from core 0's memory). */
    private static void mapPage(final MonitorSystem system, final AddressSpace space, final long vaddr)
        throws Exception
    {
        on(system, 0, core ->
        {
            final long frame = core.frames().allocate((int)PAGE, (int)PAGE);
            return new PageTables(core.machine().physicalMemory()).map(space.l4Table(), vaddr, frame, PAGE,
                PageTableFormat.PRESENT | PageTableFormat.WRITABLE | PageTableFormat.USER,
                level -> core.frames().allocate((int)PAGE, (int)PAGE));
        });
    }

    /** Every core reads and writes the page, so every TLB holds the translation. */
    private static void touchEverywhere(final MonitorSystem system, final AddressSpace space, final long vaddr,
        final int cores) throws Exception
    {
        for (int i = 0; i < cores; i++)
        {
            final int self = i;
            on(system, i, core ->
            {
                final MemoryAccess mmu = mmu(core);
                mmu.writeLong(space, vaddr + 8L * self, self);
                return mmu.readLong(space, vaddr);
            });
        }
    }

    /** What core {@code core} sees when it reads {@code vaddr}: "fault" or the value. */
    private static String readFrom(final MonitorSystem system, final AddressSpace space, final long vaddr,
        final int core) throws Exception
    {
        return on(system, core, c ->
        {
            try
            {
                return "value " + mmu(c).readLong(space, vaddr);
            }
            catch (final PageFaultException ex)
            {
                return "fault";
            }
        });
    }

    @ParameterizedTest
    @EnumSource(ShootdownStrategy.class)
    void shouldLeaveNoCoreAbleToReachAnUnmappedPage(final ShootdownStrategy strategy) throws Exception
    {
        for (final boolean deterministic : new boolean[] {false, true})
        {
            for (final int cores : new int[] {2, 8, 64})
            {
                checkUnmap(strategy, cores, deterministic);
            }
        }
    }

    private static void checkUnmap(final ShootdownStrategy strategy, final int cores, final boolean deterministic)
        throws Exception
    {
        final ShootdownOperation shootdown = new ShootdownOperation();
        final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:8x8")).cores(cores)
            .operation(shootdown)
            .runners(deterministic ? new DeterministicScheduler(cores, new TraceRecorder(null)) :
                CoreRunner::newCarrier)
            .build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            final long l4 = on(system, 0, core -> core.frames().allocate((int)PAGE, (int)PAGE));
            final AddressSpace space = new AddressSpace(ASID, l4);
            mapPage(system, space, VADDR);
            touchEverywhere(system, space, VADDR, cores);
            assertEquals("value 0", readFrom(system, space, VADDR, cores - 1));

            final int[] all = IntStream.range(0, cores).toArray();
            final ShootdownOperation.Result result = system.onCore(0, m ->
            {
                new PageTables(m.core().machine().physicalMemory()).unmap(l4, VADDR, PAGE);
                return shootdown.start(m, strategy, ASID, VADDR, PAGE, all);
            }).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            assertEquals(cores, result.cores());

            for (int i = 0; i < cores; i++)
            {
                assertEquals("fault", readFrom(system, space, VADDR, i), "core " + i + " after " + strategy +
                    (deterministic ? " (deterministic)" : " (live)"));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void shouldStillReachThePageThroughAStaleTlbWithoutTheShootdown() throws Exception
    {
        // The control: it shows the check above can fail, and that the shootdown is what prevents it.
        final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:1x8")).cores(4).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            final long l4 = on(system, 0, core -> core.frames().allocate((int)PAGE, (int)PAGE));
            final AddressSpace space = new AddressSpace(ASID, l4);
            mapPage(system, space, VADDR);
            touchEverywhere(system, space, VADDR, 4);
            on(system, 0, core -> new PageTables(core.machine().physicalMemory()).unmap(l4, VADDR, PAGE));
            assertEquals("value 0", readFrom(system, space, VADDR, 3), "a stale translation still reaches the frame");
        }
    }
}
