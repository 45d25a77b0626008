package dev.shoal.harness;

import dev.shoal.monitor.MonitorSystem;

/**
 * A property that must hold after every step of a deterministic simulation. It runs on the stepping thread while
 * every core is paused, so it may read any core's state (through {@link MonitorSystem#peekMonitor(int)}); it must
 * not change any. Throw {@link AssertionError} naming what is wrong.
 */
@FunctionalInterface
public interface Invariant
{
    void check(MonitorSystem system);
}
