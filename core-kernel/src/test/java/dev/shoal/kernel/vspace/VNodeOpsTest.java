package dev.shoal.kernel.vspace;

import static dev.shoal.kernel.vspace.VSpaceFixture.ASID;
import static dev.shoal.kernel.vspace.VSpaceFixture.L1;
import static dev.shoal.kernel.vspace.VSpaceFixture.L2;
import static dev.shoal.kernel.vspace.VSpaceFixture.L3;
import static dev.shoal.kernel.vspace.VSpaceFixture.L4;
import static dev.shoal.kernel.vspace.VSpaceFixture.PAGE;
import static dev.shoal.kernel.vspace.VSpaceFixture.RAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.MappingInfo;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.paging.PageFault;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.paging.PageTableFormat;

class VNodeOpsTest
{
    private static final Rights RW = Rights.READ_WRITE;
    private static final Rights RX = Rights.READ.with(Rights.EXECUTE);
    private static final Rights RWX = RW.with(Rights.EXECUTE);

    private final VSpaceFixture f = new VSpaceFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldMapAFrameThroughTheTableChainAndRecordItOnTheMappedEntry()
    {
        f.frame(4, 10);
        f.vnodes.map(f.boot, L1, 5, f.slot(10), RW, PAGE, 2);

        f.mmu.writeLong(f.space, 5 * PAGE + 8, 42);
        f.mmu.writeLong(f.space, 6 * PAGE, 43);
        final long frame = f.base(10);
        assertEquals(42, f.caps.memory().map(frame + PAGE + 8, 8).getLong(0), "page 5 is the frame's second page");
        assertEquals(43, f.caps.memory().map(frame + 2 * PAGE, 8).getLong(0));
        assertEquals(42, f.mmu.readLong(f.space, 5 * PAGE + 8));

        final MappingInfo record = new MappingInfo(f.base(L1), 1, 5, 2, PAGE);
        assertEquals(List.of(record), f.cte(10).mappings());
        assertEquals(new VirtualRange(ASID, f.base(L4), 5 * PAGE, 2 * PAGE), f.vnodes.locate(record));
        assertEquals(1, f.cte(L3).mappings().size(), "each link is recorded on the linked table's entry too");
        f.caps.checkConsistency();
    }

    @Test
    void shouldPlaceTablesLinkedAtHigherEntriesAtTheirVirtualAddresses()
    {
        f.retype(CapType.VNODE_L3, PAGE, 11);
        f.retype(CapType.VNODE_L2, PAGE, 12);
        f.retype(CapType.VNODE_L1, PAGE, 13);
        f.frame(1, 14);
        f.vnodes.map(f.boot, L4, 511, f.slot(11));
        f.vnodes.map(f.boot, f.slot(11), 2, f.slot(12));
        f.vnodes.map(f.boot, f.slot(12), 3, f.slot(13));
        f.vnodes.map(f.boot, f.slot(13), 4, f.slot(14), RW, 0, 1);

        final long vaddr = 0xffff_ff80_0000_0000L + (2L << 30) + (3L << 21) + (4L << 12);
        assertEquals(new VirtualRange(ASID, f.base(L4), vaddr, PAGE), f.vnodes.locate(f.cte(14).mappings().get(0)));
        f.mmu.writeLong(f.space, vaddr, 99);
        assertEquals(99, f.caps.memory().map(f.base(14), 8).getLong(0));
    }

    @Test
    void shouldRefuseAWritableMappingOfAReadOnlyFrameAndFaultItsWrites()
    {
        f.frame(1, 10);
        f.mint(10, 11, Rights.READ.with(Rights.GRANT));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.map(11, 0, 1, RW));

        f.map(11, 0, 1, Rights.READ);
        f.caps.memory().map(f.base(10), 8).putLong(0, 5);
        assertEquals(5, f.mmu.readLong(f.space, 0));
        final PageFaultException ex = assertThrows(PageFaultException.class, () -> f.mmu.writeLong(f.space, 0, 6));
        assertEquals(PageFault.Reason.PROTECTION, ex.fault().reason());
        assertEquals(5, f.caps.memory().map(f.base(10), 8).getLong(0), "a refused write leaves memory unchanged");
    }

    @Test
    void shouldGrantNoMoreThanTheMintedFrameAllows()
    {
        f.frame(1, 10);
        f.mint(10, 11, RX);
        f.mint(10, 12, Rights.WRITE);

        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.map(12, 0, 1, RW));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.map(12, 0, 1, Rights.READ));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.map(11, 0, 1, RWX));

        f.map(11, 0, 1, RX);
        f.mmu.fetchLong(f.space, 0);
        assertThrows(PageFaultException.class, () -> f.mmu.writeLong(f.space, 0, 1));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.vnodes.modifyFlags(f.boot, L1, 0, 1, RW));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.vnodes.checkModifyFlags(f.boot, L1, 0, 1, RWX));
    }

    @Test
    void shouldSetNoExecuteUnlessExecuteIsAskedFor()
    {
        f.frame(1, 10);
        f.map(10, 0, 1, RW);
        assertTrue((f.l1Entry(0) & PageTableFormat.NO_EXECUTE) != 0);
        assertThrows(PageFaultException.class, () -> f.mmu.fetchLong(f.space, 0));
        f.vnodes.modifyFlags(f.boot, L1, 0, 1, RWX);
        f.mmu.fetchLong(f.space, 0);
    }

    @Test
    void shouldRefuseEveryChangeThroughAVNodeWithoutWrite()
    {
        f.frame(1, 10);
        f.map(10, 0, 1, RW);
        f.frame(1, 11);
        f.mint(L1, 20, Rights.READ.with(Rights.GRANT));
        f.mint(L2, 21, Rights.READ.with(Rights.GRANT));
        f.retype(CapType.VNODE_L1, PAGE, 22);

        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS,
            () -> f.vnodes.map(f.boot, f.slot(20), 1, f.slot(11), RW, 0, 1));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.vnodes.map(f.boot, f.slot(21), 1, f.slot(22)));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.vnodes.unmap(f.boot, f.slot(20), 0, 1));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS,
            () -> f.vnodes.modifyFlags(f.boot, f.slot(20), 0, 1, Rights.READ));
        assertEquals(42, write42AndRead());
    }

    @Test
    void shouldRefuseToLinkATableTheCallerDoesNotFullyHold()
    {
        f.retype(CapType.VNODE_L1, PAGE, 22);
        f.mint(22, 23, Rights.READ.with(Rights.GRANT));
        f.assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> f.vnodes.map(f.boot, L2, 1, f.slot(23)));
        f.vnodes.map(f.boot, L2, 1, f.slot(22));
    }

    @Test
    void shouldRefuseCapabilitiesOfTheWrongType()
    {
        f.frame(1, 10);
        f.retype(CapType.VNODE_L2, PAGE, 11);
        f.retype(CapType.VNODE_L1, PAGE, 12);
        f.retype(CapType.CNODE, 64 * 16, 13);

        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, L4, 1, f.slot(10), RW, 0, 1));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, L3, 1, f.slot(10), RW, 0, 1));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, L2, 1, f.slot(10), RW, 0, 1));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, L4, 1, f.slot(11)));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, L1, 1, f.slot(12)));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, L1, 1, RAM, RW, 0, 1));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, L1, 1, f.slot(13), RW, 0, 1));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.map(f.boot, f.slot(10), 1, f.slot(12)));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.unmap(f.boot, RAM, 0, 1));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.modifyFlags(f.boot, L2, 0, 1, Rights.READ));
        f.assertFails(ShoalError.WRONG_TYPE, () -> f.vnodes.bindAddressSpace(f.boot, L3, 9));
        f.assertFails(ShoalError.SLOT_EMPTY, () -> f.vnodes.map(f.boot, L1, 1, f.slot(99), RW, 0, 1));
    }

    @Test
    void shouldRefuseEntriesInUseAndTablesLinkedElsewhere()
    {
        f.frame(2, 10);
        f.frame(1, 11);
        f.map(10, 4, 2, RW);
        f.retype(CapType.VNODE_L3, PAGE, 12);

        f.assertFails(ShoalError.MAPPING_EXISTS, () -> f.map(11, 5, 1, RW));
        f.assertFails(ShoalError.MAPPING_EXISTS, () -> f.vnodes.map(f.boot, L4, 0, f.slot(12)));
        f.assertFails(ShoalError.VNODE_ALREADY_INSTALLED, () -> f.vnodes.map(f.boot, L2, 7, L1));
        f.map(11, 6, 1, RW);
    }

    @Test
    void shouldRefuseRangesOutsideTheTableOrTheFrame()
    {
        f.frame(2, 10);
        f.assertFails(ShoalError.VNODE_SLOT_INVALID, () -> f.map(10, 511, 2, RW));
        f.assertFails(ShoalError.VNODE_SLOT_INVALID, () -> f.map(10, -1, 1, RW));
        f.assertFails(ShoalError.VNODE_SLOT_INVALID, () -> f.vnodes.unmap(f.boot, L1, 512, 1));
        f.assertFails(ShoalError.FRAME_RANGE_INVALID, () -> f.map(10, 0, 3, RW));
        f.assertFails(ShoalError.FRAME_RANGE_INVALID,
            () -> f.vnodes.map(f.boot, L1, 0, f.slot(10), RW, PAGE, 2));
        f.assertFails(ShoalError.FRAME_RANGE_INVALID, () -> f.vnodes.map(f.boot, L1, 0, f.slot(10), RW, 100, 1));
        f.assertFails(ShoalError.INVALID_ARGUMENT, () -> f.map(10, 0, 1, Rights.WRITE));
        f.assertFails(ShoalError.INVALID_ARGUMENT, () -> f.map(10, 0, 1, Rights.READ.with(Rights.GRANT)));
        f.assertFails(ShoalError.NOT_MAPPED, () -> f.vnodes.modifyFlags(f.boot, L1, 0, 1, Rights.READ));
    }

    @Test
    void shouldRefuseAnotherCoresCSpaceAndAnAsidInUse()
    {
        final CapOps other = f.machine.core(1).caps();
        final long cnodes = f.machine.core(1).frames().allocate((int)CapOps.bootCNodeBytes(2, 4), 4096);
        final CSpace foreign = other.boot(CapOps.initialRam(1, 1L << 20), cnodes, 2, 4);
        f.assertFails(ShoalError.WRONG_CORE, () -> f.vnodes.unmap(foreign, RAM, 0, 1));

        f.retype(CapType.VNODE_L4, PAGE, 11);
        f.assertFails(ShoalError.ASID_IN_USE, () -> f.vnodes.bindAddressSpace(f.boot, f.slot(11), ASID));
        f.assertFails(ShoalError.INVALID_ARGUMENT, () -> f.vnodes.bindAddressSpace(f.boot, L4, ASID + 1));
        assertEquals(f.space, f.vnodes.bindAddressSpace(f.boot, L4, ASID), "binding again is harmless");
    }

    @Test
    void shouldUnmapPartOfAMappingAndKeepTheRestRecorded()
    {
        f.frame(4, 10);
        f.map(10, 8, 4, RW);
        for (int i = 8; i < 12; i++)
        {
            f.mmu.writeLong(f.space, i * PAGE, i);
        }
        final int cachedBefore = f.core.tlb().size();

        assertEquals(2, f.vnodes.unmap(f.boot, L1, 9, 2));

        assertEquals(List.of(new MappingInfo(f.base(L1), 1, 8, 1, 0), new MappingInfo(f.base(L1), 1, 11, 1, 3 * PAGE)),
            f.cte(10).mappings());
        assertEquals(cachedBefore - 2, f.core.tlb().size(), "the two pages' translations are gone");
        assertEquals(List.of(f.listenerLine(9 * PAGE, 2 * PAGE)), f.unmapped);
        assertThrows(PageFaultException.class, () -> f.mmu.readLong(f.space, 9 * PAGE));
        assertEquals(11, f.mmu.readLong(f.space, 11 * PAGE));
        assertEquals(0, f.vnodes.unmap(f.boot, L1, 9, 2), "empty entries are skipped");

        assertEquals(2, f.vnodes.unmap(f.boot, L1, 0, 512));
        assertTrue(f.cte(10).mappings().isEmpty());
        f.caps.checkConsistency();
    }

    @Test
    void shouldTellTheListenerWhenRightsAreTakenAwayButNotWhenGivenBack()
    {
        f.frame(2, 10);
        f.map(10, 0, 2, RW);
        f.mmu.writeLong(f.space, 0, 1);

        f.vnodes.modifyFlags(f.boot, L1, 0, 2, Rights.READ);
        assertEquals(List.of(f.listenerLine(0, 2 * PAGE)), f.unmapped);
        assertThrows(PageFaultException.class, () -> f.mmu.writeLong(f.space, 0, 2), "the cached writable entry went");
        assertEquals(1, f.mmu.readLong(f.space, 0));

        f.vnodes.modifyFlags(f.boot, L1, 0, 2, RW);
        assertEquals(1, f.unmapped.size(), "widening needs no shootdown");
        f.mmu.writeLong(f.space, 0, 2);
        assertEquals(2, f.mmu.readLong(f.space, 0));
    }

    @Test
    void shouldChargeInvalidationsToTheCoresClock()
    {
        f.frame(1, 10);
        f.map(10, 0, 1, RW);
        f.mmu.readLong(f.space, 0);
        final long before = f.core.clock().now();
        f.vnodes.unmap(f.boot, L1, 0, 1);
        assertTrue(f.core.clock().now() > before);
    }

    private long write42AndRead()
    {
        f.mmu.writeLong(f.space, 0, 42);
        return f.mmu.readLong(f.space, 0);
    }
}
