package dev.shoal.harness;

import java.util.SplittableRandom;

import dev.shoal.monitor.MonitorSystem;

/**
 * A fault a simulation injects after boot. It runs on the deterministic stepping thread at a quiescent point, so
 * every core is paused; {@code random} is drawn from the run's seed, so seeded faults replay exactly. Built-ins
 * are in {@link Faults}.
 */
@FunctionalInterface
public interface Fault
{
    /** Injects the fault; returns a description for failure messages (e.g. "core 5 halted"). */
    String inject(MonitorSystem system, SplittableRandom random);
}
