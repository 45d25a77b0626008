package dev.shoal.monitor;

/** Something the monitor polls in its duty cycle on behalf of the core's dispatchers (the waitset role). */
@FunctionalInterface
public interface ChannelPoller
{
    /** Live mode: polls once and handles what arrived; returns the work done. Called only on the core's carrier. */
    int poll();

    /**
     * Exact mode: moves what arrived into the poller's own queue of timestamped events without handling it (see
     * {@code CoreService.pump}). Called only on the core's carrier.
     */
    default void pump()
    {
    }
}
