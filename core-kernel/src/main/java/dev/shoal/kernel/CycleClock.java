package dev.shoal.kernel;

/**
 * A core's cycle counter: simulated time for everything that runs on that core.
 *
 * <p>Owned by one core: only code running on that core (its CPU driver, monitor and dispatchers) may read or
 * advance it. Other threads may read {@link #now()} once the core has stopped (joining its carrier orders the
 * reads). Plain field: the hot paths that charge cycles pay no fences.
 */
public final class CycleClock
{
    private long now;
    private long slowdown = 1;

    /** @return the current simulated cycle of this core. */
    public long now()
    {
        return now;
    }

    /** Spends {@code cycles} of core time. Called only on the owning core. */
    public long advance(final long cycles)
    {
        if (cycles < 0)
        {
            throw new IllegalArgumentException("cannot advance a clock by negative cycles: " + cycles);
        }
        final long t = now + cycles * slowdown;
        now = t;
        return t;
    }

    /**
     * Fault injection: from now on every cost charged to this clock is multiplied by {@code factor} (a slow core).
     * Called only on the owning core (or while it is paused).
     */
    public void slowDown(final long factor)
    {
        if (factor < 1)
        {
            throw new IllegalArgumentException("slow-down factor must be at least 1: " + factor);
        }
        slowdown = factor;
    }

    /**
     * Observes an event that happened at simulated time {@code at} (e.g. a message's send time plus the link
     * latency): the clock becomes {@code max(now, at)}. Called only on the owning core.
     */
    public long observe(final long at)
    {
        final long t = Math.max(now, at);
        now = t;
        return t;
    }
}
