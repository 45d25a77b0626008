package dev.shoal.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The barrier between the exact engine's partitions, with a reduction: each partition arrives with the time of its
 * earliest pending event, the latest clock of its cores and whether it posted anything to another partition since
 * its last arrival; when the last one arrives it runs the barrier action (every other partition is paused then),
 * publishes the global minimum, maximum and "anything posted", and releases the others. Everything written before
 * an arrival is visible to every partition after the release.
 *
 * <p>Waiting spins, then yields, then parks: a window with little work costs a few hundred nanoseconds, and an
 * engine waiting for the host costs no CPU. It spins for long (tens of microseconds) only when every partition has
 * a host CPU of its own; with more partitions than CPUs a spinning thread would keep the one it waits for off. One instance per engine; {@link #arrive} is called by the
 * partition threads only.
 */
final class WindowBarrier implements PartitionBarrier
{
    private static final int YIELDS = 50;
    private static final int IDLE_SPINS = 100;

    private final Thread[] parties;
    private final int spins;
    /** Each partition's earliest pending event, written as it arrives. */
    private final long[] earliestOf;
    /**
     * A copy of {@link #earliestOf} made by the last arriver: a partition released early may arrive at the next
     * phase and overwrite its slot while a slower one still reads this phase's values.
     */
    private final long[] settledEarliest;
    private final AtomicInteger arrived = new AtomicInteger();
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);
    private final AtomicInteger posted = new AtomicInteger();
    private volatile long phase;
    /** Set when a partition failed: every waiting partition leaves the barrier with an exception. */
    private volatile boolean broken;
    private long globalMin = Long.MAX_VALUE;
    private long globalMax;
    private boolean anyPosted;

    private final Runnable action;

    /** @param action run by the last partition to arrive at a phase whose arrivals ask for it (all alike). */
    WindowBarrier(final Thread[] parties, final Runnable action)
    {
        this.parties = parties;
        this.action = action;
        this.spins = parties.length <= Runtime.getRuntime().availableProcessors() ? 20_000 : 100;
        this.earliestOf = new long[parties.length];
        this.settledEarliest = new long[parties.length];
    }

    /**
     * Arrives and waits for every partition. When {@code runAction} (every partition passes the same value in a
     * phase), the barrier's action runs once, on whichever thread arrives last, before the others are released.
     * Partition threads only.
     */
    @Override
    public void arrive(final int party, final long earliest, final long latest, final boolean postedSince,
        final boolean runAction)
    {
        earliestOf[party] = earliest;
        min.accumulateAndGet(earliest, Math::min);
        max.accumulateAndGet(latest, Math::max);
        if (postedSince)
        {
            posted.incrementAndGet();
        }
        if (broken)
        {
            throw new IllegalStateException("another partition of the engine failed");
        }
        final long current = phase;
        if (arrived.incrementAndGet() == parties.length)
        {
            globalMin = min.getAndSet(Long.MAX_VALUE);
            globalMax = max.getAndSet(Long.MIN_VALUE);
            anyPosted = posted.getAndSet(0) != 0;
            System.arraycopy(earliestOf, 0, settledEarliest, 0, earliestOf.length);
            arrived.set(0);
            if (runAction && action != null)
            {
                action.run();
            }
            phase = current + 1;
            final Thread self = Thread.currentThread();
            for (final Thread t : parties)
            {
                if (t != self)
                {
                    LockSupport.unpark(t);
                }
            }
            return;
        }
        // A partition with nothing pending waits for the others' whole window, which may be long (a lone busy
        // partition runs on without barriers): it parks soon instead of taking CPU time the busy one could use.
        final int spin = earliest == Long.MAX_VALUE ? IDLE_SPINS : spins;
        int idle = 0;
        while (phase == current)
        {
            if (broken)
            {
                throw new IllegalStateException("another partition of the engine failed");
            }
            if (idle < spin)
            {
                Thread.onSpinWait();
            }
            else if (idle < spin + YIELDS)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.park(this);
            }
            idle++;
        }
    }

    /** A partition failed: releases every partition waiting here, and every later arrival, with an exception. */
    @Override
    public void breakAll()
    {
        broken = true;
        for (final Thread t : parties)
        {
            LockSupport.unpark(t);
        }
    }

    /** The smallest {@code earliest} of the last phase. Read after {@link #arrive} returned. */
    @Override
    public long globalMin()
    {
        return globalMin;
    }

    /** The smallest {@code earliest} of the last phase among every partition but {@code party}. */
    @Override
    public long minOfOthers(final int party)
    {
        long m = Long.MAX_VALUE;
        for (int p = 0; p < settledEarliest.length; p++)
        {
            if (p != party)
            {
                m = Math.min(m, settledEarliest[p]);
            }
        }
        return m;
    }

    /** The largest {@code latest} of the last phase. */
    @Override
    public long globalMax()
    {
        return globalMax;
    }

    /** Whether any partition posted to another in the last phase. */
    @Override
    public boolean anyPosted()
    {
        return anyPosted;
    }
}
