package dev.shoal.monitor;

/** Something the monitor polls in its duty cycle on behalf of the core's dispatchers (the waitset role). */
@FunctionalInterface
public interface ChannelPoller
{
    /** Polls once; returns the work done. Called only on the core's carrier. */
    int poll();
}
