package dev.shoal.monitor;

import java.util.Arrays;
import java.util.Objects;

/**
 * One resource that serves one transfer at a time (a memory controller, one direction of a link, a bus) as the
 * list of its reservations: each transfer gets the earliest interval of its length, at or after it is ready, that
 * overlaps no other (first fit). A transfer ready now is not held behind one reserved for later.
 *
 * <p>Not thread-safe: core-local state of the core that owns the resource, called only from that core's handlers.
 * Reservations that ended before the owner's clock are dropped, so the list holds only the transfers in flight.
 */
final class OccupancySchedule
{
    /**
     * Starts and ends of the reservations held, in {@code [head, tail)}, ascending; none overlap, so both columns
     * are sorted. Forgetting the reservations that ended only moves {@code head}: the ones kept are moved down when
     * the columns are full.
     */
    private long[] starts = new long[8];
    private long[] ends = new long[8];
    private int head;
    private int tail;

    /**
     * Reserves {@code duration} cycles for a transfer ready at {@code ready} (at least the owner's clock
     * {@code now}) and returns when it starts: {@code ready} itself when the resource is free for that long then.
     */
    long reserve(final long now, final long ready, final long duration)
    {
        if (duration < 0)
        {
            throw new IllegalArgumentException("duration must not be negative: " + duration);
        }
        if (duration == 0)
        {
            return ready;
        }
        prune(now);
        final int last = tail;
        if (last == head || ends[last - 1] <= ready)
        {
            append(ready, ready + duration); // after every reservation: the common case, no search
            return ready;
        }
        final long[] starts = this.starts;
        final long[] ends = this.ends;
        long start = ready;
        int at = head;
        while (at < last)
        {
            if (ends[at] <= start)
            {
                at++;
                continue;
            }
            if (start + duration <= starts[at])
            {
                break;
            }
            start = ends[at];
            at++;
        }
        insert(at, start, start + duration);
        return start;
    }

    /**
     * Forgets what ended by {@code now}, then books the intervals {@code [shift + starts[i], shift + ends[i])} for
     * {@code from <= i < to}, which are ascending and start no earlier than every reservation held ends: what
     * {@link #reserve} books for them, each ready at its start, but without searching.
     */
    void book(final long now, final long shift, final long[] starts, final long[] ends, final int from, final int to)
    {
        prune(now);
        for (int i = from; i < to; i++)
        {
            append(shift + starts[i], shift + ends[i]);
        }
    }

    /** The start of the {@code i}th reservation held, in order. */
    long start(final int i)
    {
        return starts[head + Objects.checkIndex(i, tail - head)];
    }

    /** The end of the {@code i}th reservation held, in order. */
    long end(final int i)
    {
        return ends[head + Objects.checkIndex(i, tail - head)];
    }

    /** Forgets every reservation: the resource idle. */
    void clear()
    {
        head = 0;
        tail = 0;
    }

    /** When the last reservation ends, or {@link Long#MIN_VALUE} when none is held. */
    long lastEnd()
    {
        return tail == head ? Long.MIN_VALUE : ends[tail - 1];
    }

    /** Reservations held. */
    int reservations()
    {
        return tail - head;
    }

    /** Forgets the reservations that ended by {@code now}. */
    private void prune(final long now)
    {
        if (tail == head)
        {
            return;
        }
        if (ends[tail - 1] <= now)
        {
            head = 0; // every reservation ended: start the columns again
            tail = 0;
            return;
        }
        while (ends[head] <= now)
        {
            head++;
        }
    }

    private void append(final long start, final long end)
    {
        if (tail == starts.length)
        {
            makeRoom();
        }
        starts[tail] = start;
        ends[tail] = end;
        tail++;
    }

    private void insert(final int at, final long start, final long end)
    {
        int index = at;
        if (tail == starts.length)
        {
            index -= head;
            makeRoom();
        }
        System.arraycopy(starts, index, starts, index + 1, tail - index);
        System.arraycopy(ends, index, ends, index + 1, tail - index);
        starts[index] = start;
        ends[index] = end;
        tail++;
    }

    /** Moves the reservations held down to the columns' start, and doubles the columns when that frees nothing. */
    private void makeRoom()
    {
        final int count = tail - head;
        if (head == 0)
        {
            starts = Arrays.copyOf(starts, 2 * count);
            ends = Arrays.copyOf(ends, 2 * count);
            return;
        }
        System.arraycopy(starts, head, starts, 0, count);
        System.arraycopy(ends, head, ends, 0, count);
        head = 0;
        tail = count;
    }
}
