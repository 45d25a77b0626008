package dev.shoal.monitor;

import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.USER;
import static dev.shoal.kernel.paging.PageTableFormat.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.MemoryAccess;
import dev.shoal.kernel.paging.PageTables;
import dev.shoal.kernel.paging.PagingCosts;
import dev.shoal.skb.Skb;
import dev.shoal.skb.Topology;

/**
 * A machine booted from its description prices a core's first touch of a line as a miss to the line's home node
 * ({@code Topology.memoryLatency}): on {@code amd-8x4}, tables and a page in core 0's memory cost a core two hops away
 * more to walk and read the first time than a core of core 0's own package, and both the same once warm.
 */
class MemoryMissByHopsTest
{
    private static final long VA = 0x4000_0000L;
    private static final PagingCosts COSTS = PagingCosts.DEFAULT;

    @Test
    void shouldPayTheDramLatencyByHopsOnTheFirstWalkAndReadOnly() throws Exception
    {
        final Skb skb = Skb.open("amd-8x4");
        final Topology topology = skb.topology();
        try (MonitorSystem system = MonitorSystem.boot(MonitorConfig.builder(skb).cores(9)
            .runners(new DeterministicScheduler(1, new TraceRecorder(null))).build(), Duration.ofSeconds(60)))
        {
            final long l4 = system.onCore(0, m ->
            {
                final Core core = m.core();
                final long table = core.frames().allocate(PAGE_SIZE, PAGE_SIZE);
                new PageTables(core.machine().physicalMemory()).map(table, VA,
                    core.frames().allocate(PAGE_SIZE, PAGE_SIZE), PAGE_SIZE, WRITABLE | USER,
                    level -> core.frames().allocate(PAGE_SIZE, PAGE_SIZE));
                return table;
            }).get(30, TimeUnit.SECONDS);
            final AddressSpace space = new AddressSpace(1, l4);

            final long[] samePackage = firstAndSecondRead(system, 3, space);
            final long[] twoHops = firstAndSecondRead(system, 8, space);

            final long cold = COSTS.tlbHit() + 5 * topology.memoryLatency(3, 0);
            final long warm = COSTS.tlbHit() + 4 * COSTS.tableRead();
            assertEquals(cold, samePackage[0], "four entries and a line from the home's own package: 5 x 240");
            assertEquals(COSTS.tlbHit() + 5 * topology.memoryLatency(8, 0), twoHops[0], "two hops: 5 x (240 + 70)");
            assertEquals(5 * 2 * topology.homeHopCycles(), twoHops[0] - samePackage[0]);
            assertEquals(warm, samePackage[1], "warm: four L2 reads of the tables, the line nothing");
            assertEquals(warm, twoHops[1]);
        }
    }

    /** Core {@code core} reads the page twice through its MMU, flushing its TLB between: each read's cycles. */
    private static long[] firstAndSecondRead(final MonitorSystem system, final int core, final AddressSpace space)
        throws Exception
    {
        return system.onCore(core, m ->
        {
            final MemoryAccess mmu = MemoryAccess.forCore(m.core(), m.core().tlb(), COSTS);
            final long start = m.core().clock().now();
            mmu.readLong(space, VA);
            final long first = m.core().clock().now() - start;
            mmu.tlb().flush();
            final long again = m.core().clock().now();
            mmu.readLong(space, VA);
            return new long[] {first, m.core().clock().now() - again};
        }).get(30, TimeUnit.SECONDS);
    }
}
