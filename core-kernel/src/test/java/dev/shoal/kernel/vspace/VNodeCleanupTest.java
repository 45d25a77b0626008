package dev.shoal.kernel.vspace;

import static dev.shoal.kernel.vspace.VSpaceFixture.ASID;
import static dev.shoal.kernel.vspace.VSpaceFixture.L1;
import static dev.shoal.kernel.vspace.VSpaceFixture.L2;
import static dev.shoal.kernel.vspace.VSpaceFixture.L3;
import static dev.shoal.kernel.vspace.VSpaceFixture.L4;
import static dev.shoal.kernel.vspace.VSpaceFixture.PAGE;
import static dev.shoal.kernel.vspace.VSpaceFixture.RAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.paging.PageFault;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.paging.PageTableFormat;
import dev.shoal.kernel.paging.SoftwareTlb;
import dev.shoal.kernel.paging.Translation;

/** What deleting and revoking capabilities does to the mappings made through them. */
class VNodeCleanupTest
{
    private static final Rights RW = Rights.READ_WRITE;

    private final VSpaceFixture f = new VSpaceFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldUnmapAFrameWhenItsLastCopyIsDeleted()
    {
        f.frame(2, 10);
        f.map(10, 3, 2, RW);
        f.mmu.writeLong(f.space, 3 * PAGE, 1);
        assertTrue(f.core.tlb().lookup(ASID, 3 * PAGE) != SoftwareTlb.MISS, "the translation is cached");

        f.caps.delete(f.boot, f.slot(10));

        assertEquals(0, f.l1Entry(3));
        assertEquals(0, f.l1Entry(4));
        assertFalse(f.mmu.tables().walk(f.base(L4), 3 * PAGE).isMapped());
        assertEquals(SoftwareTlb.MISS, f.core.tlb().lookup(ASID, 3 * PAGE), "the TLB entry is gone");
        assertEquals(List.of(f.listenerLine(3 * PAGE, 2 * PAGE)), f.unmapped);
        final PageFaultException ex = assertThrows(PageFaultException.class, () -> f.mmu.readLong(f.space, 3 * PAGE));
        assertEquals(PageFault.Reason.NOT_MAPPED, ex.fault().reason());
        f.caps.checkConsistency();
    }

    @Test
    void shouldUndoOnlyTheMappingsOfTheCopyDeleted()
    {
        f.frame(1, 10);
        f.caps.copy(f.boot, f.slot(10), f.slot(11));
        f.map(10, 0, 1, RW);
        f.map(11, 1, 1, RW);

        f.caps.delete(f.boot, f.slot(10));
        assertEquals(0, f.l1Entry(0));
        assertTrue(PageTableFormat.isPresent(f.l1Entry(1)), "the copy's own mapping stays");
        f.mmu.writeLong(f.space, PAGE, 5);

        f.caps.delete(f.boot, f.slot(11));
        assertEquals(0, f.l1Entry(1));
    }

    @Test
    void shouldUnmapEveryFrameOfARevokedRam()
    {
        f.retype(CapType.RAM, 1L << 20, 20);
        final int[] frames = {21, 22, 23};
        f.caps.retype(f.boot, f.slot(20), CapType.FRAME, 0, PAGE, 3, f.slot(21));
        f.caps.mint(f.boot, f.slot(22), f.slot(24), Rights.READ);
        for (int i = 0; i < frames.length; i++)
        {
            f.map(frames[i], 10 * i, 1, RW);
            f.mmu.writeLong(f.space, 10 * i * PAGE, i);
        }
        f.map(24, 40, 1, Rights.READ);

        f.caps.revoke(f.boot, f.slot(20));

        for (final int entry : new int[] {0, 10, 20, 40})
        {
            assertEquals(0, f.l1Entry(entry), "entry " + entry);
            assertThrows(PageFaultException.class, () -> f.mmu.readLong(f.space, entry * PAGE));
        }
        assertEquals(4, f.unmapped.size());
        assertEquals(4, f.vnodes.tableCount(), "the tables came from other RAM and stay");
        f.caps.checkConsistency();
    }

    @Test
    void shouldDetachADeletedTableFromItsParentAndForgetWhatWasMappedInIt()
    {
        f.frame(1, 10);
        f.map(10, 0, 1, RW);
        f.mmu.writeLong(f.space, 0, 7);
        final long l1 = f.base(L1);

        f.caps.delete(f.boot, f.slot(L1));

        assertEquals(0, f.mmu.tables().readEntry(f.base(L2), 0), "the L2 entry no longer links it");
        final Translation t = f.mmu.tables().walk(f.base(L4), 0);
        assertEquals(PageTableFormat.L2, t.faultLevel());
        assertEquals(SoftwareTlb.MISS, f.core.tlb().lookup(ASID, 0));
        assertEquals(List.of(f.listenerLine(0, 2L << 20)), f.unmapped, "the table's whole 2 MiB");
        assertTrue(f.cte(10).mappings().isEmpty(), "the frame's record died with the table");
        assertEquals(0, f.mmu.tables().readEntry(l1, 0), "the table's memory is empty");

        // The frame may be mapped again elsewhere, and deleting it now touches no dead table.
        f.retype(CapType.VNODE_L1, PAGE, 11);
        f.vnodes.map(f.boot, L2, 0, f.slot(11));
        f.vnodes.map(f.boot, f.slot(11), 0, f.slot(10), RW, 0, 1);
        assertEquals(7, f.mmu.readLong(f.space, 0));
        f.caps.delete(f.boot, f.slot(10));
        f.caps.checkConsistency();
    }

    @Test
    void shouldUnlinkATableWhenTheCopyThatLinkedItIsDeletedAndLetItBeLinkedAgain()
    {
        f.frame(1, 10);
        f.map(10, 2, 1, RW);
        f.caps.copy(f.boot, f.slot(L1), f.slot(11));
        f.retype(CapType.VNODE_L1, PAGE, 12);

        // Unlink through the L2's own entry, then link through the copy at another entry.
        assertEquals(1, f.vnodes.unmap(f.boot, L2, 0, 1));
        assertTrue(f.cte(L1).mappings().isEmpty());
        assertThrows(PageFaultException.class, () -> f.mmu.readLong(f.space, 2 * PAGE));
        f.vnodes.map(f.boot, L2, 5, f.slot(11));
        final long moved = (5L << 21) + 2 * PAGE;
        assertEquals(new VirtualRange(ASID, f.base(L4), moved, PAGE), f.vnodes.locate(f.cte(10).mappings().get(0)));
        f.mmu.writeLong(f.space, moved, 3);

        f.caps.delete(f.boot, f.slot(11));
        assertEquals(0, f.mmu.tables().readEntry(f.base(L2), 5));
        assertNull(f.vnodes.locate(f.cte(10).mappings().get(0)), "the table lives on, linked nowhere");
        f.vnodes.map(f.boot, L2, 0, L1);
        assertEquals(3, f.mmu.readLong(f.space, 2 * PAGE));
    }

    @Test
    void shouldFreeTheAddressSpaceIdWhenTheRootDies()
    {
        f.frame(1, 10);
        f.map(10, 0, 1, RW);
        f.mmu.readLong(f.space, 0);
        final String wholeFirstEntry = f.listenerLine(0, 1L << 39);

        f.caps.delete(f.boot, f.slot(L4));

        assertEquals(SoftwareTlb.MISS, f.core.tlb().lookup(ASID, 0));
        assertEquals(List.of(wholeFirstEntry), f.unmapped);
        assertEquals(0, f.mmu.tables().readEntry(f.space.l4Table(), 0), "the root's memory is empty");
        assertTrue(f.cte(L3).mappings().isEmpty());
        f.retype(CapType.VNODE_L4, PAGE, 11);
        f.vnodes.bindAddressSpace(f.boot, f.slot(11), ASID);
        f.vnodes.map(f.boot, f.slot(11), 0, L3);
        assertTrue(f.mmu.tables().walk(f.base(11), 0).isMapped(), "the old tables live on under the new root");
    }

    @Test
    void shouldTearDownAWholeAddressSpaceWhenItsRamIsRevoked()
    {
        f.frame(1, 10);
        f.map(10, 0, 1, RW);
        f.mmu.writeLong(f.space, 0, 1);

        f.caps.revoke(f.boot, RAM);

        assertEquals(0, f.vnodes.tableCount());
        assertEquals(SoftwareTlb.MISS, f.core.tlb().lookup(ASID, 0));
        assertThrows(PageFaultException.class, () -> f.mmu.readLong(f.space, 0));
        f.caps.checkConsistency();
    }

    @Test
    void shouldUnmapFramesHeldInADeletedCNode()
    {
        f.retype(CapType.CNODE, 64L << VSpaceFixture.LEAF_BITS, 30);
        f.caps.copy(f.boot, f.slot(30), CSpace.rootSlot(1));
        f.caps.delete(f.boot, f.slot(30));
        final int inLeaf = f.boot.cptr(1, 0);
        f.caps.retype(f.boot, RAM, CapType.FRAME, 32L << 20, PAGE, 1, inLeaf);
        f.vnodes.map(f.boot, L1, 9, inLeaf, RW, 0, 1);
        f.mmu.readLong(f.space, 9 * PAGE);

        f.caps.delete(f.boot, CSpace.rootSlot(1));

        assertEquals(0, f.l1Entry(9));
        assertEquals(List.of(f.listenerLine(9 * PAGE, PAGE)), f.unmapped);
    }
}
