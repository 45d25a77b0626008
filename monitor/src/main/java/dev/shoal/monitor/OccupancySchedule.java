package dev.shoal.monitor;

import java.util.Arrays;

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
    /** Starts and ends of the reservations, ascending; none overlap, so both columns are sorted. */
    private long[] starts = new long[8];
    private long[] ends = new long[8];
    private int count;

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
        if (count == 0 || ends[count - 1] <= ready)
        {
            insert(count, ready, ready + duration); // after every reservation: the common case, no search
            return ready;
        }
        long start = ready;
        int at = 0;
        while (at < count)
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

    /** Forgets every reservation: the resource idle. */
    void clear()
    {
        count = 0;
    }

    /** When the last reservation ends, or {@link Long#MIN_VALUE} when none is held. */
    long lastEnd()
    {
        return count == 0 ? Long.MIN_VALUE : ends[count - 1];
    }

    /** Reservations held. */
    int reservations()
    {
        return count;
    }

    private void prune(final long now)
    {
        int ended = 0;
        while (ended < count && ends[ended] <= now)
        {
            ended++;
        }
        if (ended > 0)
        {
            System.arraycopy(starts, ended, starts, 0, count - ended);
            System.arraycopy(ends, ended, ends, 0, count - ended);
            count -= ended;
        }
    }

    private void insert(final int at, final long start, final long end)
    {
        if (count == starts.length)
        {
            starts = Arrays.copyOf(starts, 2 * count);
            ends = Arrays.copyOf(ends, 2 * count);
        }
        System.arraycopy(starts, at, starts, at + 1, count - at);
        System.arraycopy(ends, at, ends, at + 1, count - at);
        starts[at] = start;
        ends[at] = end;
        count++;
    }
}
