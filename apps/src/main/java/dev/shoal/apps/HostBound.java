package dev.shoal.apps;

import java.time.Duration;

/**
 * How long a command waits in host time for a machine to boot or finish an operation: a base plus one millisecond per
 * core, so that a bound sized for thousands of cores does not cut off a machine of hundreds of thousands (262,144
 * cores took 100 s of host time to boot on 4 JVMs of a loaded 2-CPU host). Simulated figures never depend on it.
 */
public final class HostBound
{
    private HostBound()
    {
    }

    /** {@code seconds} plus one millisecond per core of the machine. */
    public static Duration of(final int seconds, final int cores)
    {
        return Duration.ofSeconds(seconds).plusMillis(cores);
    }
}
