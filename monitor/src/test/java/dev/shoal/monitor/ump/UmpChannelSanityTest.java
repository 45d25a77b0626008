package dev.shoal.monitor.ump;

import static dev.shoal.monitor.ump.UmpDescriptor.MAX_MESSAGE_LENGTH;
import static dev.shoal.monitor.ump.UmpDescriptor.SEQUENCE_MASK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every UMP channel must show, whatever memory its rings live in: each subclass supplies ring
 * memory of one kind, and every test runs on rings of 2 (the smallest: one data slot), 4 and 32 (the default)
 * slots.
 */
abstract class UmpChannelSanityTest
{
    private static final long SEED = 0x5B0A1L;

    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0} slots")
    @ValueSource(ints = { 2, 4, 32 })
    @interface ForEachRingSize
    {
    }

    /** Zeroed, 8-byte aligned memory of {@code bytes} bytes for one ring. */
    protected abstract AtomicBuffer newRingMemory(int bytes);

    private UmpChannel newChannel(final int slots)
    {
        return newChannel(slots, UmpDescriptor.INITIAL_SEQUENCE);
    }

    private UmpChannel newChannel(final int slots, final int initialSequence)
    {
        return UmpChannel.pair(newRing(slots), newRing(slots), initialSequence);
    }

    private UmpRing newRing(final int slots)
    {
        return new UmpRing(newRingMemory(UmpRing.bytesFor(slots)));
    }

    @ForEachRingSize
    void shouldDeliverOneMessageWithItsSendCycle(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Recorder atB = new Recorder();

        assertTrue(channel.a().send(42, ascii("hello")));
        assertTrue(channel.b().poll(atB, 10) > 0);

        assertEquals(List.of(new Received(42, ascii("hello"))), atB.messages);
        assertEquals(1, channel.a().messagesSent());
        assertEquals(1, channel.a().slotsSent());
        assertEquals(1, channel.b().messagesReceived());
        assertEquals(1, channel.b().slotsReceived());
    }

    @ForEachRingSize
    void shouldFindNothingInAFreshChannel(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Recorder recorder = new Recorder();

        assertFalse(channel.a().hasInbound());
        assertFalse(channel.b().hasInbound());
        assertEquals(0, channel.a().poll(recorder, 10));
        assertEquals(0, channel.b().poll(recorder, 10));
        assertTrue(recorder.messages.isEmpty());
        assertEquals(slots, channel.a().capacity());
    }

    @ForEachRingSize
    void shouldLetAHandlerReplyOnTheSameEndpoint(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Recorder atA = new Recorder();
        final UmpEndpoint b = channel.b();
        final UmpHandler echo = (sendCycle, buffer, offset, length) ->
        {
            final byte[] reply = new byte[length + 1];
            buffer.getBytes(offset, reply, 1, length);
            reply[0] = '>';
            b.send(sendCycle + 100, reply);
        };

        channel.a().send(7, ascii("ping"));
        pumpUntilQuiet(channel.a(), atA, b, echo);

        assertEquals(List.of(new Received(107, ascii(">ping"))), atA.messages);
    }

    @ForEachRingSize
    void shouldKeepAMessagesBytesWhileItsHandlerRunsThoughItRepliesAndThePeerRefillsTheRing(final int slots)
    {
        // A one-slot message is read in place, from the ring: its slot must stay the peer's to not touch until
        // the handler returns, even after the handler's reply has carried an acknowledgement back and the peer
        // has polled it and written everything its credit allows.
        final UmpChannel channel = newChannel(slots);
        final UmpEndpoint a = channel.a();
        final UmpEndpoint b = channel.b();
        final Recorder atA = new Recorder();
        final List<String> seen = new ArrayList<>();
        final UmpHandler handler = (sendCycle, buffer, offset, length) ->
        {
            final String before = buffer.getStringWithoutLengthAscii(offset, length);
            b.send(sendCycle, ascii("ack"));
            a.poll(atA, Integer.MAX_VALUE);
            for (int i = 0; i < 2 * slots; i++)
            {
                a.send(sendCycle, ascii("overwrite-" + i));
            }
            a.poll(atA, Integer.MAX_VALUE);
            seen.add(before + "|" + buffer.getStringWithoutLengthAscii(offset, length));
        };

        a.send(1, ascii("first"));
        b.poll(handler, 1);

        assertEquals(List.of("first|first"), seen);
    }

    @ForEachRingSize
    void shouldWrapAroundTheRingOverManyLaps(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Traffic traffic = new Traffic(new Random(SEED + slots));

        for (int i = 0; i < 25 * slots + 3; i++)
        {
            traffic.sendAToB(channel, i % 130);
            pumpUntilQuiet(channel.a(), traffic.atA, channel.b(), traffic.atB);
        }

        traffic.assertAllDelivered();
        assertTrue(channel.a().slotsSent() > 20L * slots);
    }

    @ForEachRingSize
    void shouldWrapSequenceNumbersPastTwoToThe24(final int slots)
    {
        // SEQUENCE_MASK puts sequence 0 into the zeroed memory of the first lap; the other start crosses 0 later.
        for (final int initialSequence : new int[] { SEQUENCE_MASK, SEQUENCE_MASK - 3 * slots + 2 })
        {
            final UmpChannel channel = newChannel(slots, initialSequence);
            final Traffic traffic = new Traffic(new Random(SEED + initialSequence));

            for (int i = 0; i < 10 * slots + 7; i++)
            {
                traffic.sendAToB(channel, i % 70);
                traffic.sendBToA(channel, (i * 13) % 60);
                pumpUntilQuiet(channel.a(), traffic.atA, channel.b(), traffic.atB);
            }

            traffic.assertAllDelivered();
        }
    }

    @ForEachRingSize
    void shouldQueueWhenTheRingIsFullAndDeliverInOrderAfterPolling(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final UmpEndpoint a = channel.a();
        final Traffic traffic = new Traffic(new Random(SEED));

        int accepted = 0;
        while (traffic.sendAToB(channel, 20))
        {
            accepted++;
        }
        assertEquals(slots - 1, accepted, "one slot stays free for acknowledgements");
        assertTrue(a.hasPendingOutbound());
        for (int i = 0; i < 3; i++)
        {
            assertFalse(traffic.sendAToB(channel, 20), "queued behind the message that did not fit");
        }
        assertEquals(slots - 1, a.messagesSent());

        assertEquals(0, a.poll(traffic.atA, 10), "no credit until the receiver has polled");
        assertTrue(channel.b().poll(traffic.atB, 100) > 0);
        assertTrue(a.poll(traffic.atA, 10) > 0, "the receiver's ack let the queue drain");
        pumpUntilQuiet(a, traffic.atA, channel.b(), traffic.atB);

        assertFalse(a.hasPendingOutbound());
        assertEquals(slots + 3, a.messagesSent());
        traffic.assertAllDelivered();
    }

    @ForEachRingSize
    void shouldFragmentAndReassembleMessagesOfEveryLength(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Traffic traffic = new Traffic(new Random(SEED));

        for (final int length : new int[] { 0, 1, 47, 48, 49, 55, 56, 57, 103, 104, 105, 160, 161, 1000, 4096,
            MAX_MESSAGE_LENGTH - 1, MAX_MESSAGE_LENGTH })
        {
            final long slotsBefore = channel.a().slotsSent();
            traffic.sendAToB(channel, length);
            pumpUntilQuiet(channel.a(), traffic.atA, channel.b(), traffic.atB);
            assertEquals(UmpDescriptor.slotsFor(length), channel.a().slotsSent() - slotsBefore, "slots for " + length);
        }

        traffic.assertAllDelivered();
        assertEquals(
            UmpDescriptor.slotsFor(MAX_MESSAGE_LENGTH), 1 + (MAX_MESSAGE_LENGTH - 48 + 55) / 56, "48 bytes, then 56s");
    }

    @ForEachRingSize
    void shouldCarryTheSendCycleOfEveryMessage(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Recorder atB = new Recorder();
        final long[] cycles = { 0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 2_660_000_000L };

        for (final long cycle : cycles)
        {
            channel.a().send(cycle, new byte[3]);
            channel.a().send(cycle, new byte[500]);
            pumpUntilQuiet(channel.a(), new Recorder(), channel.b(), atB);
        }

        assertEquals(2 * cycles.length, atB.messages.size());
        for (int i = 0; i < cycles.length; i++)
        {
            assertEquals(cycles[i], atB.messages.get(2 * i).sendCycle());
            assertEquals(cycles[i], atB.messages.get(2 * i + 1).sendCycle());
        }
    }

    @ForEachRingSize
    void shouldRejectMessagesLongerThan64KiB(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[MAX_MESSAGE_LENGTH + 1]);

        final IllegalArgumentException tooLong =
            assertThrows(IllegalArgumentException.class, () -> channel.a().send(0, big, 0, MAX_MESSAGE_LENGTH + 1));
        assertTrue(tooLong.getMessage().contains("65537"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> channel.a().send(0, new byte[MAX_MESSAGE_LENGTH + 1]));
        assertThrows(IllegalArgumentException.class, () -> channel.a().send(0, big, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> channel.a().send(0, big, 10, MAX_MESSAGE_LENGTH));

        assertEquals(0, channel.a().slotsSent());
        assertFalse(channel.a().hasPendingOutbound());
        assertEquals(0, channel.b().poll(new Recorder(), 10));
    }

    @ForEachRingSize
    void shouldNotDeadlockWhenBothDirectionsAreFull(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Traffic traffic = new Traffic(new Random(SEED + slots));

        while (traffic.sendAToB(channel, 30))
        {
            // fill a's ring
        }
        while (traffic.sendBToA(channel, 40))
        {
            // fill b's ring
        }
        for (int i = 0; i < 2 * slots; i++)
        {
            traffic.sendAToB(channel, i * 37 % 300);
            traffic.sendBToA(channel, i * 41 % 300);
        }
        assertTrue(channel.a().hasPendingOutbound());
        assertTrue(channel.b().hasPendingOutbound());

        pumpUntilQuiet(channel.a(), traffic.atA, channel.b(), traffic.atB);

        traffic.assertAllDelivered();
    }

    @ForEachRingSize
    void shouldPreserveOrderUnderInterleavedSendsAndPolls(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Random random = new Random(SEED * 31 + slots);
        final Traffic traffic = new Traffic(random);

        for (int step = 0; step < 4000; step++)
        {
            final boolean fromA = random.nextBoolean();
            if (random.nextInt(10) < 6)
            {
                final int roll = random.nextInt(100);
                final int length = roll < 80 ? random.nextInt(57) : roll < 97 ? random.nextInt(500) : random.nextInt(5000);
                if (fromA)
                {
                    traffic.sendAToB(channel, length);
                }
                else
                {
                    traffic.sendBToA(channel, length);
                }
            }
            else if (fromA)
            {
                channel.a().poll(traffic.atA, random.nextInt(5));
            }
            else
            {
                channel.b().poll(traffic.atB, random.nextInt(5));
            }
        }
        pumpUntilQuiet(channel.a(), traffic.atA, channel.b(), traffic.atB);

        traffic.assertAllDelivered();
    }

    @ForEachRingSize
    void shouldDeliverAtMostLimitMessagesPerPoll(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Recorder atB = new Recorder();
        final int queued = Math.min(3, slots - 1);
        for (int i = 0; i < queued; i++)
        {
            assertTrue(channel.a().send(i, new byte[] { (byte)i }));
        }

        channel.b().poll(atB, 0);
        assertEquals(0, atB.messages.size(), "limit 0 delivers nothing");
        channel.b().poll(atB, 1);
        assertEquals(1, atB.messages.size());
        channel.b().poll(atB, 10);
        assertEquals(queued, atB.messages.size());
    }

    @ForEachRingSize
    void shouldGoQuietOnceNothingIsSent(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final Traffic traffic = new Traffic(new Random(SEED));
        for (int i = 0; i < 5 * slots; i++)
        {
            traffic.sendAToB(channel, i);
            traffic.sendBToA(channel, 2 * i);
            channel.a().poll(traffic.atA, 3);
            channel.b().poll(traffic.atB, 3);
        }
        pumpUntilQuiet(channel.a(), traffic.atA, channel.b(), traffic.atB);

        for (int i = 0; i < 10; i++)
        {
            assertEquals(0, channel.a().poll(traffic.atA, 10), "acknowledgements are never acknowledged");
            assertEquals(0, channel.b().poll(traffic.atB, 10));
        }
        assertFalse(channel.a().hasInbound());
        assertFalse(channel.b().hasInbound());
        traffic.assertAllDelivered();
    }

    @ForEachRingSize
    void shouldRingTheDoorbellOncePerBatchOfSlotsWritten(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final int[] rungByA = new int[1];
        final int[] rungByB = new int[1];
        channel.a().doorbell(() -> rungByA[0]++);
        channel.b().doorbell(() -> rungByB[0]++);
        final UmpEndpoint b = channel.b();
        final UmpHandler replyTwice = (sendCycle, buffer, offset, length) ->
        {
            b.send(sendCycle, new byte[1]);
            b.send(sendCycle, new byte[1]);
        };

        channel.a().send(1, new byte[1000]);
        assertEquals(1, rungByA[0], "one batch, however many fragments fitted");
        while (channel.a().send(2, new byte[1]))
        {
            // fill the ring
        }
        final int rungWhenFull = rungByA[0];
        channel.a().send(3, new byte[1]);
        assertEquals(rungWhenFull, rungByA[0], "nothing written, nothing rung");

        final int pollsThatWrote = pollUntilIdle(b, replyTwice);
        assertTrue(rungByB[0] >= 1 && rungByB[0] <= pollsThatWrote, "at most once per poll: " + rungByB[0]);
    }

    @ForEachRingSize
    void shouldRejectAPollFromInsideItsOwnHandlerAndStayUsable(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final UmpEndpoint b = channel.b();
        final Recorder atB = new Recorder();
        channel.a().send(1, ascii("first"));

        assertThrows(IllegalStateException.class, () -> b.poll((sendCycle, buffer, offset, length) -> b.poll(atB, 1), 1));
        channel.a().send(2, ascii("second"));
        pumpUntilQuiet(channel.a(), new Recorder(), b, atB);

        assertEquals(List.of(new Received(2, ascii("second"))), atB.messages, "the first counted as delivered");
        assertEquals(2, b.messagesReceived());
    }

    @ForEachRingSize
    void shouldNotAllocateWhenSendingAndReceivingSingleSlotMessages(final int slots)
    {
        final UmpChannel channel = newChannel(slots);
        final UmpEndpoint a = channel.a();
        final UmpEndpoint b = channel.b();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[UmpDescriptor.FIRST_FRAGMENT_CAPACITY]);
        final byte[] bytes = new byte[20];
        final long[] received = new long[1];
        final UmpHandler count = (sendCycle, buffer, offset, length) -> received[0] += length;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();

        int refused = exchangeSingleSlotMessages(a, b, message, bytes, count, 20_000);
        // Steady state is what the JIT makes of the path; on a loaded host it may not have compiled it yet after the
        // warm-up, and code that is not yet optimised may allocate. So measure rounds until one allocates nothing: a
        // path that really allocates does so in every round, and fails.
        final List<Long> allocatedPerRound = new ArrayList<>();
        for (int round = 0; round < 10; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            refused += exchangeSingleSlotMessages(a, b, message, bytes, count, 20_000);
            allocatedPerRound.add(threads.getCurrentThreadAllocatedBytes() - before);
            if (allocatedPerRound.get(allocatedPerRound.size() - 1) == 0)
            {
                break;
            }
        }

        assertEquals(0, refused, "every message fitted at once");
        assertEquals(0L, allocatedPerRound.get(allocatedPerRound.size() - 1),
            "bytes allocated on the steady-state path, per round of 40,000 messages: " + allocatedPerRound);
        assertEquals(20_000L * (1 + allocatedPerRound.size()) * (48 + 20), received[0]);
    }

    private static int exchangeSingleSlotMessages(
        final UmpEndpoint a,
        final UmpEndpoint b,
        final UnsafeBuffer message,
        final byte[] bytes,
        final UmpHandler handler,
        final int count)
    {
        int refused = 0;
        for (int i = 0; i < count; i++)
        {
            // The receiver polls after each send: with 2 slots only one data slot may be in flight.
            refused += a.send(i, message, 0, message.capacity()) ? 0 : 1;
            b.poll(handler, 1);
            refused += a.send(i, bytes) ? 0 : 1;
            b.poll(handler, 1);
            a.poll(handler, 1);
        }
        return refused;
    }

    private static int pollUntilIdle(final UmpEndpoint endpoint, final UmpHandler handler)
    {
        int pollsThatWrote = 0;
        for (int i = 0; i < 100; i++)
        {
            final long written = endpoint.slotsSent() + endpoint.acksSent();
            if (endpoint.poll(handler, 10) == 0)
            {
                return pollsThatWrote;
            }
            pollsThatWrote += endpoint.slotsSent() + endpoint.acksSent() > written ? 1 : 0;
        }
        return fail("endpoint never went idle");
    }

    /**
     * Polls both ends in turn until neither does any work; fails if that leaves messages queued: with one thread
     * stepping both ends, a round without work means nothing will ever move again.
     */
    static void pumpUntilQuiet(final UmpEndpoint a, final UmpHandler atA, final UmpEndpoint b, final UmpHandler atB)
    {
        for (int round = 0; round < 10_000_000; round++)
        {
            final int work = a.poll(atA, 8) + b.poll(atB, 8);
            if (work == 0)
            {
                assertFalse(a.hasPendingOutbound() || b.hasPendingOutbound(),
                    "stalled with messages queued: a=" + a.hasPendingOutbound() + ", b=" + b.hasPendingOutbound());
                return;
            }
        }
        fail("channel never went quiet");
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    record Received(long sendCycle, byte[] bytes)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Received(long cycle, byte[] content) &&
                cycle == sendCycle && java.util.Arrays.equals(content, bytes);
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(sendCycle) * 31 + java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString()
        {
            return "Received{cycle=" + sendCycle + ", length=" + bytes.length + '}';
        }
    }

    static final class Recorder implements UmpHandler
    {
        final List<Received> messages = new ArrayList<>();

        @Override
        public void onMessage(final long sendCycle, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            messages.add(new Received(sendCycle, copy));
        }
    }

    /** Random messages in both directions, and what each end must therefore receive. */
    static final class Traffic
    {
        private final Random random;
        private long nextCycle = 1000;
        final List<Received> sentByA = new ArrayList<>();
        final List<Received> sentByB = new ArrayList<>();
        final Recorder atA = new Recorder();
        final Recorder atB = new Recorder();

        Traffic(final Random random)
        {
            this.random = random;
        }

        boolean sendAToB(final UmpChannel channel, final int length)
        {
            return send(channel.a(), sentByA, length);
        }

        boolean sendBToA(final UmpChannel channel, final int length)
        {
            return send(channel.b(), sentByB, length);
        }

        private boolean send(final UmpEndpoint from, final List<Received> sent, final int length)
        {
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            final long cycle = nextCycle;
            nextCycle += 1 + random.nextInt(1000);
            sent.add(new Received(cycle, bytes.clone()));
            // Offset 3 into a larger buffer: the channel must copy exactly the window it was given.
            final UnsafeBuffer src = new UnsafeBuffer(new byte[length + 7]);
            src.putBytes(3, bytes);
            return from.send(cycle, src, 3, length);
        }

        void assertAllDelivered()
        {
            assertDelivered(sentByA, atB.messages, "a to b");
            assertDelivered(sentByB, atA.messages, "b to a");
        }

        private static void assertDelivered(final List<Received> sent, final List<Received> received, final String way)
        {
            assertEquals(sent.size(), received.size(), way + ": messages delivered");
            for (int i = 0; i < sent.size(); i++)
            {
                assertEquals(sent.get(i).sendCycle(), received.get(i).sendCycle(), way + ": cycle of message " + i);
                assertArrayEquals(sent.get(i).bytes(), received.get(i).bytes(), way + ": bytes of message " + i);
            }
        }
    }
}
