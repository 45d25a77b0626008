package dev.shoal.kernel.paging;

/**
 * Layout of Shoal's page tables, in one place: x86-64-style four-level tables of 4 KiB pages, each table one 4 KiB
 * frame of 512 eight-byte entries.
 *
 * <pre>
 *   virtual address (48 significant bits, sign-extended to 64: "canonical")
 *   63      48 47     39 38     30 29     21 20     12 11          0
 *   +---------+---------+---------+---------+---------+-------------+
 *   | sign    | L4 idx  | L3 idx  | L2 idx  | L1 idx  | page offset |
 *   +---------+---------+---------+---------+---------+-------------+
 *
 *   entry (the same at every level; at L4..L2 the address is the next table, at L1 the page frame)
 *   63  62    52 51                                 12 11   9 8 7 6 5 4 3 2 1 0
 *   +--+--------+-------------------------------------+------+-+-+-+-+-+-+-+-+-+
 *   |NX| unused | physical address bits 12..51        |unused|0|0|D|A|C|T|U|W|P|
 *   +--+--------+-------------------------------------+------+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Levels are numbered as the tables they index: {@link #L4} (PML4, the root), {@link #L3} (PDPT), {@link #L2} (PD)
 * and {@link #L1} (PT, whose entries map pages). There are no large pages: bit 7 (PS) and bit 8 (G) stay zero.
 *
 * <p>Stateless: any thread.
 */
public final class PageTableFormat
{
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final long PAGE_MASK = PAGE_SIZE - 1;

    public static final int ENTRY_SIZE = 8;
    public static final int INDEX_BITS = 9;
    public static final int ENTRIES = 1 << INDEX_BITS;
    public static final int INDEX_MASK = ENTRIES - 1;
    /** Bytes of one table: exactly one page, so a table is one frame (asserted below). */
    public static final int TABLE_SIZE = ENTRIES * ENTRY_SIZE;

    public static final int L1 = 1;
    public static final int L2 = 2;
    public static final int L3 = 3;
    public static final int L4 = 4;
    public static final int LEVELS = 4;

    /** Significant bits of a virtual address; bits 63..47 must all equal bit 47. */
    public static final int VIRTUAL_BITS = 48;
    /** Physical address bits an entry can hold: enough for 4096 cores of {@code 1 << 40} bytes each. */
    public static final int PHYSICAL_BITS = 52;

    /** The entry is valid; an entry without it is ignored by the walk (and never cached by a TLB). */
    public static final long PRESENT = 1L;
    /** Writes allowed; effective only if set at every level of the walk. */
    public static final long WRITABLE = 1L << 1;
    /** User-mode (dispatcher) access allowed; effective only if set at every level. */
    public static final long USER = 1L << 2;
    /** Write-through caching; recorded for device frames, no effect on the simulation. */
    public static final long WRITE_THROUGH = 1L << 3;
    /** Caching disabled; recorded for device frames, no effect on the simulation. */
    public static final long CACHE_DISABLE = 1L << 4;
    /** Set by hardware on use. Reserved here: the simulated walker does not write entries (yet). */
    public static final long ACCESSED = 1L << 5;
    /** Set by hardware on a write. Reserved here, as {@link #ACCESSED}. */
    public static final long DIRTY = 1L << 6;
    /** Instruction fetches forbidden; effective if set at any level. */
    public static final long NO_EXECUTE = 1L << 63;

    /** Bits 12..51: the physical address of the next table or of the page. */
    public static final long ADDRESS_MASK = ((1L << PHYSICAL_BITS) - 1) & ~PAGE_MASK;
    /** Flags a caller may ask for when mapping a page ({@link #PRESENT} is implied). */
    public static final long MAPPING_FLAGS = PRESENT | WRITABLE | USER | WRITE_THROUGH | CACHE_DISABLE | NO_EXECUTE;
    /**
     * Flags of an entry that points at a lower table: permissive, so that the leaf entry alone decides a page's
     * rights (as Barrelfish and Linux do); {@code protect} then has exactly one entry per page to change.
     */
    public static final long TABLE_FLAGS = PRESENT | WRITABLE | USER;

    static
    {
        if (TABLE_SIZE != PAGE_SIZE || (ADDRESS_MASK & (MAPPING_FLAGS | ACCESSED | DIRTY)) != 0)
        {
            throw new AssertionError("a page table must be exactly one page and flags must not overlap the address");
        }
    }

    private PageTableFormat()
    {
    }

    /** Bit position of the lowest virtual-address bit that indexes a table of {@code level}. */
    public static int levelShift(final int level)
    {
        return PAGE_SHIFT + INDEX_BITS * (level - 1);
    }

    /** Bytes of virtual address space that one entry of a table of {@code level} covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
    public static long entrySpan(final int level)
    {
        return 1L << levelShift(level);
    }

    /** The index into a table of {@code level} selected by {@code vaddr}. */
    public static int index(final long vaddr, final int level)
    {
        return (int)(vaddr >>> levelShift(level)) & INDEX_MASK;
    }

    /** Byte offset of entry {@code index} within its table. */
    public static int entryOffset(final int index)
    {
        return index * ENTRY_SIZE;
    }

    /** True when bits 63..47 of {@code vaddr} are all equal (the only addresses x86-64 translates). */
    public static boolean isCanonical(final long vaddr)
    {
        final int unused = Long.SIZE - VIRTUAL_BITS;
        return (vaddr << unused >> unused) == vaddr;
    }

    /** True when {@code address} is a multiple of the page size. */
    public static boolean isPageAligned(final long address)
    {
        return (address & PAGE_MASK) == 0;
    }

    /** True when {@code physical} fits in an entry's address field (no bits above 51). */
    public static boolean fitsEntry(final long physical)
    {
        return (physical >>> PHYSICAL_BITS) == 0;
    }

    /** An entry pointing at {@code physical} (page-aligned) with {@code flags}. */
    public static long entry(final long physical, final long flags)
    {
        return (physical & ADDRESS_MASK) | (flags & ~ADDRESS_MASK);
    }

    /** The physical address an entry points at. */
    public static long address(final long entry)
    {
        return entry & ADDRESS_MASK;
    }

    /** The flag bits of an entry. */
    public static long flags(final long entry)
    {
        return entry & ~ADDRESS_MASK;
    }

    public static boolean isPresent(final long entry)
    {
        return (entry & PRESENT) != 0;
    }

    /** "L4 (PML4)", "L3 (PDPT)", "L2 (PD)" or "L1 (PT)". */
    public static String levelName(final int level)
    {
        return switch (level)
        {
            case L4 -> "L4 (PML4)";
            case L3 -> "L3 (PDPT)";
            case L2 -> "L2 (PD)";
            case L1 -> "L1 (PT)";
            default -> "level " + level;
        };
    }

    /** Human-readable flags, e.g. {@code P|W|U|NX}, for messages and traces. */
    public static String describeFlags(final long flags)
    {
        final StringBuilder sb = new StringBuilder(16);
        append(sb, flags, PRESENT, "P");
        append(sb, flags, WRITABLE, "W");
        append(sb, flags, USER, "U");
        append(sb, flags, WRITE_THROUGH, "WT");
        append(sb, flags, CACHE_DISABLE, "CD");
        append(sb, flags, ACCESSED, "A");
        append(sb, flags, DIRTY, "D");
        append(sb, flags, NO_EXECUTE, "NX");
        return sb.isEmpty() ? "-" : sb.toString();
    }

    private static void append(final StringBuilder sb, final long flags, final long bit, final String name)
    {
        if ((flags & bit) != 0)
        {
            if (!sb.isEmpty())
            {
                sb.append('|');
            }
            sb.append(name);
        }
    }
}
