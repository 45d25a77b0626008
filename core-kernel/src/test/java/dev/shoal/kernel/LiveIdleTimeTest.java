package dev.shoal.kernel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

/** Live mode: idle time passes to the earliest timer once every core is idle, and not before. */
class LiveIdleTimeTest extends LiveMachineTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A dispatcher that arms a timer {@code delay} cycles ahead, parks until it fired, and reports the clock. */
    private static Dispatcher sleeper(final Core core, final long delay, final AtomicLong armedAt,
        final AtomicLong wokeAt)
    {
        return core.spawn("sleeper", () ->
        {
            final Thread self = Thread.currentThread();
            final AtomicBoolean fired = new AtomicBoolean();
            armedAt.set(core.clock().now());
            core.timers().at(core.clock().now() + delay, () ->
            {
                fired.set(true);
                LockSupport.unpark(self);
            });
            while (!fired.get())
            {
                LockSupport.park();
            }
            wokeAt.set(core.clock().now());
        });
    }

    @Test
    void shouldFireATimerOnAnIdleCoreOfAnIdleMachine() throws Exception
    {
        start(2);
        final AtomicLong armedAt = new AtomicLong(-1);
        final AtomicLong wokeAt = new AtomicLong(-1);
        final Dispatcher d = sleeper(machine.core(0), 1_000_000, armedAt, wokeAt);
        await().atMost(WAIT).until(() -> wokeAt.get() >= 0);
        assertTrue(d.join(WAIT));
        assertNull(d.failure());
        assertEquals(armedAt.get() + 1_000_000, wokeAt.get(), "idle time passes to the deadline, not beyond");
    }

    @Test
    void shouldPassNoIdleTimeWhileAnotherCoreHasWork() throws Exception
    {
        start(2);
        final AtomicBoolean release = new AtomicBoolean();
        final AtomicLong spins = new AtomicLong();
        final Dispatcher busy = machine.core(1).spawn("busy", () ->
        {
            while (!release.get())
            {
                spins.incrementAndGet();
                Dispatcher.current().yieldCore();
            }
        });
        final AtomicLong armedAt = new AtomicLong(-1);
        final AtomicLong wokeAt = new AtomicLong(-1);
        final Dispatcher d = sleeper(machine.core(0), 1_000_000, armedAt, wokeAt);
        await().atMost(WAIT).until(() -> armedAt.get() >= 0 && machine.core(0).isAsleep());
        final long before = spins.get();
        await().atMost(WAIT).until(() -> spins.get() > before + 10_000);
        assertEquals(-1, wokeAt.get(), "a timer fired while core 1 still had work");
        release.set(true);
        assertTrue(busy.join(WAIT));
        await().atMost(WAIT).until(() -> wokeAt.get() >= 0);
        assertTrue(d.join(WAIT));
        assertEquals(armedAt.get() + 1_000_000, wokeAt.get());
    }

    /**
     * Core 1's timer comes first and sends core 0 what core 0 is waiting for; core 0's later timeout must not fire,
     * because idle time reaches the earliest deadline of the machine first and then core 0 has work. Both timers are
     * armed before the machine can fall idle: core 1 arms its own and then starts the waiter on core 0.
     */
    @Test
    void shouldPassIdleTimeToTheEarliestDeadlineFirst() throws Exception
    {
        start(2);
        final List<String> events = new CopyOnWriteArrayList<>();
        final Core waiterCore = machine.core(0);
        final Core replierCore = machine.core(1);
        final AtomicReference<Dispatcher> waiter = new AtomicReference<>();
        replierCore.submit(() ->
        {
            replierCore.timers().at(replierCore.clock().now() + 1_000_000, () -> waiterCore.submit(() ->
            {
                events.add("reply");
                LockSupport.unpark(waiter.get().thread());
            }));
            waiter.set(waiterCore.spawn("waiter", () ->
            {
                final Thread self = Thread.currentThread();
                final AtomicBoolean done = new AtomicBoolean();
                final Timers.Timer timeout = waiterCore.timers().at(waiterCore.clock().now() + 2_000_000, () ->
                {
                    events.add("timeout");
                    done.set(true);
                    LockSupport.unpark(self);
                });
                while (!done.get())
                {
                    LockSupport.park();
                    if (!done.get() && events.contains("reply"))
                    {
                        timeout.cancel();
                        done.set(true);
                    }
                }
            }));
        });
        await().atMost(WAIT).until(() -> waiter.get() != null);
        assertTrue(waiter.get().join(WAIT));
        assertNull(waiter.get().failure());
        assertEquals(List.of("reply"), events);
    }

    @Test
    void shouldLeaveTheTimersOfAHaltedCoreStandingStill() throws Exception
    {
        start(2);
        final AtomicBoolean haltedFired = new AtomicBoolean();
        final Core halted = machine.core(1);
        final AtomicBoolean armed = new AtomicBoolean();
        halted.submit(() ->
        {
            halted.timers().at(halted.clock().now() + 1_000, () -> haltedFired.set(true));
            halted.halt();
            armed.set(true);
        });
        await().atMost(WAIT).until(armed::get);
        final AtomicLong armedAt = new AtomicLong(-1);
        final AtomicLong wokeAt = new AtomicLong(-1);
        final Dispatcher d = sleeper(machine.core(0), 1_000_000, armedAt, wokeAt);
        assertTrue(d.join(WAIT));
        assertNull(d.failure());
        // Idle time goes to deadlines in order: the halted core's earlier one would have come first.
        assertFalse(haltedFired.get());
    }
}
