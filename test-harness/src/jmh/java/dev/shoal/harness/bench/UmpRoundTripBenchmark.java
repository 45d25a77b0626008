package dev.shoal.harness.bench;

import static dev.shoal.harness.bench.UmpThroughputBenchmark.PAYLOAD;
import static dev.shoal.harness.bench.UmpThroughputBenchmark.SLOTS;
import static dev.shoal.harness.bench.UmpThroughputBenchmark.UMP_USER_BYTES;
import static dev.shoal.harness.bench.UmpThroughputBenchmark.filled;

import java.util.concurrent.TimeUnit;
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

import dev.shoal.monitor.ump.UmpDescriptor;
import dev.shoal.monitor.ump.UmpEndpoint;
import dev.shoal.monitor.ump.UmpHandler;
import dev.shoal.monitor.ump.UmpRing;

/**
 * Round trip of one 56-byte message between two host threads, through a raw Shoal UMP channel (two rings) and, in
 * the same JMH run, through a pair of JCTools {@link SpscArrayQueue}s and a pair of Agrona
 * {@link OneToOneRingBuffer}s. Each invocation does {@value #ROUND_TRIPS} round trips, so the score is nanoseconds
 * per round trip. Unlike {@link PingPongBenchmark}, no simulated core, monitor or message codec is involved: this
 * is the ring alone.
 *
 * <pre>
 *   JMH benchmark thread                                 echo thread (busy-spins, Thread.onSpinWait)
 *   copy 56 bytes in, publish ─── ping ring ──────────▶ take, copy 56 bytes out
 *   take, copy out, check stamp ◀── pong ring ────────── copy its copy in, publish        × ROUND_TRIPS
 * </pre>
 *
 * <p>The payload is as in {@link UmpThroughputBenchmark}: one full 64-byte UMP slot (8-byte stamp and 48 user
 * bytes), an Agrona record of 56 bytes, or a pooled {@code byte[56]} on the JCTools queues (one buffer per
 * direction suffices, as only one message is in flight). Each receiver copies the bytes into memory of its own
 * before it answers from that copy, as a core decodes its own copy of a message. Rings hold
 * {@value UmpThroughputBenchmark#SLOTS} messages.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(UmpRoundTripBenchmark.ROUND_TRIPS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class UmpRoundTripBenchmark
{
    /** Round trips per invocation. */
    static final int ROUND_TRIPS = 10_000;

    /** A Shoal UMP channel: the benchmark thread owns one end, the echo thread the other. */
    @State(Scope.Benchmark)
    public static class Ump extends SpinningPeer
    {
        UmpEndpoint pinger;
        private UmpRing echoTx;
        private UmpRing echoRx;
        final UnsafeBuffer message = new UnsafeBuffer(filled(UMP_USER_BYTES));
        /** Benchmark thread only: the stamp and last byte of the latest reply, -1 while none is waiting. */
        long replyStamp = -1;
        byte replyLastByte;
        final UmpHandler reply = (sendCycle, buffer, offset, length) ->
        {
            replyStamp = sendCycle;
            replyLastByte = buffer.getByte(offset + length - 1);
        };

        @Setup(Level.Trial)
        public void setUp()
        {
            final UmpRing ping = UmpRing.allocate(SLOTS);
            final UmpRing pong = UmpRing.allocate(SLOTS);
            pinger = new UmpEndpoint(ping, pong);
            echoTx = pong;
            echoRx = ping;
            start("ump-echo");
        }

        @Override
        IntSupplier ownSide()
        {
            final UmpEndpoint echoer = new UmpEndpoint(echoTx, echoRx);
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[UMP_USER_BYTES]);
            // The receiver already copied the slot into its own buffer; the copy here is the echo's decoded
            // message, which it sends back from inside the handler (a handler may send on its own endpoint).
            final UmpHandler answer = (sendCycle, buffer, offset, length) ->
            {
                copy.putBytes(0, buffer, offset, length);
                echoer.send(sendCycle, copy, 0, length);
            };
            return () -> echoer.poll(answer, 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /** Two JCTools SPSC queues and one 56-byte buffer per direction. */
    @State(Scope.Benchmark)
    public static class Spsc extends SpinningPeer
    {
        final SpscArrayQueue<byte[]> ping = new SpscArrayQueue<>(SLOTS);
        final SpscArrayQueue<byte[]> pong = new SpscArrayQueue<>(SLOTS);
        final byte[] message = filled(PAYLOAD);
        final UnsafeBuffer messageView = new UnsafeBuffer(message);
        final byte[] pingBytes = new byte[PAYLOAD];
        final byte[] replyCopy = new byte[PAYLOAD];
        final UnsafeBuffer replyView = new UnsafeBuffer(replyCopy);

        @Setup(Level.Trial)
        public void setUp()
        {
            start("spsc-echo");
        }

        @Override
        IntSupplier ownSide()
        {
            final byte[] copy = new byte[PAYLOAD];
            final byte[] pongBytes = new byte[PAYLOAD];
            return () ->
            {
                final byte[] bytes = ping.poll();
                if (bytes == null)
                {
                    return 0;
                }
                System.arraycopy(bytes, 0, copy, 0, PAYLOAD);
                System.arraycopy(copy, 0, pongBytes, 0, PAYLOAD);
                while (!pong.offer(pongBytes))
                {
                    Thread.onSpinWait();
                }
                return 1;
            };
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /** Two Agrona one-to-one ring buffers with room for {@value UmpThroughputBenchmark#SLOTS} records each. */
    @State(Scope.Benchmark)
    public static class Agrona extends SpinningPeer
    {
        final OneToOneRingBuffer ping = ring();
        final OneToOneRingBuffer pong = ring();
        final UnsafeBuffer message = new UnsafeBuffer(filled(PAYLOAD));
        final MutableDirectBuffer replyCopy = new UnsafeBuffer(new byte[PAYLOAD]);
        final MessageHandler reply = (typeId, buffer, index, length) -> replyCopy.putBytes(0, buffer, index, length);

        private static OneToOneRingBuffer ring()
        {
            return new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                SLOTS * UmpDescriptor.SLOT_SIZE + RingBufferDescriptor.TRAILER_LENGTH, UmpDescriptor.SLOT_SIZE)));
        }

        @Setup(Level.Trial)
        public void setUp()
        {
            start("agrona-echo");
        }

        @Override
        IntSupplier ownSide()
        {
            final MutableDirectBuffer copy = new UnsafeBuffer(new byte[PAYLOAD]);
            final MessageHandler answer = (typeId, buffer, index, length) ->
            {
                copy.putBytes(0, buffer, index, length);
                while (!pong.write(typeId, copy, 0, length))
                {
                    Thread.onSpinWait();
                }
            };
            return () -> ping.read(answer, 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /** {@value #ROUND_TRIPS} round trips over a Shoal UMP channel; returns the sum of the replies' stamps. */
    @Benchmark
    public long ump(final Ump ump)
    {
        long sum = 0;
        for (long stamp = 1; stamp <= ROUND_TRIPS; stamp++)
        {
            ump.pinger.send(stamp, ump.message, 0, UMP_USER_BYTES);
            while (ump.replyStamp < 0)
            {
                if (ump.pinger.poll(ump.reply, 1) == 0)
                {
                    ump.checkAlive();
                    Thread.onSpinWait();
                }
            }
            sum += checked(stamp, ump.replyStamp, ump.replyLastByte);
            ump.replyStamp = -1;
        }
        return sum;
    }

    /** {@value #ROUND_TRIPS} round trips over two JCTools SpscArrayQueues; returns the sum of the replies' stamps. */
    @Benchmark
    public long spscQueue(final Spsc spsc)
    {
        long sum = 0;
        for (long stamp = 1; stamp <= ROUND_TRIPS; stamp++)
        {
            spsc.messageView.putLong(0, stamp);
            System.arraycopy(spsc.message, 0, spsc.pingBytes, 0, PAYLOAD);
            while (!spsc.ping.offer(spsc.pingBytes))
            {
                Thread.onSpinWait();
            }
            byte[] reply;
            while ((reply = spsc.pong.poll()) == null)
            {
                spsc.checkAlive();
                Thread.onSpinWait();
            }
            System.arraycopy(reply, 0, spsc.replyCopy, 0, PAYLOAD);
            sum += checked(stamp, spsc.replyView.getLong(0), spsc.replyCopy[PAYLOAD - 1]);
        }
        return sum;
    }

    /** {@value #ROUND_TRIPS} round trips over two Agrona OneToOneRingBuffers; returns the sum of the replies' stamps. */
    @Benchmark
    public long agronaRing(final Agrona agrona)
    {
        long sum = 0;
        for (long stamp = 1; stamp <= ROUND_TRIPS; stamp++)
        {
            agrona.message.putLong(0, stamp);
            while (!agrona.ping.write(1, agrona.message, 0, PAYLOAD))
            {
                Thread.onSpinWait();
            }
            while (agrona.pong.read(agrona.reply, 1) == 0)
            {
                agrona.checkAlive();
                Thread.onSpinWait();
            }
            sum += checked(stamp, agrona.replyCopy.getLong(0), agrona.replyCopy.getByte(PAYLOAD - 1));
        }
        return sum;
    }

    /** The reply's stamp plus its last byte; fails when the echo answered something else than was sent. */
    private static long checked(final long sent, final long replyStamp, final byte lastByte)
    {
        if (replyStamp != sent)
        {
            throw new IllegalStateException("round trip " + sent + " came back as " + replyStamp);
        }
        return replyStamp + lastByte;
    }
}
