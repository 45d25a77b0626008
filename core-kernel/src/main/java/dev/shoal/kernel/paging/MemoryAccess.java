package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.PAGE_MASK;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SHIFT;

import java.util.Objects;
import java.util.function.LongConsumer;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.CycleClock;
import dev.shoal.kernel.PhysicalMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A core's memory-management unit: user-mode accesses to virtual addresses, translated through the core's
 * {@link SoftwareTlb} and, on a miss, by walking the address space's page tables, with the cycles charged to the
 * core's clock. The libOS's memory accessors sit on this.
 *
 * <p>An access is never allowed silently. If the translation is missing, or lacks the right the access needs
 * (see {@link AccessKind}), the access does not touch memory: it raises a {@link PageFault}, upcalled to the
 * address space's {@link PageFaultHandler}. On {@code RETRY} the access translates again; on {@code FAIL}, or when
 * the same fault comes straight back after a {@code RETRY}, it throws {@link PageFaultException}. A multi-page
 * access translates every page it touches before it reads or writes any byte, so a fault leaves memory as it was.
 *
 * <p>Costs ({@link PagingCosts}): every page an access touches pays {@code tlbHit}; a miss adds
 * {@code tableRead} per entry the walk reads; each upcall adds {@code faultUpcall}. The data movement itself is
 * not charged here, but for first touches: with the core's {@link TouchedLines}, a table entry or a line of data
 * that the core never touched before is a miss to memory and costs the machine's DRAM latency from the core to the
 * line's home node (instead of {@code tableRead} for an entry; on top of nothing for data). Without them (a
 * machine that models no memory latency) every entry read costs {@code tableRead} and data nothing.
 *
 * <p>As with hardware, the TLB is not coherent with the tables: after {@link PageTables#unmap} or
 * {@link PageTables#protect}, call {@link #invalidate} (and have other cores do the same) or the old translation
 * keeps working.
 *
 * <p>Threading: core-local, like its TLB and clock. Only code running on the owning core calls it. The fault
 * handler may block; this class keeps nothing across the upcall but the faulting address, and re-translates after
 * it.
 */
public final class MemoryAccess
{
    private final PageTables tables;
    private final PhysicalMemory memory;
    private final SoftwareTlb tlb;
    private final CycleClock clock;
    private final PagingCosts costs;
    private final TouchedLines lines;
    private final LongConsumer entryPricer = this::priceEntryRead;
    private long walkCycles;
    private long walks;
    private long faults;

    public MemoryAccess(final PageTables tables, final SoftwareTlb tlb, final CycleClock clock,
        final PagingCosts costs)
    {
        this(tables, tlb, clock, costs, null);
    }

    /** @param lines the core's touched lines, pricing first touches as misses to memory; null to price none. */
    public MemoryAccess(final PageTables tables, final SoftwareTlb tlb, final CycleClock clock,
        final PagingCosts costs, final TouchedLines lines)
    {
        this.lines = lines;
        this.tables = Objects.requireNonNull(tables, "tables");
        this.memory = tables.memory();
        this.tlb = Objects.requireNonNull(tlb, "tlb");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.costs = Objects.requireNonNull(costs, "costs");
    }

    /**
     * The MMU of {@code core}: its machine's memory, its clock, its {@link Core#touchedLines() touched lines}, and
     * {@code tlb}, which must be that core's.
     */
    public static MemoryAccess forCore(final Core core, final SoftwareTlb tlb, final PagingCosts costs)
    {
        return new MemoryAccess(new PageTables(core.machine().physicalMemory()), tlb, core.clock(), costs,
            core.touchedLines());
    }

    public PageTables tables()
    {
        return tables;
    }

    public SoftwareTlb tlb()
    {
        return tlb;
    }

    /** Page-table walks done (TLB misses, including walks that found no mapping). */
    public long walks()
    {
        return walks;
    }

    /** Page faults upcalled to handlers. */
    public long faults()
    {
        return faults;
    }

    /**
     * Translates {@code vaddr} for an access of {@code access} in {@code space}, faulting as described above.
     *
     * @return the physical address of the byte at {@code vaddr}.
     * @throws PageFaultException when the fault was not repaired.
     */
    public long translate(final AddressSpace space, final long vaddr, final AccessKind access)
    {
        if (!PageTableFormat.isCanonical(vaddr))
        {
            throw new PageFaultException(new PageFault(vaddr, access, PageFault.Reason.NON_CANONICAL, 0),
                "general protection, not upcalled");
        }
        final int asid = space.asid();
        PageFault previous = null;
        while (true)
        {
            clock.advance(costs.tlbHit());
            final long cached = tlb.lookup(asid, vaddr);
            final PageFault fault;
            if (cached != SoftwareTlb.MISS)
            {
                if (access.permittedBy(cached))
                {
                    return PageTableFormat.address(cached) | (vaddr & PAGE_MASK);
                }
                // x86 drops the entry whose use faulted, so the retry reads the tables the handler may have fixed.
                tlb.invalidate(asid, vaddr, 1);
                fault = new PageFault(vaddr, access, PageFault.Reason.PROTECTION, PageTableFormat.L1);
            }
            else
            {
                final Translation t = walk(space.l4Table(), vaddr);
                walks++;
                if (!t.isMapped())
                {
                    fault = new PageFault(vaddr, access, PageFault.Reason.NOT_MAPPED, t.faultLevel());
                }
                else if (!access.permittedBy(t.flags()))
                {
                    // Not cached: like hardware, a translation whose use faulted does not stay in the TLB.
                    fault = new PageFault(vaddr, access, PageFault.Reason.PROTECTION, PageTableFormat.L1);
                }
                else
                {
                    tlb.insert(asid, vaddr, PageTableFormat.entry(t.frame(), t.flags()));
                    return t.physical();
                }
            }
            if (fault.equals(previous))
            {
                throw new PageFaultException(fault, "handler returned RETRY without repairing the mapping");
            }
            faults++;
            clock.advance(costs.faultUpcall());
            final PageFaultHandler.Resolution resolution = space.faultHandler().onPageFault(fault);
            if (resolution != PageFaultHandler.Resolution.RETRY)
            {
                throw new PageFaultException(fault, "handler returned " + resolution);
            }
            previous = fault;
        }
    }

    /** Walks the tables for {@code vaddr}, charging each entry read as a table read or, on a first touch, a miss. */
    private Translation walk(final long l4Table, final long vaddr)
    {
        if (lines == null)
        {
            final Translation t = tables.walk(l4Table, vaddr);
            clock.advance(costs.walk(t.reads()));
            return t;
        }
        walkCycles = 0;
        final Translation t = tables.walk(l4Table, vaddr, entryPricer);
        clock.advance(walkCycles);
        return t;
    }

    private void priceEntryRead(final long entry)
    {
        final long miss = lines.touch(entry);
        walkCycles += miss < 0 ? costs.tableRead() : miss;
    }

    /** The bytes at {@code physical}, charging the misses of the lines the core touches for the first time. */
    private AtomicBuffer data(final long physical, final int length)
    {
        if (lines != null)
        {
            clock.advance(lines.touch(physical, length));
        }
        return memory.map(physical, length);
    }

    public byte readByte(final AddressSpace space, final long vaddr)
    {
        return data(translate(space, vaddr, AccessKind.READ), 1).getByte(0);
    }

    public void writeByte(final AddressSpace space, final long vaddr, final byte value)
    {
        data(translate(space, vaddr, AccessKind.WRITE), 1).putByte(0, value);
    }

    /** Reads 8 bytes in the host's byte order (that of every other view of physical memory); may span pages. */
    public long readLong(final AddressSpace space, final long vaddr)
    {
        return loadLong(space, vaddr, AccessKind.READ);
    }

    /** Reads 8 bytes as an instruction fetch: as {@link #readLong} but needing execute rights. */
    public long fetchLong(final AddressSpace space, final long vaddr)
    {
        return loadLong(space, vaddr, AccessKind.EXECUTE);
    }

    /** Writes 8 bytes in the host's byte order; may span pages, and then writes neither unless both translate. */
    public void writeLong(final AddressSpace space, final long vaddr, final long value)
    {
        if (fitsInPage(vaddr, Long.BYTES))
        {
            data(translate(space, vaddr, AccessKind.WRITE), Long.BYTES).putLong(0, value);
            return;
        }
        final byte[] bytes = new byte[Long.BYTES];
        new UnsafeBuffer(bytes).putLong(0, value);
        writeBytes(space, vaddr, bytes, 0, Long.BYTES);
    }

    /** Copies {@code length} bytes from {@code vaddr} into {@code dst}; any number of pages. */
    public void readBytes(final AddressSpace space, final long vaddr, final byte[] dst, final int offset,
        final int length)
    {
        Objects.checkFromIndexSize(offset, length, dst.length);
        copy(space, vaddr, dst, offset, length, AccessKind.READ);
    }

    /** Copies {@code length} bytes of {@code src} to {@code vaddr}: all of them, or none if a fault fails. */
    public void writeBytes(final AddressSpace space, final long vaddr, final byte[] src, final int offset,
        final int length)
    {
        Objects.checkFromIndexSize(offset, length, src.length);
        copy(space, vaddr, src, offset, length, AccessKind.WRITE);
    }

    /**
     * Invalidates this core's translations of {@code space} for {@code [vaddr, vaddr + bytes)}: page by page up to
     * {@link PagingCosts#flushCeilingPages()} pages, beyond that by dropping all of the space's entries (Linux's
     * policy), charging the cost of whichever was done.
     *
     * @return the number of TLB entries dropped.
     */
    public int invalidate(final AddressSpace space, final long vaddr, final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("invalidation length must be positive: " + bytes);
        }
        final long lastOffset = (vaddr & PAGE_MASK) + (bytes - 1);
        // A length near Long.MAX_VALUE overflows the sum; it is certainly beyond the ceiling.
        final long pages = lastOffset < 0 ? Long.MAX_VALUE : (lastOffset >>> PAGE_SHIFT) + 1;
        if (pages > costs.flushCeilingPages())
        {
            return invalidateAll(space);
        }
        clock.advance(pages * costs.invalidatePage());
        return tlb.invalidate(space.asid(), vaddr, bytes);
    }

    /** Drops all of this core's translations of {@code space} (a CR3 reload), charging {@code flushAll}. */
    public int invalidateAll(final AddressSpace space)
    {
        clock.advance(costs.flushAll());
        return tlb.invalidateAll(space.asid());
    }

    /** Drops every translation of this core's TLB, charging {@code flushAll}. */
    public int flush()
    {
        clock.advance(costs.flushAll());
        return tlb.flush();
    }

    private long loadLong(final AddressSpace space, final long vaddr, final AccessKind access)
    {
        if (fitsInPage(vaddr, Long.BYTES))
        {
            return data(translate(space, vaddr, access), Long.BYTES).getLong(0);
        }
        final byte[] bytes = new byte[Long.BYTES];
        copy(space, vaddr, bytes, 0, Long.BYTES, access);
        return new UnsafeBuffer(bytes).getLong(0);
    }

    private void copy(final AddressSpace space, final long vaddr, final byte[] array, final int offset,
        final int length, final AccessKind access)
    {
        if (length == 0)
        {
            return;
        }
        if (fitsInPage(vaddr, length))
        {
            // Most copies (a key, a small value) lie in one page: one translation and no page list.
            move(data(translate(space, vaddr, access), length), array, offset, length, access);
            return;
        }
        final long[] physical = translatePages(space, vaddr, length, access);
        int done = 0;
        for (int i = 0; i < physical.length; i++)
        {
            final int chunk = (int)Math.min(length - done, PageTableFormat.PAGE_SIZE - (physical[i] & PAGE_MASK));
            move(data(physical[i], chunk), array, offset + done, chunk, access);
            done += chunk;
        }
    }

    private static void move(final AtomicBuffer view, final byte[] array, final int offset, final int length,
        final AccessKind access)
    {
        if (access == AccessKind.WRITE)
        {
            view.putBytes(0, array, offset, length);
        }
        else
        {
            view.getBytes(0, array, offset, length);
        }
    }

    /**
     * Translates every page that {@code [vaddr, vaddr + length)} touches, before any byte moves. A fault repaired
     * during a pass may have changed pages translated earlier in it (the handler can do anything, or block while
     * others do), so the pass repeats until one completes without a fault.
     */
    private long[] translatePages(final AddressSpace space, final long vaddr, final int length,
        final AccessKind access)
    {
        final int pages = (int)(((vaddr & PAGE_MASK) + length - 1) >>> PAGE_SHIFT) + 1;
        final long[] physical = new long[pages];
        final long firstPage = vaddr & ~PAGE_MASK;
        while (true)
        {
            final long faultsBefore = faults;
            physical[0] = translate(space, vaddr, access);
            for (int i = 1; i < pages; i++)
            {
                physical[i] = translate(space, firstPage + ((long)i << PAGE_SHIFT), access);
            }
            if (faults == faultsBefore)
            {
                return physical;
            }
        }
    }

    private static boolean fitsInPage(final long vaddr, final int length)
    {
        return (vaddr & PAGE_MASK) + length <= PageTableFormat.PAGE_SIZE;
    }
}
