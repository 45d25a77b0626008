package dev.shoal.kernel;

/**
 * Work that a core's CPU driver polls once per duty cycle, on the core's own carrier: a monitor draining its
 * channels, a waitset of message bindings. Mechanism only: the kernel does not know what the service does.
 */
@FunctionalInterface
public interface CoreService
{
    /**
     * Does a bounded amount of pending work. Called only on the owning core's carrier.
     *
     * @return how much work was done; 0 tells the idle strategy that the service had nothing to do.
     */
    int doWork();

    /**
     * Exact mode: moves what arrived on this service's channels into its own queues of timestamped events, and
     * flushes what waits to be sent, without handling anything or touching the core's clock (the transport works
     * outside simulated time). The engine calls it when a doorbell rang for this core, between events, once per
     * channel that rang: {@code channel} is the key given to {@link Core#wake(long)}, or {@link Core#ALL_CHANNELS}
     * (look at every channel). A key the service does not know is someone else's. Called only on the owning core's
     * carrier.
     */
    default void pump(final long channel)
    {
    }
}
