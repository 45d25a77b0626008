package dev.shoal.harness;

import java.util.SplittableRandom;

import dev.shoal.monitor.MonitorSystem;

/**
 * A fault a simulation injects after boot. It runs on the deterministic stepping thread at a quiescent point, so
 * every core is paused; {@code random} is drawn from the run's seed, so seeded faults replay exactly. Built-ins
 * are in {@link Faults}; a fault of your own may return {@link InjectedFault#other(String)}.
 */
@FunctionalInterface
public interface Fault
{
    /** Injects the fault; returns what it did, as values and in words (e.g. "core 5 halted"). */
    InjectedFault inject(MonitorSystem system, SplittableRandom random);
}
