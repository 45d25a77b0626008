package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.L1;
import static dev.shoal.kernel.paging.PageTableFormat.L4;
import static dev.shoal.kernel.paging.PageTableFormat.NO_EXECUTE;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.USER;
import static dev.shoal.kernel.paging.PageTableFormat.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.shoal.kernel.CycleClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryAccessTest
{
    private static final long RW = WRITABLE | USER;
    private static final long RO = USER;
    private static final long VA = 0x40_0000L;

    private final PagingFixture fx = new PagingFixture();
    private final PageTables tables = fx.tables;
    private final SoftwareTlb tlb = new SoftwareTlb();
    private final CycleClock clock = new CycleClock();
    private final PagingCosts costs = PagingCosts.DEFAULT;
    private final MemoryAccess mmu = new MemoryAccess(tables, tlb, clock, costs);
    private final List<PageFault> faults = new ArrayList<>();
    private final AddressSpace space = new AddressSpace(1, fx.page(), fault ->
    {
        faults.add(fault);
        return PageFaultHandler.Resolution.FAIL;
    });

    @AfterEach
    void close()
    {
        fx.close();
    }

    @Test
    void shouldReachThePhysicalBytesOfTheMappedFrame()
    {
        final long frame = map(VA, RW);

        mmu.writeLong(space, VA + 0x10, 0x1122_3344_5566_7788L);
        mmu.writeByte(space, VA + 0xFFF, (byte)0x5A);
        fx.pokeLong(frame + 0x20, 77);

        assertEquals(0x1122_3344_5566_7788L, fx.peekLong(frame + 0x10));
        assertEquals((byte)0x5A, fx.memory.map(frame + 0xFFF, 1).getByte(0));
        assertEquals(77, mmu.readLong(space, VA + 0x20));
        assertEquals((byte)0x5A, mmu.readByte(space, VA + 0xFFF));
        assertEquals(frame + 0x20, mmu.translate(space, VA + 0x20, AccessKind.READ));
    }

    @Test
    void shouldSeeOneFrameThroughTwoAliasedPages()
    {
        final long frame = map(VA, RW);
        final long alias = 0x7F00_0000_0000L;
        tables.map(space.l4Table(), alias, frame, PAGE_SIZE, RW, fx.allocator());

        mmu.writeLong(space, VA + 8, 1234);

        assertEquals(1234, mmu.readLong(space, alias + 8));
        mmu.writeLong(space, alias + 8, 5678);
        assertEquals(5678, mmu.readLong(space, VA + 8));
    }

    @Test
    void shouldUpcallAFaultForAnUnmappedReadAndLeaveTheDestinationAlone()
    {
        final byte[] dst = new byte[16];
        Arrays.fill(dst, (byte)0x33);

        final PageFaultException ex = assertThrows(PageFaultException.class,
            () -> mmu.readBytes(space, 0x9000, dst, 0, dst.length));

        final PageFault expected = new PageFault(0x9000, AccessKind.READ, PageFault.Reason.NOT_MAPPED, L4);
        assertEquals(List.of(expected), faults, "delivered to the handler once");
        assertEquals(expected, ex.fault());
        final byte[] untouched = new byte[16];
        Arrays.fill(untouched, (byte)0x33);
        assertArrayEquals(untouched, dst);

        map(0x1000, RW);
        assertEquals(L1, assertThrows(PageFaultException.class, () -> mmu.readLong(space, 0x9000)).fault().level(),
            "now the tables exist down to L1");
    }

    @Test
    void shouldFaultOnAWriteToAReadOnlyPageAndLeaveMemoryUnchanged()
    {
        final long frame = map(VA, RO);
        fx.pokeLong(frame, 7);
        final PageFault expected = new PageFault(VA, AccessKind.WRITE, PageFault.Reason.PROTECTION, L1);

        assertEquals(expected, assertThrows(PageFaultException.class, () -> mmu.writeLong(space, VA, 8)).fault(),
            "found by a walk");
        assertEquals(7, mmu.readLong(space, VA), "reading is allowed, and caches the read-only translation");
        assertEquals(expected, assertThrows(PageFaultException.class, () -> mmu.writeLong(space, VA, 9)).fault(),
            "found in the TLB");

        assertEquals(7, fx.peekLong(frame));
        assertEquals(2, faults.size());
    }

    @Test
    void shouldWriteNothingWhenALaterPageOfTheAccessFaults()
    {
        final long first = map(VA, RW);
        map(VA + PAGE_SIZE, RO);
        final byte[] src = new byte[200];
        Arrays.fill(src, (byte)1);

        final PageFaultException ex = assertThrows(PageFaultException.class,
            () -> mmu.writeBytes(space, VA + PAGE_SIZE - 100, src, 0, src.length));

        assertEquals(VA + PAGE_SIZE, ex.fault().vaddr());
        assertEquals(PageFault.Reason.PROTECTION, ex.fault().reason());
        assertEquals(0, fx.peekLong(first + PAGE_SIZE - 8), "the mapped first page was not written either");
        assertThrows(PageFaultException.class, () -> mmu.writeLong(space, VA + PAGE_SIZE - 4, -1L));
        assertEquals(0, fx.peekLong(first + PAGE_SIZE - 8), "nor by a page-spanning long");
    }

    @Test
    void shouldRetryAfterTheHandlerMapsThePage()
    {
        final List<Long> frames = new ArrayList<>();
        final AddressSpace demandPaged = space.withFaultHandler(fault ->
        {
            final long frame = fx.page();
            frames.add(frame);
            tables.map(space.l4Table(), fault.vaddr() & ~PageTableFormat.PAGE_MASK, frame, PAGE_SIZE, RW,
                fx.allocator());
            return PageFaultHandler.Resolution.RETRY;
        });

        mmu.writeLong(demandPaged, 0x7000_0008L, 99);

        assertEquals(99, mmu.readLong(demandPaged, 0x7000_0008L));
        assertEquals(1, frames.size());
        assertEquals(99, fx.peekLong(frames.getFirst() + 8));
        assertEquals(1, mmu.faults());
    }

    @Test
    void shouldRetranslateEarlierPagesOfAnAccessAfterTheHandlerRan()
    {
        final long oldFrame = map(VA, RW);
        final long newFrame = fx.page();
        final AddressSpace moving = space.withFaultHandler(fault ->
        {
            // While repairing the second page, the handler also moves the first one elsewhere.
            tables.unmap(space.l4Table(), VA, PAGE_SIZE);
            tables.map(space.l4Table(), VA, newFrame, PAGE_SIZE, RW, fx.allocator());
            mmu.invalidate(space, VA, PAGE_SIZE);
            tables.map(space.l4Table(), fault.vaddr(), fx.page(), PAGE_SIZE, RW, fx.allocator());
            return PageFaultHandler.Resolution.RETRY;
        });

        mmu.writeLong(moving, VA + PAGE_SIZE - 4, -1L);

        assertEquals(0, fx.peekLong(oldFrame + PAGE_SIZE - 8), "nothing written through the old translation");
        assertEquals(0xFFFF_FFFF_0000_0000L, fx.peekLong(newFrame + PAGE_SIZE - 8));
    }

    @Test
    void shouldLetTheHandlerUpgradeRightsWithoutInvalidatingTheFaultingEntry()
    {
        map(VA, RO);
        mmu.readLong(space, VA);
        final AddressSpace copyOnWrite = space.withFaultHandler(fault ->
        {
            tables.protect(space.l4Table(), VA, PAGE_SIZE, RW);
            return PageFaultHandler.Resolution.RETRY;
        });

        mmu.writeLong(copyOnWrite, VA, 5);

        assertEquals(5, mmu.readLong(space, VA), "the faulting TLB entry was dropped, so the retry walked");
    }

    @Test
    void shouldFailWhenTheHandlerRetriesWithoutRepairing()
    {
        final int[] calls = new int[1];
        final AddressSpace stubborn = space.withFaultHandler(fault ->
        {
            calls[0]++;
            return PageFaultHandler.Resolution.RETRY;
        });

        final PageFaultException ex = assertThrows(PageFaultException.class, () -> mmu.readLong(stubborn, VA));

        assertEquals(1, calls[0]);
        assertTrue(ex.getMessage().contains("without repairing"), ex.getMessage());
    }

    @Test
    void shouldTranslateThroughAStaleEntryUntilItIsInvalidated()
    {
        final long oldFrame = map(VA, RW);
        fx.pokeLong(oldFrame, 1);
        assertEquals(1, mmu.readLong(space, VA));

        tables.unmap(space.l4Table(), VA, PAGE_SIZE);
        assertEquals(1, mmu.readLong(space, VA), "like hardware, the TLB does not see the unmap");

        assertEquals(1, mmu.invalidate(space, VA, PAGE_SIZE));
        final PageFaultException ex = assertThrows(PageFaultException.class, () -> mmu.readLong(space, VA));
        assertEquals(PageFault.Reason.NOT_MAPPED, ex.fault().reason());

        final long newFrame = map(VA, RW);
        fx.pokeLong(newFrame, 2);
        assertEquals(2, mmu.readLong(space, VA));
        assertEquals(1, fx.peekLong(oldFrame));
    }

    @Test
    void shouldChargeAWalkOnAMissAndOneCycleOnAHit()
    {
        map(VA, RW);
        map(VA + PAGE_SIZE, RW);

        assertEquals(costs.tlbHit() + 4 * costs.tableRead(), cyclesOf(() -> mmu.readLong(space, VA)));
        assertEquals(costs.tlbHit(), cyclesOf(() -> mmu.readLong(space, VA + 8)));
        assertEquals(1, mmu.walks());
        assertEquals(1, tlb.hits());
        assertEquals(1, tlb.misses());

        assertEquals(2 * costs.tlbHit() + 4 * costs.tableRead(),
            cyclesOf(() -> mmu.readLong(space, VA + PAGE_SIZE - 4)),
            "a page-spanning access pays per page: a hit on the first, a walk for the second");
        assertEquals(costs.tlbHit() + costs.tableRead() + costs.faultUpcall(),
            cyclesOf(() -> assertThrows(PageFaultException.class, () -> mmu.readLong(space, 1L << 39))),
            "a miss that stops at L4 reads one entry, then upcalls");
    }

    @Test
    void shouldChargeInvalidationsPageByPageUpToTheCeilingThenFlushTheSpace()
    {
        for (int p = 0; p < 40; p++)
        {
            tlb.insert(space.asid(), VA + (long)p * PAGE_SIZE, PageTableFormat.entry(0x1000, RW | PageTableFormat.PRESENT));
        }
        tlb.insert(2, VA, PageTableFormat.entry(0x1000, RW | PageTableFormat.PRESENT));

        assertEquals(2 * costs.invalidatePage(), cyclesOf(() -> mmu.invalidate(space, VA, 2 * PAGE_SIZE)));
        assertEquals(39, tlb.size());
        assertEquals(costs.flushAll(), cyclesOf(() -> mmu.invalidate(space, VA, 34L * PAGE_SIZE)));
        assertEquals(1, tlb.size(), "beyond 33 pages the whole space is dropped; other spaces stay");
    }

    @Test
    void shouldRefuseSupervisorPagesAndFetchesFromNoExecutePages()
    {
        map(VA, WRITABLE);
        map(VA + PAGE_SIZE, USER | NO_EXECUTE);
        map(VA + 2 * PAGE_SIZE, USER);

        assertEquals(PageFault.Reason.PROTECTION,
            assertThrows(PageFaultException.class, () -> mmu.readLong(space, VA)).fault().reason(),
            "a dispatcher may not touch a supervisor page");
        assertEquals(0, mmu.readLong(space, VA + PAGE_SIZE));
        final PageFault noExec = assertThrows(PageFaultException.class,
            () -> mmu.fetchLong(space, VA + PAGE_SIZE)).fault();
        assertEquals(AccessKind.EXECUTE, noExec.access());
        assertEquals(PageFault.Reason.PROTECTION, noExec.reason());
        assertEquals(0, mmu.fetchLong(space, VA + 2 * PAGE_SIZE));
    }

    @Test
    void shouldFailANonCanonicalAddressWithoutAnUpcall()
    {
        final PageFaultException ex = assertThrows(PageFaultException.class,
            () -> mmu.readLong(space, 0x0000_8000_0000_0000L));

        assertEquals(PageFault.Reason.NON_CANONICAL, ex.fault().reason());
        assertEquals(0, ex.fault().level());
        assertTrue(faults.isEmpty());
    }

    @Test
    void shouldTagTranslationsWithTheirAddressSpace()
    {
        final long frameA = map(VA, RW);
        final AddressSpace other = new AddressSpace(2, fx.page());
        final long frameB = fx.page();
        tables.map(other.l4Table(), VA, frameB, PAGE_SIZE, RW, fx.allocator());
        fx.pokeLong(frameA, 10);
        fx.pokeLong(frameB, 20);

        assertEquals(10, mmu.readLong(space, VA));
        assertEquals(20, mmu.readLong(other, VA));
        assertEquals(10, mmu.readLong(space, VA));
        assertEquals(20, mmu.readLong(other, VA));
        assertEquals(2, tlb.misses());
        assertEquals(2, tlb.hits());
    }

    @Test
    void shouldSplitALongThatSpansTwoNonContiguousFrames()
    {
        final long low = map(VA, RW);
        fx.page();
        final long high = map(VA + PAGE_SIZE, RW);

        mmu.writeLong(space, VA + PAGE_SIZE - 4, 0x0102_0304_0506_0708L);

        assertEquals(0x0102_0304_0506_0708L, mmu.readLong(space, VA + PAGE_SIZE - 4));
        final byte[] bytes = new byte[8];
        fx.memory.map(low + PAGE_SIZE - 4, 4).getBytes(0, bytes, 0, 4);
        fx.memory.map(high, 4).getBytes(0, bytes, 4, 4);
        assertEquals(0x0102_0304_0506_0708L, new UnsafeBuffer(bytes).getLong(0), "four bytes in each frame");
    }

    @Test
    void shouldChargeTheClockOfTheCoreItBelongsTo()
    {
        final MemoryAccess coreMmu = MemoryAccess.forCore(fx.machine.core(0), new SoftwareTlb(), costs);
        map(VA, RW);
        final long before = fx.machine.core(0).clock().now();

        coreMmu.readLong(space, VA);

        assertEquals(costs.tlbHit() + 4 * costs.tableRead(), fx.machine.core(0).clock().now() - before);
    }

    /** Maps a fresh frame at {@code vaddr} in {@link #space}; returns the frame. */
    private long map(final long vaddr, final long flags)
    {
        final long frame = fx.page();
        tables.map(space.l4Table(), vaddr, frame, PAGE_SIZE, flags, fx.allocator());
        return frame;
    }

    private long cyclesOf(final Runnable access)
    {
        final long before = clock.now();
        access.run();
        return clock.now() - before;
    }
}
