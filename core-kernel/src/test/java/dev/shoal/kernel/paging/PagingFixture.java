package dev.shoal.kernel.paging;

import java.util.ArrayList;
import java.util.List;

import dev.shoal.kernel.CostModel;
import dev.shoal.kernel.FrameAllocator;
import dev.shoal.kernel.Machine;
import dev.shoal.kernel.PhysicalMemory;

/**
 * One unstarted single-core machine whose physical memory backs the tables and frames of a test. Every allocation
 * is one page, so the bump allocator hands out page-aligned frames (asserted).
 */
final class PagingFixture implements AutoCloseable
{
    final Machine machine = new Machine(1, CostModel.forLrpc(1000), (core, arg) -> { });
    final PhysicalMemory memory = machine.physicalMemory();
    final PageTables tables = new PageTables(memory);
    /** Levels of the tables the allocator supplied, in order. */
    final List<Integer> allocatedLevels = new ArrayList<>();
    private final FrameAllocator frames = machine.core(0).frames();

    /** A fresh, zeroed, page-aligned frame. */
    long page()
    {
        final long address = frames.allocate(PageTableFormat.PAGE_SIZE);
        if (!PageTableFormat.isPageAligned(address))
        {
            throw new AssertionError("fixture frames must be page-aligned: 0x" + Long.toHexString(address));
        }
        return address;
    }

    /** Supplies tables from this fixture's frames, recording their levels. */
    TableAllocator allocator()
    {
        return level ->
        {
            allocatedLevels.add(level);
            return page();
        };
    }

    long peekLong(final long physical)
    {
        return memory.map(physical, Long.BYTES).getLong(0);
    }

    void pokeLong(final long physical, final long value)
    {
        memory.map(physical, Long.BYTES).putLong(0, value);
    }

    @Override
    public void close()
    {
        machine.close();
    }
}
