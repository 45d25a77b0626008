package dev.shoal.apps.bench;

import java.util.List;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.skb.Skb;

/**
 * A workload of {@code shoal bench}. One step measures one variant (a strategy, a distance) at one core count and
 * boots its own machine, so steps do not disturb each other and a deterministic step gives the same cycles every
 * time.
 */
public interface Workload
{
    String name();

    /** Fewest cores the workload can run on; smaller core counts of a sweep are skipped. */
    default int minCores()
    {
        return 1;
    }

    /** The variants measured at this core count (one line of each plot per variant). */
    List<String> variants(Skb skb, int cores);

    /** Boots a fresh machine of {@code cores} cores with a runner from {@code runners} and measures one variant. */
    List<Sample> measure(Skb skb, int cores, String variant, Supplier<RunnerFactory> runners) throws Exception;
}
