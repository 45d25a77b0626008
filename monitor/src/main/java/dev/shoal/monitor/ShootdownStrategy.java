package dev.shoal.monitor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a TLB shootdown reaches the cores that may cache a mapping (the Multikernel paper's Figure 6).
 */
public enum ShootdownStrategy
{
    /** One message per core, on a channel of its own, in core order. */
    UNICAST("unicast"),
    /** One write that every core reads: timed as one cache line transferred to the readers one after another. */
    BROADCAST("broadcast"),
    /** One message per package leader, which forwards within its package; leaders in package order. */
    MULTICAST("multicast"),
    /** The SKB's NUMA-aware tree: like multicast, but sends ordered by decreasing latency (furthest first). */
    NUMA_MULTICAST("numa-multicast");

    private final String cliName;

    ShootdownStrategy(final String cliName)
    {
        this.cliName = cliName;
    }

    public String cliName()
    {
        return cliName;
    }

    /** Parses a CLI name; fails with a one-line message listing the valid names. */
    public static ShootdownStrategy parse(final String name)
    {
        for (final ShootdownStrategy s : values())
        {
            if (s.cliName.equals(name.toLowerCase(Locale.ROOT)))
            {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + name + "': expected one of " +
            Arrays.stream(values()).map(ShootdownStrategy::cliName).collect(Collectors.joining(", ")) + " or all");
    }
}
