package dev.shoal.monitor.ump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Two threads, one per end, as two cores would run them. Every message is checked: its send cycle is its index,
 * its length and bytes follow from the index, so loss, duplication, reordering or a torn slot all fail.
 * <pre>
 *   producer thread ──a──▶ ring a→b ──▶ b── consumer thread
 *                   ◀───── ring b→a ◀────   (acks, or replies)
 * </pre>
 */
class UmpChannelStressTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final UmpHandler NOTHING_EXPECTED = (sendCycle, buffer, offset, length) ->
        fail("unexpected message of " + length + " bytes");

    private volatile boolean stop;

    @Test
    void shouldDeliverAMillionMessagesInOrderFromOneThreadToAnother()
    {
        final int count = 1_000_000;
        final UmpChannel channel = UmpChannel.pair(32);
        final Checker checker = new Checker();

        runConcurrently(
            () -> produce(channel.a(), count, NOTHING_EXPECTED, new BackoffIdleStrategy()),
            () -> consume(channel.b(), count, checker, new BackoffIdleStrategy()));

        assertEquals(count, checker.received);
        assertEquals(count, channel.b().messagesReceived());
    }

    @Test
    void shouldExchangeMessagesBothWaysAtOnceWithoutDeadlockOnASmallRing()
    {
        final int count = 200_000;
        final UmpChannel channel = UmpChannel.pair(4);
        final Checker atA = new Checker();
        final Checker atB = new Checker();

        runConcurrently(
            () -> exchange(channel.a(), count, atA),
            () -> exchange(channel.b(), count, atB));

        assertEquals(count, atA.received);
        assertEquals(count, atB.received);
    }

    @Test
    void shouldWakeAParkedCoreThroughTheDoorbellWithoutLosingAWakeUp()
    {
        final int count = 200_000;
        final UmpChannel channel = UmpChannel.pair(8);
        final Checker checker = new Checker();
        final Sleeper producer = new Sleeper();
        final Sleeper consumer = new Sleeper();
        channel.a().doorbell(consumer::wake);
        channel.b().doorbell(producer::wake);

        // Both ends park with no timeout whenever they run out of work: a lost wake-up hangs the test.
        runConcurrently(
            () -> produce(channel.a(), count, NOTHING_EXPECTED, producer.idleStrategy(channel.a())),
            () -> consume(channel.b(), count, checker, consumer.idleStrategy(channel.b())));

        assertEquals(count, checker.received);
    }

    @Test
    void shouldWrapSequenceNumbersBySendingMoreThanTwoToThe24Messages()
    {
        // No test hook: 2^24 + 1000 empty messages through the default ring, on one thread, in batches.
        final int count = (1 << UmpDescriptor.SEQUENCE_BITS) + 1000;
        final UmpChannel channel = UmpChannel.pair();
        final UmpEndpoint a = channel.a();
        final UmpEndpoint b = channel.b();
        final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
        final long[] expected = new long[1];
        final UmpHandler inOrder = (sendCycle, buffer, offset, length) ->
        {
            if (sendCycle != expected[0]++ || length != 0)
            {
                throw new AssertionError("expected message " + (expected[0] - 1) + ", got " + sendCycle);
            }
        };

        for (int sent = 0; sent < count; )
        {
            while (sent < count && a.send(sent, empty, 0, 0))
            {
                sent++;
            }
            if (a.hasPendingOutbound())
            {
                sent++;
            }
            b.poll(inOrder, Integer.MAX_VALUE);
            a.poll(NOTHING_EXPECTED, Integer.MAX_VALUE);
        }
        while (b.poll(inOrder, Integer.MAX_VALUE) + a.poll(NOTHING_EXPECTED, Integer.MAX_VALUE) > 0)
        {
            // drain
        }

        assertEquals(count, expected[0]);
        assertEquals(count, b.slotsReceived());
        assertFalse(a.hasPendingOutbound());
    }

    private void produce(final UmpEndpoint endpoint, final int count, final UmpHandler handler, final IdleStrategy idle)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[Messages.MAX_LENGTH]);
        for (int i = 0; i < count && !stop; i++)
        {
            final int length = Messages.fill(message, i);
            if (!endpoint.send(i, message, 0, length))
            {
                while (endpoint.hasPendingOutbound() && !stop)
                {
                    idle.idle(endpoint.poll(handler, 16));
                }
            }
        }
    }

    private void consume(final UmpEndpoint endpoint, final int count, final Checker checker, final IdleStrategy idle)
    {
        while (checker.received < count && !stop)
        {
            idle.idle(endpoint.poll(checker, 64));
        }
    }

    private void exchange(final UmpEndpoint endpoint, final int count, final Checker checker)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[Messages.MAX_LENGTH]);
        final IdleStrategy idle = new BackoffIdleStrategy();
        int sent = 0;
        while ((sent < count || checker.received < count || endpoint.hasPendingOutbound()) && !stop)
        {
            int work = 0;
            if (sent < count && !endpoint.hasPendingOutbound())
            {
                endpoint.send(sent, message, 0, Messages.fill(message, sent));
                sent++;
                work++;
            }
            work += endpoint.poll(checker, 8);
            idle.idle(work);
        }
    }

    private void runConcurrently(final Runnable... parties)
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (final Runnable party : parties)
        {
            threads.add(Thread.ofPlatform().name("ump-stress-" + threads.size()).start(() ->
            {
                try
                {
                    party.run();
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                    stop = true;
                }
            }));
        }
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try
        {
            for (final Thread thread : threads)
            {
                thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final boolean hung = threads.stream().anyMatch(Thread::isAlive);
        stop = true;
        threads.forEach(LockSupport::unpark);
        if (failure.get() != null)
        {
            throw new AssertionError("a stress thread failed", failure.get());
        }
        assertFalse(hung, "stress threads still running after " + TIMEOUT + ": deadlock or lost wake-up");
    }

    /** Message {@code i}: send cycle {@code i}, 0..130 bytes (up to three fragments), bytes derived from i. */
    private static final class Messages
    {
        static final int MAX_LENGTH = 130;

        static int length(final long i)
        {
            return (int)((i * 7) % (MAX_LENGTH + 1));
        }

        static byte byteAt(final long i, final int index)
        {
            return (byte)(i * 13 + index * 31);
        }

        static int fill(final MutableDirectBuffer buffer, final long i)
        {
            final int length = length(i);
            for (int index = 0; index < length; index++)
            {
                buffer.putByte(index, byteAt(i, index));
            }
            return length;
        }
    }

    /** Checks that message {@link #received} arrives next, whole; owned by the receiving thread. */
    private static final class Checker implements UmpHandler
    {
        int received;

        @Override
        public void onMessage(final long sendCycle, final DirectBuffer buffer, final int offset, final int length)
        {
            final long i = received;
            if (sendCycle != i || length != Messages.length(i))
            {
                throw new AssertionError("expected message " + i + " of " + Messages.length(i) +
                    " bytes, got cycle " + sendCycle + " with " + length + " bytes");
            }
            for (int index = 0; index < length; index++)
            {
                if (buffer.getByte(offset + index) != Messages.byteAt(i, index))
                {
                    throw new AssertionError("message " + i + " differs at byte " + index);
                }
            }
            received++;
        }
    }

    /**
     * Park when idle, woken only by the peer's doorbell: set a volatile flag, re-check the ring, park. The doorbell
     * runs after the peer's volatile header store and reads the flag.
     */
    private final class Sleeper
    {
        private volatile boolean sleeping;
        private volatile Thread thread;

        void wake()
        {
            if (sleeping)
            {
                LockSupport.unpark(thread);
            }
        }

        IdleStrategy idleStrategy(final UmpEndpoint endpoint)
        {
            return new IdleStrategy()
            {
                @Override
                public void idle(final int workCount)
                {
                    if (workCount > 0)
                    {
                        return;
                    }
                    thread = Thread.currentThread();
                    sleeping = true;
                    if (!endpoint.hasInbound() && !stop)
                    {
                        LockSupport.park(this);
                    }
                    sleeping = false;
                }

                @Override
                public void idle()
                {
                    idle(0);
                }

                @Override
                public void reset()
                {
                }
            };
        }
    }
}
