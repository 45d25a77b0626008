package dev.shoal.kernel;

import java.util.Arrays;

/**
 * An indexed binary min-heap of {@link Entry entries} ordered by {@code (time, tie)}: the exact engine's calendar,
 * one per core (its event sources) and one per partition (its cores by next event time). An entry knows its slot,
 * so a changed key is repositioned in O(log n) without a search, and an entry whose time is {@link Long#MAX_VALUE}
 * (nothing pending) is kept out of the heap altogether: idle sources and idle cores cost nothing.
 *
 * <p>Owned by one thread (the carrier of the core or partition); not thread-safe.
 */
final class EventHeap<E extends EventHeap.Entry>
{
    /** Something with a time and a tie-breaker that the heap orders. */
    abstract static class Entry
    {
        /** Slot in the heap, or -1 while not in it. Written only by the heap. */
        int heapSlot = -1;
        /** The time this entry was last placed at: the heap orders by it, so a key that changes between updates cannot break the heap. */
        long heapTime = Long.MAX_VALUE;

        /** When this entry's next event happens; {@link Long#MAX_VALUE} when it has none. */
        abstract long eventTime();

        /** Orders entries of equal time (smaller first); fixed for the entry's life. */
        abstract long tie();
    }

    private Entry[] heap = new Entry[2];
    private int size;

    /** Puts {@code entry} where its current time says, adding or removing it as needed. */
    void update(final E entry)
    {
        final long time = entry.eventTime();
        final int slot = entry.heapSlot;
        entry.heapTime = time;
        if (time == Long.MAX_VALUE)
        {
            if (slot >= 0)
            {
                removeAt(slot);
            }
            return;
        }
        if (slot < 0)
        {
            if (size == heap.length)
            {
                heap = Arrays.copyOf(heap, size * 2);
            }
            heap[size] = entry;
            entry.heapSlot = size;
            siftUp(size++);
            return;
        }
        if (!siftUp(slot))
        {
            siftDown(slot);
        }
    }

    /** The entry with the earliest event, or null when nothing is pending. */
    @SuppressWarnings("unchecked")
    E peek()
    {
        return size == 0 ? null : (E)heap[0];
    }

    /** The earliest event time, or {@link Long#MAX_VALUE}. */
    long minTime()
    {
        return size == 0 ? Long.MAX_VALUE : heap[0].heapTime;
    }

    private void removeAt(final int slot)
    {
        final Entry gone = heap[slot];
        gone.heapSlot = -1;
        gone.heapTime = Long.MAX_VALUE;
        final int last = --size;
        if (slot != last)
        {
            final Entry moved = heap[last];
            heap[slot] = moved;
            moved.heapSlot = slot;
            if (!siftUp(slot))
            {
                siftDown(slot);
            }
        }
        heap[last] = null;
    }

    private static boolean before(final Entry a, final Entry b)
    {
        final long ta = a.heapTime;
        final long tb = b.heapTime;
        return ta < tb || (ta == tb && a.tie() < b.tie());
    }

    private boolean siftUp(final int from)
    {
        int slot = from;
        final Entry e = heap[slot];
        while (slot > 0)
        {
            final int parent = (slot - 1) >>> 1;
            final Entry p = heap[parent];
            if (!before(e, p))
            {
                break;
            }
            heap[slot] = p;
            p.heapSlot = slot;
            slot = parent;
        }
        heap[slot] = e;
        e.heapSlot = slot;
        return slot != from;
    }

    private void siftDown(final int from)
    {
        int slot = from;
        final Entry e = heap[slot];
        final int half = size >>> 1;
        while (slot < half)
        {
            int child = 2 * slot + 1;
            final int right = child + 1;
            if (right < size && before(heap[right], heap[child]))
            {
                child = right;
            }
            if (!before(heap[child], e))
            {
                break;
            }
            heap[slot] = heap[child];
            heap[slot].heapSlot = slot;
            slot = child;
        }
        heap[slot] = e;
        e.heapSlot = slot;
    }
}
