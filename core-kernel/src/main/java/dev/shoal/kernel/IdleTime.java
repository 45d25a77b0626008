package dev.shoal.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Live mode's rule for letting idle time pass, the counterpart of {@link DeterministicScheduler}'s: when every
 * started core is asleep (parked for want of work), the sleeping core with the earliest timer is woken with leave
 * to move its clock to that deadline, so the timer fires. While any core has work, no clock jumps: a reply that
 * is still on its way can always arrive before a timeout that waits for it, however slow the host is, so a
 * timeout in live mode means what it means in deterministic mode — nothing else was going to happen first.
 *
 * <p>Host-side mechanism, not code on a core: the carriers ({@link CoreRunner}) and the threads that wake them
 * ({@link Core#wake()}) keep a count of the cores that are awake. A core counts as awake from the moment it is
 * started, and from the moment a waker claims it (before the waker unparks it, {@link #wake}) until its carrier has found no work
 * after announcing its sleep. So the count reaches zero only when no core has work queued, no message is waiting
 * in a ring whose doorbell was rung, and nobody is on the way to wake one. The carrier whose sleep brings the count
 * to zero picks the earliest deadline that the sleeping cores published when they fell asleep and claims that core
 * with it ({@link Core#claimSleep(long)}); the core moves its own clock when it wakes (see
 * {@link CoreRunner}). No clock but a core's own is ever written, and no core's timers are read off its core: each
 * publishes a copy of its next deadline with its sleep.
 *
 * <p>A core with no timers stays parked without a timeout, so an idle machine still costs the host nothing. A halted
 * core publishes no deadline (its timers stand still). Requests from the host (a test, the CLI) come whenever they
 * come; one that lands while idle time is being passed is handled after it, as deterministic mode admits host
 * requests only once no timer is due.
 *
 * <p>One per {@link Machine}; thread-safe (lock-free).
 */
final class IdleTime
{
    private final Machine machine;
    /** Started cores that are awake: running, about to run, or claimed by a waker. */
    private final AtomicInteger awake = new AtomicInteger();
    /** Carriers that found the machine asleep and asked for a decision; one of them makes it for all. */
    private final AtomicInteger decisionRequests = new AtomicInteger();

    IdleTime(final Machine machine)
    {
        this.machine = machine;
    }

    /** A core got a live carrier: it counts as awake until that carrier first sleeps. Any thread. */
    void onCarrierCreated()
    {
        awake.incrementAndGet();
    }

    /**
     * Wakes {@code core} for work if it is asleep: counts it awake first (so the machine never looks asleep while the
     * wake-up is on its way), then claims its sleep and unparks its carrier. Any thread.
     */
    void wake(final Core core)
    {
        awake.incrementAndGet();
        if (core.claimSleep(Core.AWAKE))
        {
            unparkCarrier(core);
        }
        else
        {
            // The core is counted awake already (by itself or its claimer), so this cannot bring the count to 0.
            awake.decrementAndGet();
        }
    }

    private static void unparkCarrier(final Core core)
    {
        final Thread carrier = core.carrier();
        if (carrier != null && carrier != Thread.currentThread())
        {
            LockSupport.unpark(carrier);
        }
    }

    /**
     * The calling carrier found no work after announcing its sleep: it no longer counts as awake. When it was the
     * last, passes idle time (possibly to its own core, whose sleep is then claimed before it parks). Called by a
     * live carrier, which must still have its core marked asleep.
     */
    void onSleep()
    {
        if (awake.decrementAndGet() == 0)
        {
            requestDecision();
        }
    }

    /**
     * A carrier that announced its sleep and was claimed before it counted itself asleep: the claimer counted it
     * awake too, once more than it is.
     */
    void onClaimedBeforeSleep()
    {
        awake.decrementAndGet();
    }

    private void requestDecision()
    {
        if (decisionRequests.getAndIncrement() != 0)
        {
            return; // another carrier is deciding and will look again
        }
        int requests = 1;
        do
        {
            passToEarliestTimer();
            requests = decisionRequests.addAndGet(-requests);
        }
        while (requests != 0);
    }

    private void passToEarliestTimer()
    {
        if (awake.get() != 0)
        {
            return;
        }
        Core earliest = null;
        long deadline = Long.MAX_VALUE;
        for (int i = 0, n = machine.coreCount(); i < n; i++)
        {
            final Core core = machine.core(i);
            if (core.isAsleep())
            {
                final long d = core.sleepDeadline();
                if (d < deadline)
                {
                    deadline = d;
                    earliest = core;
                }
            }
        }
        if (earliest == null)
        {
            return; // nothing will ever happen without a request from the host: every core parks for good
        }
        // Only while still asleep: a wake-up that came during the scan means the machine has work again.
        if (!awake.compareAndSet(0, 1))
        {
            return;
        }
        if (earliest.claimSleep(deadline))
        {
            unparkCarrier(earliest);
        }
        else
        {
            // Woken by someone else after the scan; that claimer counted it, so this does not reach 0.
            awake.decrementAndGet();
        }
    }
}
