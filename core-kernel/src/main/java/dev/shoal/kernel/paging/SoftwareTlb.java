package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SHIFT;

import java.util.Arrays;

/**
 * One core's translation look-aside buffer: a set-associative cache from (address-space id, virtual page) to a
 * page-table-format word holding the physical page and the walk's effective flags.
 *
 * <p>Geometry and policy, all deterministic: the set is chosen by the low bits of the virtual page number (as in
 * hardware, the address-space id only tags entries, like x86 PCIDs); a free way is taken first, lowest index
 * first; otherwise the least recently used way of the set is evicted, recency being a per-TLB counter bumped by
 * every hit and insert. The default, 64 entries in 4 ways, is a first-level data TLB of the size of later x86
 * cores (the paper's Opterons have a 48-entry fully associative L1 DTLB backed by a larger L2 TLB).
 *
 * <p>Like hardware, the TLB is not coherent with the page tables: after an entry is changed, the stale
 * translation stays usable until someone invalidates it here.
 *
 * <p>Threading: core-local and not thread-safe. Only code running on the owning core uses it (its CPU driver and
 * its dispatchers, which that core runs one at a time); another core's change reaches it only as a shootdown
 * message that this core acts on.
 */
public final class SoftwareTlb
{
    public static final int DEFAULT_ENTRIES = 64;
    public static final int DEFAULT_WAYS = 4;
    /** What {@link #lookup} returns on a miss: never a valid entry, whose {@code PRESENT} bit is set. */
    public static final long MISS = 0L;

    private static final int INVALID = -1;

    private final int ways;
    private final int setMask;
    private final int[] asids;
    private final long[] pages;
    private final long[] entries;
    private final long[] lastUse;
    private long useCounter;

    private long hits;
    private long misses;
    private long inserts;
    private long evictions;
    private long invalidations;
    private long flushes;

    /** A TLB of {@link #DEFAULT_ENTRIES} entries in {@link #DEFAULT_WAYS} ways. */
    public SoftwareTlb()
    {
        this(DEFAULT_ENTRIES, DEFAULT_WAYS);
    }

    /**
     * @param capacity entries in all; {@code capacity / ways} sets, which must be a power of two.
     * @param ways     entries per set; {@code ways == capacity} makes it fully associative.
     */
    public SoftwareTlb(final int capacity, final int ways)
    {
        if (ways < 1 || capacity < ways || capacity % ways != 0 || Integer.bitCount(capacity / ways) != 1)
        {
            throw new IllegalArgumentException("a TLB needs capacity = ways x (a power of two) sets: capacity " +
                capacity + ", ways " + ways);
        }
        this.ways = ways;
        this.setMask = capacity / ways - 1;
        asids = new int[capacity];
        pages = new long[capacity];
        entries = new long[capacity];
        lastUse = new long[capacity];
        Arrays.fill(asids, INVALID);
    }

    /**
     * The cached translation of {@code vaddr}'s page in address space {@code asid}.
     *
     * @return a {@link PageTableFormat} entry word (physical page | effective flags, {@code PRESENT} set), or
     *         {@link #MISS}.
     */
    public long lookup(final int asid, final long vaddr)
    {
        final long page = vaddr >>> PAGE_SHIFT;
        final int slot = find(asid, page);
        if (slot < 0)
        {
            misses++;
            return MISS;
        }
        hits++;
        lastUse[slot] = ++useCounter;
        return entries[slot];
    }

    /**
     * Caches {@code entry} for {@code vaddr}'s page in {@code asid}, replacing an entry for the same page or else
     * a free or the least recently used way of its set.
     *
     * @param entry a {@link PageTableFormat} entry word with {@code PRESENT} set: the page's frame and the walk's
     *              effective flags.
     */
    public void insert(final int asid, final long vaddr, final long entry)
    {
        if (asid < 0)
        {
            throw new IllegalArgumentException("address-space ids are non-negative: " + asid);
        }
        if (!PageTableFormat.isPresent(entry))
        {
            throw new IllegalArgumentException("a TLB caches only present translations: 0x" + Long.toHexString(entry));
        }
        final long page = vaddr >>> PAGE_SHIFT;
        int slot = find(asid, page);
        if (slot < 0)
        {
            slot = victim(page);
            if (asids[slot] != INVALID)
            {
                evictions++;
            }
        }
        asids[slot] = asid;
        pages[slot] = page;
        entries[slot] = entry;
        lastUse[slot] = ++useCounter;
        inserts++;
    }

    /**
     * Drops the translations of {@code asid} for every page that {@code [vaddr, vaddr + bytes)} touches (INVLPG
     * per page). Ranges larger than the TLB are handled by one scan of all entries.
     *
     * @return the number of entries dropped.
     */
    public int invalidate(final int asid, final long vaddr, final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("invalidation length must be positive: " + bytes);
        }
        final long first = vaddr >>> PAGE_SHIFT;
        final long last = (vaddr + (bytes - 1)) >>> PAGE_SHIFT;
        if (Long.compareUnsigned(last, first) < 0)
        {
            throw new IllegalArgumentException("invalidation range wraps around: 0x" + Long.toHexString(vaddr) +
                "+" + bytes);
        }
        int dropped = 0;
        if (last - first < asids.length)
        {
            for (long page = first; Long.compareUnsigned(page, last) <= 0; page++)
            {
                final int slot = find(asid, page);
                if (slot >= 0)
                {
                    asids[slot] = INVALID;
                    dropped++;
                }
            }
        }
        else
        {
            for (int slot = 0; slot < asids.length; slot++)
            {
                if (asids[slot] == asid && Long.compareUnsigned(pages[slot], first) >= 0 &&
                    Long.compareUnsigned(pages[slot], last) <= 0)
                {
                    asids[slot] = INVALID;
                    dropped++;
                }
            }
        }
        invalidations += dropped;
        return dropped;
    }

    /**
     * Drops every translation of {@code asid} (a CR3 reload for one PCID).
     *
     * @return the number of entries dropped.
     */
    public int invalidateAll(final int asid)
    {
        int dropped = 0;
        for (int slot = 0; slot < asids.length; slot++)
        {
            if (asid != INVALID && asids[slot] == asid)
            {
                asids[slot] = INVALID;
                dropped++;
            }
        }
        invalidations += dropped;
        return dropped;
    }

    /**
     * Drops every translation of every address space.
     *
     * @return the number of entries dropped.
     */
    public int flush()
    {
        int dropped = 0;
        for (int slot = 0; slot < asids.length; slot++)
        {
            if (asids[slot] != INVALID)
            {
                asids[slot] = INVALID;
                dropped++;
            }
        }
        invalidations += dropped;
        flushes++;
        return dropped;
    }

    /** Valid entries now. */
    public int size()
    {
        int n = 0;
        for (final int asid : asids)
        {
            n += asid == INVALID ? 0 : 1;
        }
        return n;
    }

    public int capacity()
    {
        return asids.length;
    }

    public int ways()
    {
        return ways;
    }

    /** Lookups that found a translation. */
    public long hits()
    {
        return hits;
    }

    /** Lookups that found none. */
    public long misses()
    {
        return misses;
    }

    public long inserts()
    {
        return inserts;
    }

    /** Valid entries pushed out by an insert into a full set. */
    public long evictions()
    {
        return evictions;
    }

    /** Entries dropped by {@link #invalidate}, {@link #invalidateAll} and {@link #flush}. */
    public long invalidations()
    {
        return invalidations;
    }

    /** Calls of {@link #flush}. */
    public long flushes()
    {
        return flushes;
    }

    private int find(final int asid, final long page)
    {
        final int base = setOf(page) * ways;
        for (int slot = base, end = base + ways; slot < end; slot++)
        {
            if (asid != INVALID && asids[slot] == asid && pages[slot] == page)
            {
                return slot;
            }
        }
        return -1;
    }

    private int victim(final long page)
    {
        final int base = setOf(page) * ways;
        int oldest = base;
        for (int slot = base, end = base + ways; slot < end; slot++)
        {
            if (asids[slot] == INVALID)
            {
                return slot;
            }
            if (lastUse[slot] < lastUse[oldest])
            {
                oldest = slot;
            }
        }
        return oldest;
    }

    private int setOf(final long page)
    {
        return (int)page & setMask;
    }

    @Override
    public String toString()
    {
        return "SoftwareTlb[" + asids.length + " entries, " + ways + " ways, " + size() + " valid, hits " + hits +
            ", misses " + misses + "]";
    }
}
