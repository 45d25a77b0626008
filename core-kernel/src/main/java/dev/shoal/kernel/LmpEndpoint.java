package dev.shoal.kernel;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * One end of an {@link LmpChannel}. All methods are called only by dispatchers of the endpoint's core, so the
 * fields need no synchronisation: the core's carrier runs one dispatcher at a time.
 */
public final class LmpEndpoint
{
    private static final int EMPTY = -1;

    private final Core core;
    private LmpEndpoint peer;

    /** Inbound one-message buffer. */
    private final long[] words = new long[LmpChannel.MAX_WORDS];
    private int length = EMPTY;
    private Thread waitingReceiver;
    private final ArrayDeque<Thread> waitingSenders = new ArrayDeque<>(1);
    private long received;

    LmpEndpoint(final Core core)
    {
        this.core = core;
    }

    void connect(final LmpEndpoint peer)
    {
        this.peer = peer;
    }

    /**
     * Sends {@code count} words from {@code payload} to the peer, blocking while the peer's buffer is full, and
     * switches to the peer if it waits for a message. Charges half an LRPC round trip.
     */
    public void send(final long[] payload, final int count)
    {
        final Dispatcher self = checkCaller();
        if (count < 0 || count > LmpChannel.MAX_WORDS || count > payload.length)
        {
            throw new IllegalArgumentException("an LMP message carries 0.." + LmpChannel.MAX_WORDS + " words: " + count);
        }
        final LmpEndpoint dst = peer;
        while (dst.length != EMPTY)
        {
            dst.waitingSenders.addLast(Thread.currentThread());
            LockSupport.park(dst);
        }
        System.arraycopy(payload, 0, dst.words, 0, count);
        dst.length = count;
        self.charge(core.costs().lmpOneWay());
        final Thread receiver = dst.waitingReceiver;
        if (receiver != null)
        {
            dst.waitingReceiver = null;
            core.handoff(receiver);
            self.switchAway();
        }
    }

    /** Sends the given words (at most {@link LmpChannel#MAX_WORDS}). */
    public void send(final long... payload)
    {
        send(payload, payload.length);
    }

    /**
     * Receives the next message into {@code into} (which must hold {@link LmpChannel#MAX_WORDS} words), blocking
     * until one arrives.
     *
     * @return the number of words received.
     */
    public int receive(final long[] into)
    {
        checkCaller();
        while (length == EMPTY)
        {
            waitingReceiver = Thread.currentThread();
            LockSupport.park(this);
        }
        final int n = length;
        System.arraycopy(words, 0, into, 0, n);
        length = EMPTY;
        received++;
        final Thread sender = waitingSenders.pollFirst();
        if (sender != null)
        {
            LockSupport.unpark(sender);
        }
        return n;
    }

    /** Receives the next message as a new array of exactly its words. */
    public long[] receive()
    {
        final long[] buffer = new long[LmpChannel.MAX_WORDS];
        final int n = receive(buffer);
        return java.util.Arrays.copyOf(buffer, n);
    }

    /** An RPC: sends the request and waits for the peer's reply. */
    public int call(final long[] request, final int count, final long[] reply)
    {
        send(request, count);
        return receive(reply);
    }

    /** Messages received on this endpoint so far. */
    public long received()
    {
        return received;
    }

    private Dispatcher checkCaller()
    {
        final Dispatcher self = Dispatcher.currentOrNull();
        if (self == null || self.core() != core)
        {
            throw new IllegalStateException("LMP endpoint of core " + core.id() + " used from " +
                (self == null ? "a thread that is no dispatcher" : "core " + self.core().id()));
        }
        return self;
    }
}
