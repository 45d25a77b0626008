package dev.shoal.apps.kv;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One core's queue pair on the {@link Nic}: a receive ring (NIC → core) and a transmit ring (core → NIC), each an
 * Agrona one-to-one ring of bytes, like a NIC's RX/TX descriptor rings. Only bytes cross: a message is copied in
 * by its producer and out by its consumer (layout: {@link RingDescriptor}).
 *
 * <p>Threading: the NIC's thread is the only producer of the receive ring and consumer of the transmit ring; the
 * core's dispatcher that {@link #attach() attached} is the only consumer of the receive ring and producer of the
 * transmit ring. When its ring is empty the dispatcher {@link #awaitRequests() parks} — its virtual thread
 * unmounts and the core runs other work or idles — and the NIC's {@link #wakeConsumer()} unparks it, which
 * reaches the core through its inbox and doorbell (the interrupt role). A Dekker handshake on {@code waiting}
 * loses no wake-up.
 */
final class NicQueue implements CoreQueue
{
    private final int index;
    private final Nic nic;
    private final OneToOneRingBuffer rx;
    private final OneToOneRingBuffer tx;
    private volatile Thread consumer;
    private volatile boolean waiting;
    /** NIC thread only: requests that found the receive ring full, in order, sent before any newer one. */
    final ArrayDeque<Waiting> overflow = new ArrayDeque<>();

    /** A receive-ring message (or piece of one) waiting in the NIC for room on the ring, with its type. */
    record Waiting(int type, byte[] bytes)
    {
    }
    /** NIC thread only: the ring got messages since the consumer was last woken. */
    boolean fresh;
    /** NIC thread only: the pieces of a transmit-ring message received so far ({@link RingDescriptor#PIECE}). */
    final Pieces replyPieces = new Pieces();

    NicQueue(final int index, final Nic nic, final int ringBytes)
    {
        this.index = index;
        this.nic = nic;
        this.rx = ring(ringBytes);
        this.tx = ring(ringBytes);
    }

    private static OneToOneRingBuffer ring(final int bytes)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(bytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    int index()
    {
        return index;
    }

    /** The largest message either ring takes. */
    @Override
    public int maxMessage()
    {
        return rx.maxMsgLength();
    }

    // ------------------------------------------------------------------------------------------------ core side

    /** Makes the calling dispatcher this queue's consumer; the NIC starts when every queue has one. */
    @Override
    public void attach()
    {
        consumer = Thread.currentThread();
        nic.onAttached();
    }

    /** Hands up to {@code limit} requests to {@code handler}; core side. */
    @Override
    public int receive(final MessageHandler handler, final int limit)
    {
        return rx.read(handler, limit);
    }

    /** Parks the calling dispatcher until the receive ring has a request (or a spurious wake-up); core side. */
    @Override
    public void awaitRequests()
    {
        waiting = true;
        if (rx.size() == 0)
        {
            LockSupport.park(this);
        }
        waiting = false;
    }

    /**
     * Parks the calling thread, the consumer of every queue of {@code queues} ({@link NicBridge}), until one of
     * them has a request, it is unparked, or {@code nanos} pass. The same handshake as {@link #awaitRequests()}.
     */
    static void awaitAny(final NicQueue[] queues, final long nanos)
    {
        for (final NicQueue q : queues)
        {
            q.waiting = true;
        }
        VarHandle.fullFence();
        boolean empty = true;
        for (final NicQueue q : queues)
        {
            empty &= q.rx.size() == 0;
        }
        if (empty)
        {
            LockSupport.parkNanos(queues[0], nanos);
        }
        for (final NicQueue q : queues)
        {
            q.waiting = false;
        }
    }

    /** Copies a reply (or a piece of one) into the transmit ring; false when it is full. Core side. */
    @Override
    public boolean transmit(final int type, final UnsafeBuffer buffer, final int offset, final int length)
    {
        return tx.write(type, buffer, offset, length);
    }

    /** The NIC, for its registers (limits, client counts); core side. */
    @Override
    public NicRegisters registers()
    {
        return nic;
    }

    /** Tells the NIC that replies are waiting; core side, after a batch. */
    @Override
    public void kickNic()
    {
        nic.kick();
    }

    // ------------------------------------------------------------------------------------------------ NIC side

    OneToOneRingBuffer rx()
    {
        return rx;
    }

    OneToOneRingBuffer tx()
    {
        return tx;
    }

    /** Unparks the consumer if it waits; NIC side, after publishing requests. */
    void wakeConsumer()
    {
        VarHandle.fullFence();
        if (waiting)
        {
            final Thread c = consumer;
            if (c != null)
            {
                LockSupport.unpark(c);
            }
        }
    }

    /**
     * Joins the pieces of one ring message ({@link RingDescriptor#PIECE}); used by one thread, the ring's consumer.
     * Its array is let go after a message longer than {@link #KEEP} bytes, so that one large value does not pin
     * its size in the consumer for good.
     */
    static final class Pieces
    {
        private static final int KEEP = 1 << 20;
        private byte[] bytes = new byte[0];
        private int length;
        private final UnsafeBuffer view = new UnsafeBuffer(bytes);

        boolean active()
        {
            return length > 0;
        }

        /** Appends {@code length} bytes of {@code src} at {@code index}. */
        void add(final org.agrona.DirectBuffer src, final int index, final int n)
        {
            if (bytes.length - length < n)
            {
                bytes = java.util.Arrays.copyOf(bytes, (int)Math.min(Integer.MAX_VALUE - 8,
                    Math.max((long)length + n, bytes.length * 2L)));
            }
            src.getBytes(index, bytes, length, n);
            length += n;
        }

        /** The joined message, from index 0; valid until {@link #reset}. */
        UnsafeBuffer message()
        {
            view.wrap(bytes, 0, length);
            return view;
        }

        int length()
        {
            return length;
        }

        void reset()
        {
            length = 0;
            if (bytes.length > KEEP)
            {
                bytes = new byte[0];
            }
        }
    }
}
