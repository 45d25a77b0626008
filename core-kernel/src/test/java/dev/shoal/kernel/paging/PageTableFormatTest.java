package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.L1;
import static dev.shoal.kernel.paging.PageTableFormat.L2;
import static dev.shoal.kernel.paging.PageTableFormat.L3;
import static dev.shoal.kernel.paging.PageTableFormat.L4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PageTableFormatTest
{
    @Test
    void shouldSplitAVirtualAddressIntoANineBitIndexPerLevel()
    {
        final long vaddr = (3L << 39) | (5L << 30) | (7L << 21) | (9L << 12) | 0xABC;
        assertEquals(3, PageTableFormat.index(vaddr, L4));
        assertEquals(5, PageTableFormat.index(vaddr, L3));
        assertEquals(7, PageTableFormat.index(vaddr, L2));
        assertEquals(9, PageTableFormat.index(vaddr, L1));
        assertEquals(256, PageTableFormat.index(0xFFFF_8000_0000_0000L, L4), "upper half starts at L4 entry 256");
        assertEquals(511, PageTableFormat.index(-1L, L1));
    }

    @Test
    void shouldGiveEachLevelsEntrySpan()
    {
        assertEquals(4096, PageTableFormat.entrySpan(L1));
        assertEquals(2L << 20, PageTableFormat.entrySpan(L2));
        assertEquals(1L << 30, PageTableFormat.entrySpan(L3));
        assertEquals(512L << 30, PageTableFormat.entrySpan(L4));
        assertEquals(PageTableFormat.PAGE_SIZE, PageTableFormat.TABLE_SIZE, "a table is one frame");
    }

    @Test
    void shouldAcceptOnlyCanonicalAddresses()
    {
        assertTrue(PageTableFormat.isCanonical(0));
        assertTrue(PageTableFormat.isCanonical(0x0000_7FFF_FFFF_FFFFL));
        assertTrue(PageTableFormat.isCanonical(0xFFFF_8000_0000_0000L));
        assertTrue(PageTableFormat.isCanonical(-1L));
        assertFalse(PageTableFormat.isCanonical(0x0000_8000_0000_0000L));
        assertFalse(PageTableFormat.isCanonical(0xFFFF_7FFF_FFFF_FFFFL));
    }

    @Test
    void shouldPackAPhysicalAddressAndFlagsIntoOneEntry()
    {
        final long flags = PageTableFormat.PRESENT | PageTableFormat.WRITABLE | PageTableFormat.NO_EXECUTE;
        final long entry = PageTableFormat.entry(0x000F_FFFF_FFFF_F000L, flags);
        assertEquals(0x000F_FFFF_FFFF_F000L, PageTableFormat.address(entry));
        assertEquals(flags, PageTableFormat.flags(entry));
        assertTrue(entry < 0, "no-execute is bit 63");
        assertTrue(PageTableFormat.fitsEntry((1L << 52) - 1));
        assertFalse(PageTableFormat.fitsEntry(1L << 52));
        assertEquals("P|W|NX", PageTableFormat.describeFlags(flags));
    }
}
