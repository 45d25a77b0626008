package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.USER;
import static dev.shoal.kernel.paging.PageTableFormat.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.CostModel;
import dev.shoal.kernel.CycleClock;
import dev.shoal.kernel.Machine;
import dev.shoal.kernel.MemoryLatency;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A core's first touch of a line through its MMU is a miss to memory ({@link TouchedLines}); a later touch costs
 * what it always did. The tables and frames are core 0's, so their home is core 0.
 */
class MemoryMissTest
{
    private static final long VA = 0x40_0000L;
    /** Local memory 200 cycles, 50 more per core of distance from the home: distinct per core, easy to read. */
    private static final MemoryLatency LATENCY = (core, home) -> 200 + 50L * Math.abs(core - home);

    private final PagingFixture fx = new PagingFixture();
    private final PagingCosts costs = PagingCosts.DEFAULT;
    private final AddressSpace space = new AddressSpace(1, fx.page(), fault -> PageFaultHandler.Resolution.FAIL);
    private final CycleClock clock1 = new CycleClock();
    private final CycleClock clock2 = new CycleClock();
    private final MemoryAccess core1 = new MemoryAccess(fx.tables, new SoftwareTlb(), clock1, costs,
        new TouchedLines(1, LATENCY));
    private final MemoryAccess core2 = new MemoryAccess(fx.tables, new SoftwareTlb(), clock2, costs,
        new TouchedLines(2, LATENCY));

    @AfterEach
    void close()
    {
        fx.close();
    }

    @Test
    void shouldPayAMissToMemoryForEachEntryOfTheFirstWalkAndATableReadAfter()
    {
        map(VA);

        final long first = cyclesOf(clock1, () -> core1.translate(space, VA, AccessKind.READ));
        core1.invalidateAll(space);
        final long second = cyclesOf(clock1, () -> core1.translate(space, VA, AccessKind.READ));

        assertEquals(costs.tlbHit() + 4 * LATENCY.cycles(1, 0), first, "four cold entries, each a miss to core 0's node");
        assertEquals(costs.tlbHit() + 4 * costs.tableRead(), second, "the same entries again: L2 hits, as before");
    }

    @Test
    void shouldPayTheMemoryLatencyOnTheFirstTouchOfADataLineAndNothingAfter()
    {
        map(VA);
        core1.translate(space, VA, AccessKind.READ);

        assertEquals(costs.tlbHit() + LATENCY.cycles(1, 0), cyclesOf(clock1, () -> core1.readLong(space, VA + 8)));
        assertEquals(costs.tlbHit(), cyclesOf(clock1, () -> core1.writeLong(space, VA + 16, 5)), "the same line");
        assertEquals(costs.tlbHit() + 3 * LATENCY.cycles(1, 0),
            cyclesOf(clock1, () -> core1.readBytes(space, VA + 120, new byte[80], 0, 80)),
            "bytes 120..199 lie in lines 1, 2 and 3, all untouched");
        assertEquals(costs.tlbHit(), cyclesOf(clock1, () -> core1.readBytes(space, VA, new byte[256], 0, 256)),
            "lines 0 to 3, all touched");
    }

    @Test
    void shouldKeepEachCoresLinesApart()
    {
        map(VA);
        core1.readLong(space, VA);

        final long walkAndLine = cyclesOf(clock2, () -> core2.readLong(space, VA));

        assertEquals(costs.tlbHit() + 5 * LATENCY.cycles(2, 0), walkAndLine,
            "core 1's touches do not warm core 2's caches: four entries and the line, all misses");
    }

    @Test
    void shouldPriceNothingWithoutTouchedLines()
    {
        map(VA);
        final CycleClock clock = new CycleClock();
        final MemoryAccess plain = new MemoryAccess(fx.tables, new SoftwareTlb(), clock, costs);

        assertEquals(costs.tlbHit() + 4 * costs.tableRead(), cyclesOf(clock, () -> plain.readLong(space, VA)));
        assertNull(fx.machine.core(0).touchedLines(), "a machine built without a memory latency models no misses");
    }

    @Test
    void shouldGiveEachCoreOfAMachineWithAMemoryLatencyItsOwnLines()
    {
        try (Machine machine = new Machine(3, CostModel.forLrpc(1000), (core, arg) -> { }, CoreRunner::newCarrier,
            LATENCY))
        {
            final PageTables tables = new PageTables(machine.physicalMemory());
            final long l4 = machine.core(0).frames().allocate(PAGE_SIZE, PAGE_SIZE);
            tables.map(l4, VA, machine.core(0).frames().allocate(PAGE_SIZE, PAGE_SIZE), PAGE_SIZE, WRITABLE | USER,
                level -> machine.core(0).frames().allocate(PAGE_SIZE, PAGE_SIZE));
            final AddressSpace shared = new AddressSpace(1, l4);
            final MemoryAccess mmu2 = MemoryAccess.forCore(machine.core(2), machine.core(2).tlb(), costs);
            final long before = machine.core(2).clock().now();

            mmu2.readLong(shared, VA);

            assertEquals(costs.tlbHit() + 5 * LATENCY.cycles(2, 0), machine.core(2).clock().now() - before);
            assertEquals(5, machine.core(2).touchedLines().size());
            assertEquals(0, machine.core(1).touchedLines().size());
        }
    }

    private void map(final long vaddr)
    {
        fx.tables.map(space.l4Table(), vaddr, fx.page(), PAGE_SIZE, WRITABLE | USER, fx.allocator());
    }

    private static long cyclesOf(final CycleClock clock, final Runnable access)
    {
        final long before = clock.now();
        access.run();
        return clock.now() - before;
    }
}
