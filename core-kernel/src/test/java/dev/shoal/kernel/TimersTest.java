package dev.shoal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class TimersTest
{
    @Test
    void shouldFireDueTimersInDeadlineThenArrivalOrder()
    {
        final Timers timers = new Timers();
        final List<String> fired = new ArrayList<>();
        timers.at(30, () -> fired.add("c"));
        timers.at(10, () -> fired.add("a"));
        timers.at(10, () -> fired.add("b"));
        assertEquals(10, timers.nextDeadline());
        assertEquals(2, timers.fireDue(29));
        assertEquals(List.of("a", "b"), fired);
        assertEquals(30, timers.nextDeadline());
        assertEquals(1, timers.fireDue(30));
        assertEquals(Long.MAX_VALUE, timers.nextDeadline());
    }

    @Test
    void shouldNeitherRunNorWaitForACancelledTimer()
    {
        final Timers timers = new Timers();
        final List<String> fired = new ArrayList<>();
        final Timers.Timer early = timers.at(10, () -> fired.add("early"));
        timers.at(20, () -> fired.add("late"));
        early.cancel();
        assertEquals(20, timers.nextDeadline(), "idle time must not stop at a cancelled deadline");
        assertEquals(1, timers.fireDue(100));
        assertEquals(List.of("late"), fired);
        early.cancel(); // cancelling twice, or after the queue moved on, is harmless
        assertEquals(true, timers.isEmpty());
    }
}
