package dev.shoal.kernel.paging;

import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.PRESENT;
import static dev.shoal.kernel.paging.PageTableFormat.USER;
import static dev.shoal.kernel.paging.PageTableFormat.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SoftwareTlbTest
{
    private static final long FLAGS = PRESENT | WRITABLE | USER;

    @Test
    void shouldMissUntilInsertedThenHit()
    {
        final SoftwareTlb tlb = new SoftwareTlb();
        assertEquals(SoftwareTlb.MISS, tlb.lookup(1, 0x7000));

        tlb.insert(1, 0x7000, frame(42));

        assertEquals(frame(42), tlb.lookup(1, 0x7FF8), "any address in the page hits");
        assertEquals(SoftwareTlb.MISS, tlb.lookup(1, 0x8000));
        assertEquals(1, tlb.hits());
        assertEquals(2, tlb.misses());
        assertEquals(1, tlb.inserts());
        assertEquals(1, tlb.size());
    }

    @Test
    void shouldKeepAddressSpacesApart()
    {
        final SoftwareTlb tlb = new SoftwareTlb();
        tlb.insert(1, 0x7000, frame(1));
        tlb.insert(2, 0x7000, frame(2));
        tlb.insert(2, 0xFFFF_8000_0000_0000L, frame(3));

        assertEquals(frame(1), tlb.lookup(1, 0x7000));
        assertEquals(frame(2), tlb.lookup(2, 0x7000));
        assertEquals(frame(3), tlb.lookup(2, 0xFFFF_8000_0000_0123L));
        assertEquals(SoftwareTlb.MISS, tlb.lookup(3, 0x7000));
    }

    @Test
    void shouldReplaceAnEntryForTheSamePageInPlace()
    {
        final SoftwareTlb tlb = new SoftwareTlb();
        tlb.insert(1, 0x7000, frame(1));
        tlb.insert(1, 0x7000, frame(2));

        assertEquals(1, tlb.size());
        assertEquals(frame(2), tlb.lookup(1, 0x7000));
        assertEquals(0, tlb.evictions());
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedWayOfAFullSet()
    {
        final SoftwareTlb tlb = new SoftwareTlb(8, 2);
        tlb.insert(1, page(0), frame(0));
        tlb.insert(1, page(4), frame(4));
        tlb.insert(1, page(1), frame(1));
        tlb.lookup(1, page(0));

        tlb.insert(1, page(8), frame(8));

        assertEquals(1, tlb.evictions());
        assertEquals(SoftwareTlb.MISS, tlb.lookup(1, page(4)), "page 4 was the set's least recently used");
        assertEquals(frame(0), tlb.lookup(1, page(0)));
        assertEquals(frame(8), tlb.lookup(1, page(8)));
        assertEquals(frame(1), tlb.lookup(1, page(1)), "other sets are untouched");
    }

    @Test
    void shouldBehaveAsAnLruCachePerSetForAnySeededSequence()
    {
        final long seed = 20_091_011L;
        final Random random = new Random(seed);
        final SoftwareTlb tlb = new SoftwareTlb(16, 4);
        final ReferenceTlb reference = new ReferenceTlb(4, 4);
        for (int step = 0; step < 20_000; step++)
        {
            final int asid = random.nextInt(3);
            final long vaddr = page(random.nextInt(40)) | random.nextInt(PAGE_SIZE);
            final int op = random.nextInt(10);
            final String where = "seed " + seed + ", step " + step;
            if (op < 5)
            {
                assertEquals(reference.lookup(asid, vaddr), tlb.lookup(asid, vaddr), where);
            }
            else if (op < 9)
            {
                final long entry = frame(random.nextInt(1000));
                tlb.insert(asid, vaddr, entry);
                reference.insert(asid, vaddr, entry);
            }
            else
            {
                final long bytes = 1 + random.nextInt(4 * PAGE_SIZE);
                assertEquals(reference.invalidate(asid, vaddr, bytes), tlb.invalidate(asid, vaddr, bytes), where);
            }
            assertEquals(reference.size(), tlb.size(), where);
        }
    }

    @Test
    void shouldInvalidateOnlyThePagesOfTheRangeInTheAddressSpace()
    {
        final SoftwareTlb tlb = new SoftwareTlb();
        for (int p = 0; p < 10; p++)
        {
            tlb.insert(1, page(p), frame(p));
        }
        tlb.insert(2, page(3), frame(99));

        assertEquals(3, tlb.invalidate(1, page(3) + 5, 2 * PAGE_SIZE), "0x3005..0x5004 touches pages 3, 4 and 5");

        assertEquals(SoftwareTlb.MISS, tlb.lookup(1, page(3)));
        assertEquals(SoftwareTlb.MISS, tlb.lookup(1, page(5)));
        assertEquals(frame(2), tlb.lookup(1, page(2)));
        assertEquals(frame(6), tlb.lookup(1, page(6)));
        assertEquals(frame(99), tlb.lookup(2, page(3)), "another address space keeps its entry");
        assertEquals(3, tlb.invalidations());
    }

    @Test
    void shouldInvalidateARangeLargerThanTheTlbByScanning()
    {
        final SoftwareTlb tlb = new SoftwareTlb(16, 4);
        tlb.insert(1, page(3), frame(3));
        tlb.insert(1, 1L << 30, frame(4));
        tlb.insert(2, page(3), frame(5));

        assertEquals(1, tlb.invalidate(1, 0, 1L << 30));

        assertEquals(frame(4), tlb.lookup(1, 1L << 30), "just past the range");
        assertEquals(frame(5), tlb.lookup(2, page(3)));
    }

    @Test
    void shouldDropOneAddressSpaceOrEverything()
    {
        final SoftwareTlb tlb = new SoftwareTlb();
        tlb.insert(1, page(1), frame(1));
        tlb.insert(1, page(2), frame(2));
        tlb.insert(2, page(1), frame(3));

        assertEquals(2, tlb.invalidateAll(1));
        assertEquals(SoftwareTlb.MISS, tlb.lookup(1, page(1)));
        assertEquals(frame(3), tlb.lookup(2, page(1)));

        assertEquals(1, tlb.flush());
        assertEquals(0, tlb.size());
        assertEquals(3, tlb.invalidations());
        assertEquals(1, tlb.flushes());
    }

    @Test
    void shouldRejectImpossibleGeometryAndEntries()
    {
        assertThrows(IllegalArgumentException.class, () -> new SoftwareTlb(12, 4), "3 sets");
        assertThrows(IllegalArgumentException.class, () -> new SoftwareTlb(4, 8));
        assertThrows(IllegalArgumentException.class, () -> new SoftwareTlb(0, 0));
        final SoftwareTlb tlb = new SoftwareTlb(4, 4);
        assertThrows(IllegalArgumentException.class, () -> tlb.insert(1, 0, 0x5000), "not present");
        assertThrows(IllegalArgumentException.class, () -> tlb.insert(-1, 0, frame(1)));
        assertThrows(IllegalArgumentException.class, () -> tlb.invalidate(1, -PAGE_SIZE, 2 * PAGE_SIZE));
    }

    private static long page(final long number)
    {
        return number * PAGE_SIZE;
    }

    private static long frame(final long number)
    {
        return PageTableFormat.entry(0x1_0000_0000L + number * PAGE_SIZE, FLAGS);
    }

    /** The specification: per set, an LRU list of at most {@code ways} entries, most recent last. */
    private static final class ReferenceTlb
    {
        private record Entry(int asid, long page, long value)
        {
        }

        private final int ways;
        private final List<List<Entry>> sets = new ArrayList<>();

        ReferenceTlb(final int sets, final int ways)
        {
            this.ways = ways;
            for (int i = 0; i < sets; i++)
            {
                this.sets.add(new ArrayList<>());
            }
        }

        long lookup(final int asid, final long vaddr)
        {
            final List<Entry> set = setOf(vaddr);
            final int i = find(set, asid, vaddr);
            if (i < 0)
            {
                return SoftwareTlb.MISS;
            }
            final Entry e = set.remove(i);
            set.add(e);
            return e.value;
        }

        void insert(final int asid, final long vaddr, final long value)
        {
            final List<Entry> set = setOf(vaddr);
            final int i = find(set, asid, vaddr);
            if (i >= 0)
            {
                set.remove(i);
            }
            else if (set.size() == ways)
            {
                set.removeFirst();
            }
            set.add(new Entry(asid, vaddr / PAGE_SIZE, value));
        }

        int invalidate(final int asid, final long vaddr, final long bytes)
        {
            final long first = vaddr / PAGE_SIZE;
            final long last = (vaddr + bytes - 1) / PAGE_SIZE;
            int n = 0;
            for (final List<Entry> set : sets)
            {
                final int before = set.size();
                set.removeIf(e -> e.asid == asid && e.page >= first && e.page <= last);
                n += before - set.size();
            }
            return n;
        }

        int size()
        {
            return sets.stream().mapToInt(List::size).sum();
        }

        private List<Entry> setOf(final long vaddr)
        {
            return sets.get((int)(vaddr / PAGE_SIZE) % sets.size());
        }

        private static int find(final List<Entry> set, final int asid, final long vaddr)
        {
            for (int i = 0; i < set.size(); i++)
            {
                if (set.get(i).asid == asid && set.get(i).page == vaddr / PAGE_SIZE)
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
