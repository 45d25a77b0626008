package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.ACCESSED;
import static dev.shoal.kernel.paging.PageTableFormat.DIRTY;
import static dev.shoal.kernel.paging.PageTableFormat.ENTRIES;
import static dev.shoal.kernel.paging.PageTableFormat.L1;
import static dev.shoal.kernel.paging.PageTableFormat.L2;
import static dev.shoal.kernel.paging.PageTableFormat.L4;
import static dev.shoal.kernel.paging.PageTableFormat.MAPPING_FLAGS;
import static dev.shoal.kernel.paging.PageTableFormat.NO_EXECUTE;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_MASK;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SHIFT;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.PRESENT;
import static dev.shoal.kernel.paging.PageTableFormat.TABLE_FLAGS;
import static dev.shoal.kernel.paging.PageTableFormat.TABLE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.USER;
import static dev.shoal.kernel.paging.PageTableFormat.WRITABLE;
import static dev.shoal.kernel.paging.PageTableFormat.address;
import static dev.shoal.kernel.paging.PageTableFormat.entry;
import static dev.shoal.kernel.paging.PageTableFormat.entryOffset;
import static dev.shoal.kernel.paging.PageTableFormat.entrySpan;
import static dev.shoal.kernel.paging.PageTableFormat.index;
import static dev.shoal.kernel.paging.PageTableFormat.isPresent;
import static dev.shoal.kernel.paging.PageTableFormat.levelName;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

import dev.shoal.kernel.PhysicalMemory;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Operations on four-level page tables that live in simulated physical memory (layout in {@link PageTableFormat}):
 * each table is a 4 KiB frame named by its physical address. This is mechanism only; who may change which table
 * is decided by the capabilities that name them (VNode and Frame), a layer above.
 *
 * <p>Two kinds of operation. Slot operations ({@link #installTable}, {@link #mapPage}, {@link #protectPage},
 * {@link #clearEntry}) change one entry of one table, as the kernel's {@code vnode_map} does. Range operations
 * ({@link #map}, {@link #unmap}, {@link #protect}, {@link #mappings}) take a root (L4) table and a page-aligned
 * virtual range, which may span any number of table boundaries.
 *
 * <p>Errors. Bad input — an unaligned, non-canonical or out-of-range address, a bad level, index or flag, an entry
 * already in use, {@code protect} of a page that is not mapped — throws {@link PagingException}, always before the
 * first entry is written, so the tables are unchanged. (The one exception: if a {@link TableAllocator} fails
 * part-way through {@code map}, the tables it already supplied stay installed, empty.) {@link #walk} does not
 * throw for an unmapped address: it returns a {@link Translation} naming the level where the walk stopped.
 * {@link #unmap} skips pages that are not mapped and returns what it did remove, as {@code munmap} does.
 *
 * <p>Nothing here touches a TLB: after {@code unmap} or {@code protect} the caller must invalidate (locally and,
 * for tables other cores use, by shootdown) before the change is guaranteed visible to accesses.
 *
 * <p>Threading: the class holds no mutable state. One set of tables must be changed by one thread at a time — in
 * Shoal the core that owns their VNode capabilities. Entries are written with release stores and read with
 * acquire loads, so a walk on another core (a domain spanning cores shares its tables) never sees a torn entry or
 * a newly linked table before its zeroing.
 */
public final class PageTables
{
    private final PhysicalMemory memory;

    public PageTables(final PhysicalMemory memory)
    {
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    public PhysicalMemory memory()
    {
        return memory;
    }

    /** Entry {@code index} of the table at {@code table}. */
    public long readEntry(final long table, final int index)
    {
        checkTable(table, "table");
        checkIndex(index);
        return read(table, index);
    }

    /**
     * Links {@code childTable} into entry {@code index} of {@code parentTable}, a table of {@code level} (4, 3 or
     * 2); the child is then a table of {@code level - 1}. The entry gets {@link PageTableFormat#TABLE_FLAGS}. The
     * child must already be zeroed (a retyped VNode is).
     *
     * @throws PagingException SLOT_IN_USE when the entry is present; BAD_LEVEL, BAD_INDEX, UNALIGNED or
     *                         PHYSICAL_OUT_OF_RANGE for bad arguments.
     */
    public void installTable(final long parentTable, final int level, final int index, final long childTable)
    {
        if (level < L2 || level > L4)
        {
            throw new PagingException(PagingError.BAD_LEVEL, "a table links lower tables only at levels 4..2, not " +
                level);
        }
        checkTable(parentTable, "parent table");
        checkTable(childTable, "child table");
        checkIndex(index);
        final long old = read(parentTable, index);
        if (isPresent(old))
        {
            throw slotInUse(parentTable, level, index, old);
        }
        write(parentTable, index, entry(childTable, TABLE_FLAGS));
    }

    /**
     * Maps the page at {@code framePhys} in entry {@code index} of the L1 table {@code l1Table}.
     *
     * @param flags a subset of {@link PageTableFormat#MAPPING_FLAGS}; {@code PRESENT} is implied.
     * @throws PagingException SLOT_IN_USE when the entry is present; BAD_INDEX, BAD_FLAGS, UNALIGNED or
     *                         PHYSICAL_OUT_OF_RANGE for bad arguments.
     */
    public void mapPage(final long l1Table, final int index, final long framePhys, final long flags)
    {
        checkTable(l1Table, "L1 table");
        checkIndex(index);
        checkPhysicalRange(framePhys, PAGE_SIZE);
        checkFlags(flags);
        final long old = read(l1Table, index);
        if (isPresent(old))
        {
            throw slotInUse(l1Table, L1, index, old);
        }
        write(l1Table, index, entry(framePhys, flags | PRESENT));
    }

    /**
     * Replaces the flags of the present entry {@code index} of the L1 table {@code l1Table}, keeping its frame and
     * its accessed and dirty bits, in one store: a walker on another core sees the old entry or the new one, never
     * a gap.
     *
     * @param flags a subset of {@link PageTableFormat#MAPPING_FLAGS}; {@code PRESENT} is implied.
     * @return the previous entry.
     * @throws PagingException NOT_MAPPED when the entry is not present; BAD_INDEX, BAD_FLAGS, UNALIGNED or
     *                         PHYSICAL_OUT_OF_RANGE for bad arguments.
     */
    public long protectPage(final long l1Table, final int index, final long flags)
    {
        checkTable(l1Table, "L1 table");
        checkIndex(index);
        checkFlags(flags);
        final long old = read(l1Table, index);
        if (!isPresent(old))
        {
            throw new PagingException(PagingError.NOT_MAPPED, "L1 table 0x" + Long.toHexString(l1Table) + " entry " +
                index);
        }
        write(l1Table, index, entry(address(old), flags | PRESENT | (old & (ACCESSED | DIRTY))));
        return old;
    }

    /**
     * Clears entry {@code index} of {@code table} (any level), unlinking a page or a lower table.
     *
     * @return the previous entry (0 if it was empty), so the caller knows what it removed.
     */
    public long clearEntry(final long table, final int index)
    {
        checkTable(table, "table");
        checkIndex(index);
        return table(table).getAndSetLong(entryOffset(index), 0L);
    }

    /**
     * Maps {@code bytes} of physical memory from {@code framePhys} at {@code vaddr}, page by page, creating missing
     * L3, L2 and L1 tables with {@code allocator}. All-or-nothing: if any page of the range is already mapped,
     * nothing is changed and no table is allocated.
     *
     * @param flags a subset of {@link PageTableFormat#MAPPING_FLAGS}; {@code PRESENT} is implied.
     * @return how many tables were created.
     * @throws PagingException SLOT_IN_USE naming the first page already mapped; UNALIGNED, NON_CANONICAL,
     *                         BAD_LENGTH, PHYSICAL_OUT_OF_RANGE or BAD_FLAGS for bad arguments; BAD_TABLE if the
     *                         allocator returns an unaligned or out-of-range address.
     */
    public int map(final long l4Table, final long vaddr, final long framePhys, final long bytes, final long flags,
        final TableAllocator allocator)
    {
        checkTable(l4Table, "L4 table");
        checkVirtualRange(vaddr, bytes);
        checkPhysicalRange(framePhys, bytes);
        checkFlags(flags);
        Objects.requireNonNull(allocator, "allocator");
        final long pages = bytes >>> PAGE_SHIFT;

        visit(l4Table, vaddr, pages, new SlotVisitor()
        {
            @Override
            public void slot(final long va, final long l1Table, final int index, final long entry)
            {
                if (isPresent(entry))
                {
                    throw new PagingException(PagingError.SLOT_IN_USE, "virtual page 0x" + Long.toHexString(va) +
                        " is already mapped to 0x" + Long.toHexString(address(entry)));
                }
            }
        });

        // Every table first, then every leaf: an allocator that fails part-way leaves no half-made mapping.
        int created = 0;
        long cursor = vaddr;
        for (long left = pages; left > 0; )
        {
            created += ensureTables(l4Table, cursor, allocator);
            final long n = Math.min(left, ENTRIES - index(cursor, L1));
            cursor += n << PAGE_SHIFT;
            left -= n;
        }

        final long leafFlags = flags | PRESENT;
        visit(l4Table, vaddr, pages, new SlotVisitor()
        {
            @Override
            public void slot(final long va, final long l1Table, final int index, final long entry)
            {
                write(l1Table, index, entry(framePhys + (va - vaddr), leafFlags));
            }

            @Override
            public void gap(final long va, final int level, final long pages)
            {
                throw new IllegalStateException("table missing at " + levelName(level) + " for 0x" +
                    Long.toHexString(va) + " right after it was created");
            }
        });
        return created;
    }

    /**
     * Unmaps every mapped page in {@code [vaddr, vaddr + bytes)}; pages not mapped are skipped. Tables are left in
     * place, even when they become empty: they belong to whoever allocated them.
     *
     * @return what was removed, as runs of contiguous pages with equal flags, in address order.
     * @throws PagingException UNALIGNED, NON_CANONICAL or BAD_LENGTH for a bad range.
     */
    public List<Mapping> unmap(final long l4Table, final long vaddr, final long bytes)
    {
        checkTable(l4Table, "L4 table");
        checkVirtualRange(vaddr, bytes);
        final Runs runs = new Runs();
        visit(l4Table, vaddr, bytes >>> PAGE_SHIFT, new SlotVisitor()
        {
            @Override
            public void slot(final long va, final long l1Table, final int index, final long entry)
            {
                if (isPresent(entry))
                {
                    write(l1Table, index, 0L);
                    runs.add(va, entry);
                }
            }
        });
        return runs.finish();
    }

    /**
     * Replaces the flags of every page in {@code [vaddr, vaddr + bytes)} with {@code flags} ({@code PRESENT}
     * implied), keeping each page's frame. All-or-nothing: every page of the range must be mapped.
     *
     * @return the number of pages changed.
     * @throws PagingException NOT_MAPPED naming the first unmapped page; UNALIGNED, NON_CANONICAL, BAD_LENGTH or
     *                         BAD_FLAGS for bad arguments.
     */
    public long protect(final long l4Table, final long vaddr, final long bytes, final long flags)
    {
        checkTable(l4Table, "L4 table");
        checkVirtualRange(vaddr, bytes);
        checkFlags(flags);
        final long pages = bytes >>> PAGE_SHIFT;
        visit(l4Table, vaddr, pages, new SlotVisitor()
        {
            @Override
            public void slot(final long va, final long l1Table, final int index, final long entry)
            {
                if (!isPresent(entry))
                {
                    throw notMapped(va, L1);
                }
            }

            @Override
            public void gap(final long va, final int level, final long pages)
            {
                throw notMapped(va, level);
            }
        });
        final long leafFlags = flags | PRESENT;
        visit(l4Table, vaddr, pages, new SlotVisitor()
        {
            @Override
            public void slot(final long va, final long l1Table, final int index, final long entry)
            {
                // Accessed and dirty survive a change of rights: they describe the page's past, not its rights.
                write(l1Table, index, entry(address(entry), leafFlags | (entry & (ACCESSED | DIRTY))));
            }
        });
        return pages;
    }

    /**
     * What is mapped in {@code [vaddr, vaddr + bytes)}, as runs of contiguous pages with equal flags. Changes
     * nothing.
     */
    public List<Mapping> mappings(final long l4Table, final long vaddr, final long bytes)
    {
        checkTable(l4Table, "L4 table");
        checkVirtualRange(vaddr, bytes);
        final Runs runs = new Runs();
        visit(l4Table, vaddr, bytes >>> PAGE_SHIFT, new SlotVisitor()
        {
            @Override
            public void slot(final long va, final long l1Table, final int index, final long entry)
            {
                if (isPresent(entry))
                {
                    runs.add(va, entry);
                }
            }
        });
        return runs.finish();
    }

    /**
     * Walks the tables from {@code l4Table} for {@code vaddr} as the hardware walker would, reading one entry per
     * level until a non-present entry or the page.
     *
     * @return the translation with its effective flags, or the level where the walk stopped; never null.
     * @throws PagingException NON_CANONICAL for an address x86-64 would not translate at all; UNALIGNED or
     *                         PHYSICAL_OUT_OF_RANGE for a bad root.
     */
    public Translation walk(final long l4Table, final long vaddr)
    {
        return walk(l4Table, vaddr, null);
    }

    /**
     * As {@link #walk(long, long)}, telling {@code entryRead} (when not null) the physical address of each entry the
     * walk reads, in the order read: what an MMU needs to price the reads by where they hit.
     */
    public Translation walk(final long l4Table, final long vaddr, final LongConsumer entryRead)
    {
        checkTable(l4Table, "L4 table");
        if (!PageTableFormat.isCanonical(vaddr))
        {
            throw new PagingException(PagingError.NON_CANONICAL, "0x" + Long.toHexString(vaddr));
        }
        long table = l4Table;
        long rights = WRITABLE | USER;
        long noExecute = 0;
        int reads = 0;
        for (int level = L4; level >= L1; level--)
        {
            final int index = index(vaddr, level);
            final long e = read(table, index);
            reads++;
            if (entryRead != null)
            {
                entryRead.accept(table + entryOffset(index));
            }
            if (!isPresent(e))
            {
                return Translation.notMapped(level, reads);
            }
            rights &= e;
            noExecute |= e & NO_EXECUTE;
            table = address(e);
        }
        return Translation.mapped(table | (vaddr & PAGE_MASK), PRESENT | rights | noExecute, reads);
    }

    private int ensureTables(final long l4Table, final long va, final TableAllocator allocator)
    {
        int created = 0;
        long table = l4Table;
        for (int level = L4; level > L1; level--)
        {
            final int index = index(va, level);
            final long e = read(table, index);
            if (isPresent(e))
            {
                table = address(e);
                continue;
            }
            final long child = allocator.allocateTable(level - 1);
            if (!PageTableFormat.isPageAligned(child) || !PageTableFormat.fitsEntry(child))
            {
                throw new PagingException(PagingError.BAD_TABLE, "0x" + Long.toHexString(child) + " for a " +
                    levelName(level - 1) + " table");
            }
            // Zero before linking: the release store of the link then publishes a clean table to any walker.
            table(child).setMemory(0, TABLE_SIZE, (byte)0);
            write(table, index, entry(child, TABLE_FLAGS));
            created++;
            table = child;
        }
        return created;
    }

    /**
     * Calls {@code visitor} for each L1 slot of {@code pages} pages from {@code vaddr}, and once per missing table
     * for the pages that table would have covered, so a sparse range costs a walk per table, not per page.
     */
    private void visit(final long l4Table, final long vaddr, final long pages, final SlotVisitor visitor)
    {
        long va = vaddr;
        long left = pages;
        while (left > 0)
        {
            long table = l4Table;
            int level = L4;
            while (level > L1)
            {
                final long e = read(table, index(va, level));
                if (!isPresent(e))
                {
                    break;
                }
                table = address(e);
                level--;
            }
            if (level > L1)
            {
                final long span = entrySpan(level);
                final long n = Math.min(left, (span - (va & (span - 1))) >>> PAGE_SHIFT);
                visitor.gap(va, level, n);
                va += n << PAGE_SHIFT;
                left -= n;
                continue;
            }
            final AtomicBuffer l1 = table(table);
            final int first = index(va, L1);
            final int n = (int)Math.min(left, ENTRIES - first);
            for (int i = 0; i < n; i++)
            {
                visitor.slot(va + ((long)i << PAGE_SHIFT), table, first + i, l1.getLongAcquire(entryOffset(first + i)));
            }
            va += (long)n << PAGE_SHIFT;
            left -= n;
        }
    }

    private AtomicBuffer table(final long table)
    {
        return memory.map(table, TABLE_SIZE);
    }

    private long read(final long table, final int index)
    {
        return table(table).getLongAcquire(entryOffset(index));
    }

    private void write(final long table, final int index, final long entry)
    {
        table(table).putLongRelease(entryOffset(index), entry);
    }

    private static void checkTable(final long table, final String what)
    {
        if (!PageTableFormat.isPageAligned(table))
        {
            throw new PagingException(PagingError.UNALIGNED, what + " at 0x" + Long.toHexString(table));
        }
        if (!PageTableFormat.fitsEntry(table))
        {
            throw new PagingException(PagingError.PHYSICAL_OUT_OF_RANGE, what + " at 0x" + Long.toHexString(table));
        }
    }

    private static void checkIndex(final int index)
    {
        if (index < 0 || index >= ENTRIES)
        {
            throw new PagingException(PagingError.BAD_INDEX, Integer.toString(index));
        }
    }

    private static void checkFlags(final long flags)
    {
        if ((flags & ~MAPPING_FLAGS) != 0)
        {
            throw new PagingException(PagingError.BAD_FLAGS, "0x" + Long.toHexString(flags & ~MAPPING_FLAGS));
        }
    }

    private static void checkVirtualRange(final long vaddr, final long bytes)
    {
        if (bytes <= 0)
        {
            throw new PagingException(PagingError.BAD_LENGTH, Long.toString(bytes));
        }
        if (!PageTableFormat.isPageAligned(vaddr) || !PageTableFormat.isPageAligned(bytes))
        {
            throw new PagingException(PagingError.UNALIGNED, "0x" + Long.toHexString(vaddr) + "+0x" +
                Long.toHexString(bytes));
        }
        final long last = vaddr + (bytes - 1);
        // Both ends canonical and on the same side of the hole (the sign bit also catches wrap-around).
        if (!PageTableFormat.isCanonical(vaddr) || !PageTableFormat.isCanonical(last) || (vaddr ^ last) < 0)
        {
            throw new PagingException(PagingError.NON_CANONICAL, "0x" + Long.toHexString(vaddr) + "+0x" +
                Long.toHexString(bytes));
        }
    }

    private static void checkPhysicalRange(final long physical, final long bytes)
    {
        if (!PageTableFormat.isPageAligned(physical))
        {
            throw new PagingException(PagingError.UNALIGNED, "frame at 0x" + Long.toHexString(physical));
        }
        final long last = physical + (bytes - 1);
        if (physical < 0 || last < physical || !PageTableFormat.fitsEntry(last))
        {
            throw new PagingException(PagingError.PHYSICAL_OUT_OF_RANGE, "0x" + Long.toHexString(physical) + "+0x" +
                Long.toHexString(bytes));
        }
    }

    private static PagingException slotInUse(final long table, final int level, final int index, final long old)
    {
        return new PagingException(PagingError.SLOT_IN_USE, levelName(level) + " table 0x" + Long.toHexString(table) +
            " entry " + index + " holds 0x" + Long.toHexString(old));
    }

    private static PagingException notMapped(final long va, final int level)
    {
        return new PagingException(PagingError.NOT_MAPPED, "0x" + Long.toHexString(va) + " (no entry at " +
            levelName(level) + ")");
    }

    /** Receives the slots of a range walk; {@link #gap} defaults to "nothing to do" (no table, no pages). */
    private interface SlotVisitor
    {
        /** Slot {@code index} of L1 table {@code l1Table}, the one for page {@code va}; may be non-present. */
        void slot(long va, long l1Table, int index, long entry);

        /** No table below {@code level} for the {@code pages} pages from {@code va}: all unmapped. */
        default void gap(final long va, final int level, final long pages)
        {
        }
    }

    /** Coalesces pages into runs contiguous in both address spaces with equal flags. */
    private static final class Runs
    {
        private final List<Mapping> runs = new ArrayList<>();
        private long vaddr;
        private long physical;
        private long bytes;
        private long flags;

        void add(final long va, final long entry)
        {
            final long frame = address(entry);
            final long entryFlags = PageTableFormat.flags(entry);
            if (bytes > 0 && va == vaddr + bytes && frame == physical + bytes && entryFlags == flags)
            {
                bytes += PAGE_SIZE;
                return;
            }
            flush();
            vaddr = va;
            physical = frame;
            flags = entryFlags;
            bytes = PAGE_SIZE;
        }

        List<Mapping> finish()
        {
            flush();
            return runs;
        }

        private void flush()
        {
            if (bytes > 0)
            {
                runs.add(new Mapping(vaddr, physical, bytes, flags));
                bytes = 0;
            }
        }
    }
}
