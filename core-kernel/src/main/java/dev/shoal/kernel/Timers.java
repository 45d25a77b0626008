package dev.shoal.kernel;

import java.util.PriorityQueue;

/**
 * A core's timers, in simulated time: a task runs once the core's clock has reached its deadline.
 *
 * <p>Exact mode ({@link DeterministicScheduler}): the timers are one of the core's event sources, so a timer fires
 * at its deadline in simulated-time order with the core's messages and ready dispatchers; the core's clock moves
 * to the deadline (or later, if the core was busy then). Live mode: the CPU driver fires due timers every duty
 * cycle, and when every core has parked for want of work idle time passes to the earliest deadline
 * ({@link IdleTime}). Core-local: called only on the owning core.
 */
public final class Timers
{
    /** A pending timer; {@link #cancel()} removes it. Core-local, like the timers. */
    public final class Timer
    {
        private final long deadline;
        private final long sequence;
        private final Runnable task;

        private Timer(final long deadline, final long sequence, final Runnable task)
        {
            this.deadline = deadline;
            this.sequence = sequence;
            this.task = task;
        }

        /**
         * Removes the timer if it has not fired, so that it neither runs nor moves idle time forward to its deadline.
         * Called only on the owning core.
         */
        public void cancel()
        {
            if (queue.remove(this))
            {
                onChange.run();
            }
        }
    }

    private final PriorityQueue<Timer> queue = new PriorityQueue<>(
        (a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline) : Long.compare(a.sequence, b.sequence));
    private long sequence;
    private final Runnable onChange;
    /** The owning core, which runs each task (and shows it on its timeline), or null. */
    private final Core owner;

    Timers()
    {
        this(() ->
        {
        });
    }

    Timers(final Runnable onChange)
    {
        this(onChange, null);
    }

    Timers(final Runnable onChange, final Core owner)
    {
        this.onChange = onChange;
        this.owner = owner;
    }

    private void run(final Runnable task)
    {
        if (owner == null)
        {
            task.run();
        }
        else
        {
            owner.runTimer(task);
        }
    }

    /** Runs {@code task} on this core once its clock reaches {@code deadline}; returns the timer, to cancel it. */
    public Timer at(final long deadline, final Runnable task)
    {
        final Timer timer = new Timer(deadline, sequence++, task);
        queue.add(timer);
        onChange.run();
        return timer;
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} when none is pending. */
    public long nextDeadline()
    {
        final Timer t = queue.peek();
        return t == null ? Long.MAX_VALUE : t.deadline;
    }

    public boolean isEmpty()
    {
        return queue.isEmpty();
    }

    /** Fires the earliest timer, after moving {@code clock} to its deadline (exact mode). Returns false when none. */
    boolean fireNext(final CycleClock clock)
    {
        final Timer timer = queue.poll();
        if (timer == null)
        {
            return false;
        }
        clock.observe(timer.deadline);
        run(timer.task);
        return true;
    }

    /** Fires every timer whose deadline is at or before {@code now}; returns how many ran. */
    int fireDue(final long now)
    {
        int fired = 0;
        while (!queue.isEmpty() && queue.peek().deadline <= now)
        {
            run(queue.poll().task);
            fired++;
        }
        return fired;
    }
}
