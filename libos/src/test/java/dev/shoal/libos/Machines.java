package dev.shoal.libos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.skb.Skb;

/** Boots machines for libOS tests in either mode (libos cannot use the test harness, which depends on it). */
public final class Machines
{
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Machines()
    {
    }

    /** "live" or "deterministic:SEED". */
    public static Shoal boot(final String mode, final String machine, final int cores)
    {
        final MonitorConfig.Builder config = MonitorConfig.builder(Skb.open(machine)).cores(cores);
        if (mode.startsWith("deterministic:"))
        {
            config.runners(new DeterministicScheduler(Long.parseLong(mode.substring("deterministic:".length())),
                new TraceRecorder(null)));
        }
        else if (!mode.equals("live"))
        {
            throw new IllegalArgumentException("mode " + mode);
        }
        return Shoal.boot(config.build());
    }

    /** Starts a domain and waits for all its dispatchers; a failure on any core fails the test with its cause. */
    public static void run(final Shoal shoal, final String name, final int[] cores, final Domain.Main main)
        throws InterruptedException
    {
        assertTrue(shoal.startDomain(name, cores, main).join(TIMEOUT), "domain " + name + " timed out");
    }

    /** Starts a domain without waiting for it. */
    public static Domain start(final Shoal shoal, final String name, final int[] cores, final Domain.Main main)
    {
        return shoal.startDomain(name, cores, main);
    }

    public static void join(final Domain... domains) throws InterruptedException
    {
        for (final Domain d : domains)
        {
            assertTrue(d.join(TIMEOUT), "domain " + d.name() + " timed out");
        }
    }
}
