package dev.shoal.kernel;

/**
 * A stream of timestamped events for one core in exact (deterministic) mode: the receive side of a channel, the
 * core's timers, its run queue. Each source yields its events in non-decreasing time order; the core handles the
 * earliest head among all its sources next, ties broken by {@link #tie()}: kind first (run queue, timers, then
 * messages), then the sending core (in an order drawn from the seed when the run explores interleavings), then the
 * source's creation order on this core. So one rule in the kernel orders every core's events, and no protocol
 * orders its own.
 *
 * <p>A source tells its core when its head may have changed ({@link #changed()}): after new events arrived (a
 * channel's pump) or after its head was handled. Core-local: every method runs on the owning core's carrier.
 */
public abstract class EventSource extends EventHeap.Entry
{
    /** Kinds of source, in their tie order. */
    public enum Kind
    {
        RUN_QUEUE, TIMERS, MESSAGES
    }

    private final Core core;
    private final long tie;

    /**
     * @param core the owning core.
     * @param kind what the events are.
     * @param peer the core the events come from (this core for its own).
     */
    protected EventSource(final Core core, final Kind kind, final int peer)
    {
        this.core = core;
        this.tie = ((long)kind.ordinal() << 60) | ((core.peerOrder(peer) & 0xFFFF_FFFFL) << 24) |
            (core.nextSourceSerial() & 0xFF_FFFFL);
    }

    /** Time of the next event, or {@link Long#MAX_VALUE} when there is none. */
    public abstract long headTime();

    /**
     * Handles the next event: moves the core's clock to at least its time and does what it says. Called by the
     * engine only when this source has the core's earliest event.
     */
    protected abstract void handleHead();

    /** Tells the core that {@link #headTime()} may have changed. Core-local. */
    public final void changed()
    {
        core.reschedule(this);
    }

    public final Core core()
    {
        return core;
    }

    @Override
    final long eventTime()
    {
        return headTime();
    }

    @Override
    final long tie()
    {
        return tie;
    }
}
