package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.L1;
import static dev.shoal.kernel.paging.PageTableFormat.L2;
import static dev.shoal.kernel.paging.PageTableFormat.L3;
import static dev.shoal.kernel.paging.PageTableFormat.L4;
import static dev.shoal.kernel.paging.PageTableFormat.NO_EXECUTE;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.PRESENT;
import static dev.shoal.kernel.paging.PageTableFormat.USER;
import static dev.shoal.kernel.paging.PageTableFormat.WRITABLE;
import static dev.shoal.kernel.paging.PageTableFormat.index;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PageTablesTest
{
    private static final long RW = WRITABLE | USER;
    private static final long MIB2 = 2L << 20;
    private static final long GIB = 1L << 30;
    /** Page tables hold physical addresses without touching the frames, so range tests map unbacked ones. */
    private static final long FAR_FRAMES = 0x10_0000_0000L;

    private final PagingFixture fx = new PagingFixture();
    private final PageTables tables = fx.tables;
    private final long l4 = fx.page();

    @AfterEach
    void close()
    {
        fx.close();
    }

    @Test
    void shouldMapAndWalkASinglePage()
    {
        final long frame = fx.page();
        tables.map(l4, 0x40_0000L, frame, PAGE_SIZE, RW, fx.allocator());

        final Translation t = tables.walk(l4, 0x40_0123L);
        assertTrue(t.isMapped());
        assertEquals(frame + 0x123, t.physical());
        assertEquals(PRESENT | WRITABLE | USER, t.flags());
        assertEquals(4, t.reads(), "a complete walk reads one entry per level");
        assertEquals(List.of(new Mapping(0x40_0000L, frame, PAGE_SIZE, PRESENT | RW)),
            tables.mappings(l4, 0, 4 * MIB2));
    }

    @Test
    void shouldCreateIntermediateTablesOnlyWhereMissing()
    {
        assertEquals(3, tables.map(l4, 0x1000, fx.page(), PAGE_SIZE, RW, fx.allocator()));
        assertEquals(0, tables.map(l4, 0x2000, fx.page(), PAGE_SIZE, RW, fx.allocator()), "same L1 table");
        assertEquals(1, tables.map(l4, MIB2, fx.page(), PAGE_SIZE, RW, fx.allocator()), "next L2 entry");
        assertEquals(2, tables.map(l4, GIB, fx.page(), PAGE_SIZE, RW, fx.allocator()), "next L3 entry");
        assertEquals(3, tables.map(l4, 512 * GIB, fx.page(), PAGE_SIZE, RW, fx.allocator()), "next L4 entry");
        assertEquals(List.of(L3, L2, L1, L1, L2, L1, L3, L2, L1), fx.allocatedLevels);
    }

    @Test
    void shouldMapARangeAcrossA2MiBAndA1GiBBoundary()
    {
        final long start = GIB - MIB2 - 2 * PAGE_SIZE;
        final long bytes = MIB2 + 4 * PAGE_SIZE;

        final int created = tables.map(l4, start, FAR_FRAMES, bytes, RW, fx.allocator());

        assertEquals(6, created, "L3; L2 with L1s for entries 510 and 511; then a second L2 with one L1");
        for (final long va : new long[] {start, GIB - MIB2 - 1, GIB - MIB2, GIB - 1, GIB, start + bytes - 1})
        {
            final Translation t = tables.walk(l4, va);
            assertTrue(t.isMapped(), () -> "0x" + Long.toHexString(va));
            assertEquals(FAR_FRAMES + (va - start), t.physical(), () -> "0x" + Long.toHexString(va));
        }
        assertFalse(tables.walk(l4, start - PAGE_SIZE).isMapped());
        assertFalse(tables.walk(l4, start + bytes).isMapped());
        assertEquals(List.of(new Mapping(start, FAR_FRAMES, bytes, PRESENT | RW)),
            tables.mappings(l4, 0, 2 * GIB), "one run, however many tables it spans");
    }

    @Test
    void shouldMapTheUpperHalfAcrossAnL4Boundary()
    {
        final long l4Entry511 = 0xFFFF_FF80_0000_0000L;
        final long start = l4Entry511 - 2 * PAGE_SIZE;

        assertEquals(6, tables.map(l4, start, FAR_FRAMES, 4 * PAGE_SIZE, RW, fx.allocator()));
        assertEquals(FAR_FRAMES + 3 * PAGE_SIZE + 8, tables.walk(l4, l4Entry511 + PAGE_SIZE + 8).physical());
        assertEquals(2, tables.map(l4, -PAGE_SIZE, FAR_FRAMES, PAGE_SIZE, RW, fx.allocator()),
            "the last page of the address space: a new L2 and L1 under the existing L3");
        assertEquals(4, tables.unmap(l4, start, 4 * PAGE_SIZE).getFirst().pages());
    }

    @Test
    void shouldRejectMappingOverAnExistingEntryAndChangeNothing()
    {
        tables.map(l4, 0x5000, fx.page(), PAGE_SIZE, RW, fx.allocator());
        final int tablesBefore = fx.allocatedLevels.size();

        final PagingException ex = assertThrows(PagingException.class,
            () -> tables.map(l4, 0x1000, FAR_FRAMES, MIB2, RW, fx.allocator()));

        assertEquals(PagingError.SLOT_IN_USE, ex.error());
        assertTrue(ex.getMessage().contains("0x5000"), ex.getMessage());
        assertFalse(tables.walk(l4, 0x1000).isMapped(), "pages before the conflict were not mapped");
        assertEquals(L2, tables.walk(l4, MIB2).faultLevel(), "the L1 table past the conflict was not created");
        assertEquals(tablesBefore, fx.allocatedLevels.size());
    }

    @Test
    void shouldRejectBadAddressesLengthsAndFlagsWithOneLineMessages()
    {
        final TableAllocator alloc = fx.allocator();
        assertError(PagingError.UNALIGNED, () -> tables.map(l4, 0x1001, FAR_FRAMES, PAGE_SIZE, RW, alloc));
        assertError(PagingError.UNALIGNED, () -> tables.map(l4, 0x1000, FAR_FRAMES + 64, PAGE_SIZE, RW, alloc));
        assertError(PagingError.UNALIGNED, () -> tables.map(l4, 0x1000, FAR_FRAMES, 100, RW, alloc));
        assertError(PagingError.UNALIGNED, () -> tables.map(l4 + 8, 0x1000, FAR_FRAMES, PAGE_SIZE, RW, alloc));
        assertError(PagingError.BAD_LENGTH, () -> tables.map(l4, 0x1000, FAR_FRAMES, 0, RW, alloc));
        assertError(PagingError.NON_CANONICAL,
            () -> tables.map(l4, 0x0000_8000_0000_0000L, FAR_FRAMES, PAGE_SIZE, RW, alloc));
        assertError(PagingError.NON_CANONICAL,
            () -> tables.map(l4, 0x0000_7FFF_FFFF_F000L, FAR_FRAMES, 2 * PAGE_SIZE, RW, alloc));
        assertError(PagingError.NON_CANONICAL,
            () -> tables.map(l4, -PAGE_SIZE, FAR_FRAMES, 2 * PAGE_SIZE, RW, alloc));
        assertError(PagingError.PHYSICAL_OUT_OF_RANGE,
            () -> tables.map(l4, 0x1000, (1L << 52) - PAGE_SIZE, 2 * PAGE_SIZE, RW, alloc));
        assertError(PagingError.BAD_FLAGS,
            () -> tables.map(l4, 0x1000, FAR_FRAMES, PAGE_SIZE, PageTableFormat.ACCESSED, alloc));
        assertError(PagingError.NON_CANONICAL, () -> tables.walk(l4, 0x0000_8000_0000_0000L));
        assertError(PagingError.UNALIGNED, () -> tables.unmap(l4, 0x1000, 10));
        assertError(PagingError.BAD_TABLE, () -> tables.map(l4, 0x1000, FAR_FRAMES, PAGE_SIZE, RW, level -> 0x1234));
        assertTrue(fx.allocatedLevels.isEmpty());
    }

    @Test
    void shouldReportTheLevelWhereAWalkStops()
    {
        final long vaddr = 0x1234_5678_9000L;
        assertWalkStops(vaddr, L4, 1);
        final long l3 = fx.page();
        tables.installTable(l4, L4, index(vaddr, L4), l3);
        assertWalkStops(vaddr, L3, 2);
        final long l2 = fx.page();
        tables.installTable(l3, L3, index(vaddr, L3), l2);
        assertWalkStops(vaddr, L2, 3);
        final long l1 = fx.page();
        tables.installTable(l2, L2, index(vaddr, L2), l1);
        assertWalkStops(vaddr, L1, 4);

        final long frame = fx.page();
        tables.mapPage(l1, index(vaddr, L1), frame, USER);
        final Translation t = tables.walk(l4, vaddr + 5);
        assertEquals(frame + 5, t.physical());
        assertEquals(PRESENT | USER, t.flags());
        assertEquals(4, t.reads());
    }

    @Test
    void shouldRefuseSlotOperationsOnUsedSlotsAndBadLevels()
    {
        final long l3 = fx.page();
        tables.installTable(l4, L4, 7, l3);
        assertError(PagingError.SLOT_IN_USE, () -> tables.installTable(l4, L4, 7, fx.page()));
        assertError(PagingError.BAD_LEVEL, () -> tables.installTable(l3, L1, 0, fx.page()));
        assertError(PagingError.BAD_LEVEL, () -> tables.installTable(l3, 5, 0, fx.page()));
        assertError(PagingError.BAD_INDEX, () -> tables.installTable(l3, L3, 512, fx.page()));

        final long l1 = fx.page();
        tables.mapPage(l1, 3, FAR_FRAMES, RW);
        assertError(PagingError.SLOT_IN_USE, () -> tables.mapPage(l1, 3, FAR_FRAMES, RW));

        assertEquals(PageTableFormat.entry(FAR_FRAMES, PRESENT | RW), tables.clearEntry(l1, 3));
        assertEquals(0, tables.clearEntry(l1, 3), "clearing an empty slot returns an empty entry");
        tables.mapPage(l1, 3, FAR_FRAMES, RW);
        assertEquals(PageTableFormat.entry(l3, PageTableFormat.TABLE_FLAGS), tables.readEntry(l4, 7));
    }

    @Test
    void shouldUnmapARangeAndReturnWhatWasMapped()
    {
        final long frameA = fx.page();
        tables.map(l4, 0x1000, FAR_FRAMES, 4 * PAGE_SIZE, RW, fx.allocator());
        tables.map(l4, MIB2 - PAGE_SIZE, frameA, PAGE_SIZE, USER, fx.allocator());
        tables.map(l4, MIB2, FAR_FRAMES + GIB, PAGE_SIZE, USER, fx.allocator());

        final List<Mapping> removed = tables.unmap(l4, 0, 2 * MIB2);

        assertEquals(List.of(
            new Mapping(0x1000, FAR_FRAMES, 4 * PAGE_SIZE, PRESENT | RW),
            new Mapping(MIB2 - PAGE_SIZE, frameA, PAGE_SIZE, PRESENT | USER),
            new Mapping(MIB2, FAR_FRAMES + GIB, PAGE_SIZE, PRESENT | USER)), removed,
            "contiguous pages coalesce; a physical discontinuity starts a new run");
        assertTrue(tables.mappings(l4, 0, 2 * MIB2).isEmpty());
        assertEquals(L1, tables.walk(l4, 0x1000).faultLevel(), "tables stay in place");
        assertTrue(tables.unmap(l4, 0, 2 * MIB2).isEmpty(), "unmapping holes is not an error");
    }

    @Test
    void shouldProtectARangeAndRejectProtectingUnmappedPages()
    {
        final long start = MIB2 - 2 * PAGE_SIZE;
        tables.map(l4, start, FAR_FRAMES, 4 * PAGE_SIZE, RW, fx.allocator());

        assertEquals(4, tables.protect(l4, start, 4 * PAGE_SIZE, USER | NO_EXECUTE));
        for (int i = 0; i < 4; i++)
        {
            final Translation t = tables.walk(l4, start + (long)i * PAGE_SIZE);
            assertEquals(PRESENT | USER | NO_EXECUTE, t.flags());
            assertEquals(FAR_FRAMES + (long)i * PAGE_SIZE, t.physical(), "protect keeps the frame");
        }

        assertError(PagingError.NOT_MAPPED, () -> tables.protect(l4, start, 5 * PAGE_SIZE, RW));
        assertEquals(PRESENT | USER | NO_EXECUTE, tables.walk(l4, start).flags(), "all-or-nothing");
        assertError(PagingError.NOT_MAPPED, () -> tables.protect(l4, GIB, PAGE_SIZE, RW));
    }

    @Test
    void shouldTakeTheNarrowestRightsAlongTheWalk()
    {
        tables.map(l4, 0x1000, FAR_FRAMES, PAGE_SIZE, RW, fx.allocator());
        final int slot = index(0x1000, L4);
        final long l4Entry = tables.readEntry(l4, slot);
        fx.pokeLong(l4 + PageTableFormat.entryOffset(slot), (l4Entry & ~WRITABLE) | NO_EXECUTE);

        assertEquals(PRESENT | USER | NO_EXECUTE, tables.walk(l4, 0x1000).flags(),
            "writable only if every level allows it, no-execute if any level forbids it");
    }

    @Test
    void shouldZeroTheTablesItIsGiven()
    {
        final TableAllocator dirty = level ->
        {
            final long table = fx.page();
            fx.memory.map(table, PAGE_SIZE).setMemory(0, PAGE_SIZE, (byte)0xFF);
            return table;
        };
        tables.map(l4, 0x1000, FAR_FRAMES, PAGE_SIZE, RW, dirty);

        assertTrue(tables.walk(l4, 0x1000).isMapped());
        assertEquals(L1, tables.walk(l4, 0x2000).faultLevel(), "no garbage entries beside the new one");
        assertEquals(L3, tables.walk(l4, GIB).faultLevel());
    }

    private void assertWalkStops(final long vaddr, final int level, final int reads)
    {
        final Translation t = tables.walk(l4, vaddr);
        assertFalse(t.isMapped());
        assertEquals(level, t.faultLevel());
        assertEquals(reads, t.reads());
    }

    private static void assertError(final PagingError expected, final Executable call)
    {
        final PagingException ex = assertThrows(PagingException.class, call);
        assertEquals(expected, ex.error(), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), "one-line message");
    }
}
