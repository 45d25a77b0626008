package dev.shoal.harness.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.ump.UmpDescriptor;
import dev.shoal.monitor.ump.UmpEndpoint;
import dev.shoal.monitor.ump.UmpHandler;
import dev.shoal.monitor.ump.UmpRing;

/**
 * One-way streaming throughput of 56-byte messages from one host thread to another, through a raw Shoal UMP ring
 * and, in the same JMH run, through the two rings it is measured against: a JCTools {@link SpscArrayQueue} and an
 * Agrona {@link OneToOneRingBuffer}. Each invocation streams {@value #BATCH} messages and waits until the consumer
 * has taken the last one, so the score (operations per second) is messages per second.
 *
 * <pre>
 *   JMH benchmark thread (producer)                           consumer thread (busy-spins, Thread.onSpinWait)
 *   copy 56 bytes in, publish ─── ring of 32 x 64 bytes ───▶ take, copy 56 bytes out, add the stamp
 *                                                             received.lazySet(n)
 *   × BATCH, then spin until received == sent
 * </pre>
 *
 * <p>What "56 bytes" means for each: a UMP slot's payload is 56 bytes, of which the first 8 are the message's send
 * stamp ({@code sendCycle}) and 48 are user bytes, so the UMP producer sends 48 bytes with the message number as
 * its stamp and every message fills one 64-byte slot. The Agrona ring writes 56 bytes after its 8-byte record
 * header, also 64 bytes a record. The JCTools queue carries references, so the producer copies 56 bytes into one
 * of a pool of preallocated {@code byte[56]} (the pool is twice the queue's capacity, so a buffer is never
 * rewritten while it is queued or being read) and the consumer copies them out. Every consumer ends with the
 * bytes in memory of its own (UMP's receiver copies into its core-local buffer before calling the handler) and
 * reads the stamp from there. All three rings hold {@value #SLOTS} messages, Shoal's default channel size; the
 * UMP producer has at most 31 slots unacknowledged, and the consumer acknowledges every 16 (half a ring).
 *
 * <p>The UMP producer uses the endpoint's public API as a monitor does: {@link UmpEndpoint#send} never waits; when
 * the ring has no credit the message is copied into the endpoint's outbound queue and the producer polls until
 * that queue is flushed. The baselines instead spin on a failed offer.
 *
 * <p>Each method has its own {@link State}, so a fork of one never has another's consumer running.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(UmpThroughputBenchmark.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class UmpThroughputBenchmark
{
    /** Messages per invocation. */
    static final int BATCH = 100_000;
    /** Messages each ring holds: Shoal's default channel size. */
    static final int SLOTS = MonitorConfig.DEFAULT_CHANNEL_SLOTS;
    /** Bytes each message carries in its ring: a whole UMP slot payload. */
    static final int PAYLOAD = UmpDescriptor.PAYLOAD_SIZE;
    /** User bytes of a UMP message whose 8-byte send stamp fills the rest of the slot payload. */
    static final int UMP_USER_BYTES = UmpDescriptor.FIRST_FRAGMENT_CAPACITY;
    /** The last byte of every message, which each consumer adds to its sum to show the payload arrived. */
    static final byte LAST_BYTE = 7;

    /**
     * What a consumer thread publishes: messages taken so far (an ordered store per message) and the sum of the
     * stamps and last bytes it read, written before the count, so a reader that sees the count also sees the sum.
     * Allocated by the consumer thread, so that it shares no cache line with what the producer writes.
     */
    static final class Counters
    {
        final AtomicLong received = new AtomicLong();
        private long taken;
        private long stampSum;

        /** Consumer thread: one message taken, read from the consumer's own copy. */
        void took(final long stamp, final byte lastByte)
        {
            stampSum += stamp + lastByte;
            received.lazySet(++taken);
        }
    }

    /**
     * A consumer thread that busy-spins on a step it builds itself: whatever it owns (its UMP endpoint, its copy
     * buffers, its {@link Counters}) is allocated on that thread, as a core builds its own end of a channel, and
     * so never sits in a cache line next to the producer's fields. The queue or ring itself is built by the
     * producer; the baselines pad their shared indices, and UMP shares nothing but the slots.
     */
    abstract static class Consumer extends SpinningPeer
    {
        private volatile Counters counters;

        @Override
        final IntSupplier ownSide()
        {
            final Counters mine = new Counters();
            final IntSupplier step = consumerSide(mine);
            counters = mine;
            return step;
        }

        /**
         * Called once on the consumer thread: builds what it owns and returns one step, which takes what is
         * available, calls {@link Counters#took} per message and returns work done (0 when idle).
         */
        abstract IntSupplier consumerSide(Counters counters);

        /** Producer side: spins until the consumer has taken {@code sent} messages; returns their sum. */
        final long awaitReceived(final long sent)
        {
            final Counters c = counters;
            while (c.received.get() < sent)
            {
                checkAlive();
                Thread.onSpinWait();
            }
            return c.stampSum;
        }
    }

    /** A Shoal UMP channel: the producer owns one end, built on its thread, the consumer the other. */
    @State(Scope.Benchmark)
    public static class Ump extends Consumer
    {
        UmpEndpoint producer;
        /** The rings as the consumer's end sees them; it connects on its own thread. */
        private UmpRing consumerTx;
        private UmpRing consumerRx;
        final UnsafeBuffer message = new UnsafeBuffer(filled(UMP_USER_BYTES));
        long sent;
        /** Sends that found no credit and had to wait in the outbound queue. */
        long queuedSends;
        private final UmpHandler ignore = (sendCycle, buffer, offset, length) ->
        {
            throw new IllegalStateException("the consumer of a one-way stream sent a message");
        };

        @Setup(Level.Trial)
        public void setUp()
        {
            final UmpRing toConsumer = UmpRing.allocate(SLOTS);
            final UmpRing toProducer = UmpRing.allocate(SLOTS);
            producer = new UmpEndpoint(toConsumer, toProducer);
            consumerTx = toProducer;
            consumerRx = toConsumer;
            start("ump-consumer");
        }

        @Override
        IntSupplier consumerSide(final Counters counters)
        {
            final UmpEndpoint consumer = new UmpEndpoint(consumerTx, consumerRx);
            final UmpHandler take = (sendCycle, buffer, offset, length) ->
                counters.took(sendCycle, buffer.getByte(offset + length - 1));
            return () -> consumer.poll(take, SLOTS);
        }

        /** Producer: one message stamped {@code stamp}; polls its end while the message waits in the queue. */
        void send(final long stamp)
        {
            if (!producer.send(stamp, message, 0, UMP_USER_BYTES))
            {
                queuedSends++;
                while (producer.hasPendingOutbound())
                {
                    checkAlive();
                    producer.poll(ignore, 0);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
            // A diagnostic for the report: how often the producer outran the consumer's acknowledgements, so that
            // a message took the slow path (a heap copy into the outbound queue, then polls until it is flushed).
            System.out.printf("ump producer: %d of %d sends found no credit and were queued%n",
                queuedSends, producer.messagesSent());
        }
    }

    /** A JCTools SPSC queue of pooled 56-byte arrays. */
    @State(Scope.Benchmark)
    public static class Spsc extends Consumer
    {
        final SpscArrayQueue<byte[]> queue = new SpscArrayQueue<>(SLOTS);
        /** Twice the queue's capacity (a power of two), so a buffer is never rewritten while queued or read. */
        final byte[][] pool = new byte[2 * queue.capacity()][PAYLOAD];
        /** The producer's message, copied into a pool buffer for each offer. */
        final byte[] message = filled(PAYLOAD);
        final UnsafeBuffer messageView = new UnsafeBuffer(message);
        long sent;

        @Setup(Level.Trial)
        public void setUp()
        {
            start("spsc-consumer");
        }

        @Override
        IntSupplier consumerSide(final Counters counters)
        {
            final byte[] copy = new byte[PAYLOAD];
            final UnsafeBuffer copyView = new UnsafeBuffer(copy);
            return () ->
            {
                final byte[] bytes = queue.poll();
                if (bytes == null)
                {
                    return 0;
                }
                System.arraycopy(bytes, 0, copy, 0, PAYLOAD);
                counters.took(copyView.getLong(0), copy[PAYLOAD - 1]);
                return 1;
            };
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /** An Agrona one-to-one ring buffer with room for {@value #SLOTS} records of 56 bytes. */
    @State(Scope.Benchmark)
    public static class Agrona extends Consumer
    {
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            SLOTS * UmpDescriptor.SLOT_SIZE + RingBufferDescriptor.TRAILER_LENGTH, UmpDescriptor.SLOT_SIZE)));
        final UnsafeBuffer message = new UnsafeBuffer(filled(PAYLOAD));
        long sent;

        @Setup(Level.Trial)
        public void setUp()
        {
            start("agrona-consumer");
        }

        @Override
        IntSupplier consumerSide(final Counters counters)
        {
            final MutableDirectBuffer copy = new UnsafeBuffer(new byte[PAYLOAD]);
            final MessageHandler take = (typeId, buffer, index, length) ->
            {
                copy.putBytes(0, buffer, index, length);
                counters.took(copy.getLong(0), copy.getByte(PAYLOAD - 1));
            };
            return () -> ring.read(take);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /** A message of {@code length} bytes whose last byte is {@link #LAST_BYTE}, the rest zero. */
    static byte[] filled(final int length)
    {
        final byte[] bytes = new byte[length];
        bytes[length - 1] = LAST_BYTE;
        return bytes;
    }

    /**
     * The consumer's sum after {@code messages} messages stamped 1, 2, ..., each ending in {@link #LAST_BYTE}: what
     * every benchmark method returns when each message arrived once, intact.
     */
    static long expectedSum(final long messages)
    {
        return messages * (messages + 1) / 2 + messages * LAST_BYTE;
    }

    /** {@value #BATCH} messages through a Shoal UMP ring; returns the consumer's stamp sum. */
    @Benchmark
    public long ump(final Ump ump)
    {
        final long first = ump.sent + 1;
        final long last = ump.sent + BATCH;
        for (long stamp = first; stamp <= last; stamp++)
        {
            ump.send(stamp);
        }
        ump.sent = last;
        return ump.awaitReceived(last);
    }

    /** {@value #BATCH} messages through a JCTools SpscArrayQueue; returns the consumer's stamp sum. */
    @Benchmark
    public long spscQueue(final Spsc spsc)
    {
        final byte[][] pool = spsc.pool;
        final int mask = pool.length - 1;
        final byte[] message = spsc.message;
        final long first = spsc.sent + 1;
        final long last = spsc.sent + BATCH;
        for (long stamp = first; stamp <= last; stamp++)
        {
            spsc.messageView.putLong(0, stamp);
            final byte[] bytes = pool[(int)stamp & mask];
            System.arraycopy(message, 0, bytes, 0, PAYLOAD);
            while (!spsc.queue.offer(bytes))
            {
                spsc.checkAlive();
                Thread.onSpinWait();
            }
        }
        spsc.sent = last;
        return spsc.awaitReceived(last);
    }

    /** {@value #BATCH} messages through an Agrona OneToOneRingBuffer; returns the consumer's stamp sum. */
    @Benchmark
    public long agronaRing(final Agrona agrona)
    {
        final UnsafeBuffer message = agrona.message;
        final long first = agrona.sent + 1;
        final long last = agrona.sent + BATCH;
        for (long stamp = first; stamp <= last; stamp++)
        {
            message.putLong(0, stamp);
            while (!agrona.ring.write(1, message, 0, PAYLOAD))
            {
                agrona.checkAlive();
                Thread.onSpinWait();
            }
        }
        agrona.sent = last;
        return agrona.awaitReceived(last);
    }
}
