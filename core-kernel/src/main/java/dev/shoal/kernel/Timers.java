package dev.shoal.kernel;

import java.util.PriorityQueue;

/**
 * A core's timers, in simulated time: a task runs once the core's clock has reached its deadline. The CPU driver
 * fires due timers every duty cycle. A core's own work carries its clock forward; when the whole machine is idle,
 * idle time passes instead: the core with the earliest deadline has its clock moved forward to it, so timeouts fire
 * even when nothing else happens. Both modes follow that rule — deterministic mode when a round of steps does no work
 * ({@link DeterministicScheduler}), live mode when every started core has parked for want of work
 * ({@link IdleTime}) — so a timeout fires only once nothing else could happen first, however slow the host. While
 * any core keeps working, an idle core's timers wait. A timer that re-arms itself whenever it fires keeps the machine
 * from ever being idle for good. Core-local: called only on the owning core.
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
            queue.remove(this);
        }
    }

    private final PriorityQueue<Timer> queue = new PriorityQueue<>(
        (a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline) : Long.compare(a.sequence, b.sequence));
    private long sequence;

    /** Runs {@code task} on this core once its clock reaches {@code deadline}; returns the timer, to cancel it. */
    public Timer at(final long deadline, final Runnable task)
    {
        final Timer timer = new Timer(deadline, sequence++, task);
        queue.add(timer);
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

    /** Fires every timer whose deadline is at or before {@code now}; returns how many ran. */
    int fireDue(final long now)
    {
        int fired = 0;
        while (!queue.isEmpty() && queue.peek().deadline <= now)
        {
            queue.poll().task.run();
            fired++;
        }
        return fired;
    }
}
