package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.skb.Skb;

/** Simulated time on the exact engine: timers at their deadline, queueing at a busy receiver, no stamps in the past. */
class ExactTimeTest
{
    /** Core 0 sends core 1 {@code count} notes at once; core 1 records when it handles each, and its timers. */
    static final class Notes implements MonitorOperation
    {
        record Note(int n)
        {
        }

        static final class Log
        {
            final List<String> events = new ArrayList<>();
            final List<Long> handled = new ArrayList<>();
            final CompletableFuture<Void> done = new CompletableFuture<>();
            int expected;
        }

        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Note.class, (monitor, from, note) ->
            {
                final Log log = monitor.local(Log.class, Log::new);
                log.events.add("note " + note.n() + " at " + monitor.now());
                log.handled.add(monitor.now());
                if (log.handled.size() == log.expected)
                {
                    log.done.complete(null);
                }
            });
        }
    }

    private static MonitorSystem boot(final long seed)
    {
        return MonitorSystem.boot(MonitorConfig.builder(Skb.open("amd-8x4")).cores(8).operation(new Notes())
            .runners(new DeterministicScheduler(seed, new TraceRecorder(null))).build(), Duration.ofSeconds(60));
    }

    @Test
    void shouldFireATimerAtItsDeadlineBeforeALaterMessage() throws Exception
    {
        try (MonitorSystem system = boot(1))
        {
            final long link = system.topology().latency(0, 5);
            final Notes.Log log = system.onCores(new int[] {5, 0}, (i, m) ->
            {
                if (m.coreId() == 5)
                {
                    final Notes.Log l = m.local(Notes.Log.class, Notes.Log::new);
                    l.expected = 1;
                    final long deadline = m.now() + 100;
                    m.after(100, () -> l.events.add("timer due " + deadline + " fired at " + m.now()));
                    return l;
                }
                m.ensureLink(5);
                m.send(5, new Notes.Note(1));
                return null;
            }).get(0).get(30, TimeUnit.SECONDS);
            log.done.get(30, TimeUnit.SECONDS);
            assertEquals(2, log.events.size(), log.events.toString());
            final String timer = log.events.get(0);
            assertTrue(timer.startsWith("timer"), "the timer (100 cycles) fires before the note (" + link +
                " cycles away): " + log.events);
            final String[] words = timer.split(" ");
            assertEquals(words[2], words[5], "fired exactly at its deadline: " + timer);
        }
    }

    @Test
    void shouldQueueMessagesThatArriveTogetherAtABusyReceiver() throws Exception
    {
        try (MonitorSystem system = boot(2))
        {
            final int senders = 7;
            final int[] cores = new int[senders + 1];
            for (int c = 0; c <= senders; c++)
            {
                cores[c] = c;
            }
            // Every core sends one note to core 0 at the same instant; core 0 handles them one after another.
            final Notes.Log log = system.onCores(cores, (i, m) ->
            {
                if (m.coreId() == 0)
                {
                    final Notes.Log l = m.local(Notes.Log.class, Notes.Log::new);
                    l.expected = senders;
                    return l;
                }
                m.send(0, new Notes.Note(m.coreId()));
                return null;
            }).get(0).get(30, TimeUnit.SECONDS);
            log.done.get(30, TimeUnit.SECONDS);
            final var costs = system.machine().core(0).costs();
            final long perMessage = costs.umpReceiveSlot() + costs.monitorHandler();
            for (int i = 1; i < log.handled.size(); i++)
            {
                assertTrue(log.handled.get(i) - log.handled.get(i - 1) >= perMessage,
                    "each note waits for the one before to be handled: " + log.handled);
            }
        }
    }

    @Test
    void shouldRefuseAStampEarlierThanTheSendersClock() throws Exception
    {
        try (MonitorSystem system = boot(3))
        {
            final ExecutionException failure = assertThrows(ExecutionException.class, () -> system.onCore(0, m ->
            {
                m.core().clock().advance(1_000);
                m.sendStamped(1, new Notes.Note(0), m.now() - 1);
                return null;
            }).get(30, TimeUnit.SECONDS));
            assertEquals(IllegalArgumentException.class, failure.getCause().getClass());
        }
    }
}
