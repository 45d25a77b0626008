package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.skb.Skb;

/** {@link Monitor#after}: delays in simulated cycles, saturating instead of wrapping past the end of the clock. */
class MonitorTimerTest
{
    private static MonitorSystem boot()
    {
        return MonitorSystem.boot(MonitorConfig.builder(Skb.open("amd-2x2")).cores(1).build(), Duration.ofSeconds(60));
    }

    @Test
    void shouldSaturateADeadlinePastTheEndOfTheClockInsteadOfWrappingIntoThePast() throws Exception
    {
        try (MonitorSystem system = boot())
        {
            final long deadline = system.onCore(0, monitor ->
            {
                monitor.core().clock().advance(1_000);
                final var timer = monitor.after(Long.MAX_VALUE - 1, () -> { });
                final long next = monitor.core().timers().nextDeadline();
                timer.cancel();
                return next;
            }).get(30, TimeUnit.SECONDS);
            assertEquals(Long.MAX_VALUE, deadline);
        }
    }

    @Test
    void shouldRefuseANegativeDelay() throws Exception
    {
        try (MonitorSystem system = boot())
        {
            final ExecutionException failure = assertThrows(ExecutionException.class, () -> system.onCore(0,
                monitor -> monitor.after(-1, () -> { })).get(30, TimeUnit.SECONDS));
            assertEquals(IllegalArgumentException.class, failure.getCause().getClass());
        }
    }
}
