package dev.shoal.monitor.ump;

import static dev.shoal.monitor.ump.UmpDescriptor.MAX_MESSAGE_LENGTH;

import java.lang.invoke.VarHandle;
import java.util.Objects;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One end of a duplex UMP channel: transmits on one {@link UmpRing} and receives on another; the peer end uses the
 * same two rings crosswise. Each end is owned by exactly one thread (one simulated core) and is not thread-safe:
 * the two ends share nothing but the slot bytes of the two rings.
 *
 * <p>Guarantees: messages arrive complete, exactly once and in the order they were sent, whether they went into
 * the ring at once or waited in this end's outbound queue. {@link #send} never blocks and never throws for a full
 * ring; messages that do not fit wait as a core-local copy until {@link #poll} finds credit for them.
 *
 * <p>Flow control: at most {@code capacity() - 1} slots of data are unacknowledged. Every header written carries a
 * piggybacked ack of what this end has consumed; an end that has consumed half a ring without writing anything
 * publishes an ACK-only header in the one slot kept free (see {@link UmpDescriptor}). So two ends whose rings are
 * both full always make progress as long as both keep polling.
 *
 * <p>Hand an endpoint to its owning thread with a happens-before edge (e.g. build it before
 * {@link Thread#start()}, or pass it through a concurrent queue).
 */
public final class UmpEndpoint
{
    private static final byte[] EMPTY = new byte[0];

    private final UmpRing txRing;
    private final UmpRing rxRing;
    private final UmpReceiver receiver;
    private final UmpSender sender;
    private final UnsafeBuffer arrayView = new UnsafeBuffer();
    private Runnable doorbell;
    private boolean polling;

    /**
     * Builds the end that transmits on {@code txRing} and receives on {@code rxRing}. Any thread; see the class
     * comment for handing the endpoint to its owner.
     *
     * @throws IllegalArgumentException when both rings are the same memory.
     */
    public UmpEndpoint(final UmpRing txRing, final UmpRing rxRing)
    {
        this(txRing, rxRing, UmpDescriptor.INITIAL_SEQUENCE);
    }

    /**
     * Test hook: both rings start at {@code initialSequence} instead of 1 (both ends must agree), to exercise the
     * sequence wrap past 2<sup>24</sup> without sending sixteen million messages first.
     */
    UmpEndpoint(final UmpRing txRing, final UmpRing rxRing, final int initialSequence)
    {
        Objects.requireNonNull(txRing, "txRing");
        Objects.requireNonNull(rxRing, "rxRing");
        if (txRing.buffer().addressOffset() == rxRing.buffer().addressOffset() &&
            txRing.buffer().byteArray() == rxRing.buffer().byteArray())
        {
            throw new IllegalArgumentException("a UMP endpoint needs two distinct rings, got " + txRing + " twice");
        }
        this.txRing = txRing;
        this.rxRing = rxRing;
        this.receiver = new UmpReceiver(rxRing, initialSequence);
        this.sender = new UmpSender(txRing, initialSequence, receiver);
    }

    /**
     * Connects an end over memory the caller allocated (later: simulated physical memory shared by two cores).
     * The peer connects with the same two buffers swapped. Any thread.
     *
     * @param tx ring this end writes: {@code slots * 64} zeroed bytes, 8-byte aligned, slots a power of two.
     * @param rx ring this end reads, laid out likewise.
     * @return the endpoint.
     * @throws IllegalArgumentException naming what is wrong with a buffer.
     */
    public static UmpEndpoint connect(final AtomicBuffer tx, final AtomicBuffer rx)
    {
        return new UmpEndpoint(new UmpRing(tx), new UmpRing(rx));
    }

    /**
     * Sets what to run after this end has written a batch of slots (data or an ACK-only header), so that a peer
     * core parked for want of work can be woken: the IPI role. Called by the owning thread (or before the endpoint
     * is handed to it). {@code null} for none.
     *
     * <p>The doorbell runs on the owning thread after the slot headers were published (release stores) and a full
     * fence. That makes the usual Dekker-style sleep safe: the peer stores a volatile "sleeping" flag, re-checks
     * {@link #hasInbound()} (a volatile load of the next header), and parks only if it still sees nothing; the
     * doorbell loads that flag and unparks the peer if it is set. The fence between this side's header stores and
     * its load of the flag means at least one side sees the other's store, so no wake-up is lost. One fence per
     * batch of slots, not one per slot (a volatile store each), keeps the producer from stalling on every slot's
     * cache line.
     *
     * <p>During {@link #poll} the doorbell is rung once, at the end, for everything written in the poll,
     * including by handlers; otherwise once per {@link #send} that wrote slots.
     */
    public void doorbell(final Runnable doorbell)
    {
        this.doorbell = doorbell;
    }

    /**
     * Sends a message. Called only by the owning thread (including from inside a handler of this endpoint).
     *
     * <p>If the peer has granted credit for every fragment, copies the message into the ring and returns true.
     * Otherwise copies what fits, keeps a core-local copy of the rest (or of the whole message, when earlier
     * messages are still waiting) in the outbound queue, which {@link #poll} flushes in order, and returns false.
     * Either way the message will be delivered exactly once, after every message sent before it on this end.
     * No allocation when the message is written at once.
     *
     * @param sendCycle this core's clock when sending, in simulated cycles; the handler receives it.
     * @param src       holds the message.
     * @param offset    of the message in {@code src}.
     * @param length    of the message, 0..{@value UmpDescriptor#MAX_MESSAGE_LENGTH} bytes; a message longer than
     *                  {@value UmpDescriptor#FIRST_FRAGMENT_CAPACITY} bytes travels as several fragments.
     * @return true when the whole message is in the ring, false when some or all of it is queued.
     * @throws IllegalArgumentException when {@code length} is negative or over 64 KiB.
     * @throws IndexOutOfBoundsException when {@code src} does not hold {@code offset + length} bytes.
     */
    public boolean send(final long sendCycle, final DirectBuffer src, final int offset, final int length)
    {
        if (length < 0 || length > MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("a UMP message must be 0.." + MAX_MESSAGE_LENGTH +
                " bytes long, not " + length);
        }
        src.boundsCheck(offset, length);
        final boolean sent = sender.offer(sendCycle, src, offset, length);
        if (!polling)
        {
            ringDoorbellIfWritten();
        }
        return sent;
    }

    /**
     * Claims the next slot for a message of at most {@value UmpDescriptor#FIRST_FRAGMENT_CAPACITY} bytes written in
     * place, straight into the ring ({@link #txBuffer()}), so that sending it copies nothing: returns the offset of
     * the slot's data, or -1 when the message must go through {@link #send} (no credit, or messages queued before
     * it). Nothing is visible to the peer until {@link #commit}; a claim that is not committed is simply dropped (the
     * next send or claim takes the same slot). Called only by the owning thread.
     */
    public int claim()
    {
        return sender.claimSlot();
    }

    /** The ring this end writes: where a {@link #claim claimed} slot's data is. */
    public AtomicBuffer txBuffer()
    {
        return txRing.buffer();
    }

    /**
     * Publishes the slot {@link #claim} returned, holding a message of {@code length} bytes written there, as
     * {@link #send} would have. Called only by the owning thread, right after the claim.
     *
     * @throws IllegalArgumentException when {@code length} does not fit one slot.
     */
    public void commit(final long sendCycle, final int length)
    {
        if (length < 0 || length > UmpDescriptor.FIRST_FRAGMENT_CAPACITY)
        {
            throw new IllegalArgumentException("a message written in place is 0.." +
                UmpDescriptor.FIRST_FRAGMENT_CAPACITY + " bytes long, not " + length);
        }
        sender.commitSlot(sendCycle, length);
        if (!polling)
        {
            ringDoorbellIfWritten();
        }
    }

    /**
     * Sends all of {@code bytes}; see {@link #send(long, DirectBuffer, int, int)}. Called only by the owning thread.
     */
    public boolean send(final long sendCycle, final byte[] bytes)
    {
        arrayView.wrap(bytes);
        try
        {
            return send(sendCycle, arrayView, 0, bytes.length);
        }
        finally
        {
            arrayView.wrap(EMPTY);
        }
    }

    /**
     * One duty cycle of this end. Called only by the owning thread, never from inside one of its handlers.
     *
     * <ol>
     *   <li>flushes queued outbound fragments, oldest first, as far as credit allows;</li>
     *   <li>consumes the peer's slots (at most one ring's worth), reassembles fragments and delivers up to
     *   {@code limit} complete messages to {@code handler}, in send order, each exactly once; every header read
     *   refreshes this end's credit;</li>
     *   <li>flushes again if that made room;</li>
     *   <li>publishes an ACK-only header if this end has consumed half a ring without acknowledging it;</li>
     *   <li>rings the doorbell if it wrote anything.</li>
     * </ol>
     * If a handler throws, the exception propagates; its message counts as delivered and the endpoint stays usable.
     * No allocation when every message fits one slot.
     *
     * @param handler receives the messages.
     * @param limit   most messages to deliver; 0 only flushes and acknowledges.
     * @return work done (slots written or consumed, new acks read or written): 0 when idle, for idle strategies.
     * @throws IllegalStateException when called from inside a handler of this endpoint.
     */
    public int poll(final UmpHandler handler, final int limit)
    {
        Objects.requireNonNull(handler, "handler");
        if (limit < 0)
        {
            throw new IllegalArgumentException("poll limit must not be negative: " + limit);
        }
        if (polling)
        {
            throw new IllegalStateException("UMP endpoint polled from inside its own handler");
        }
        if (!receiver.hasInbound() && !sender.hasPendingOutbound() && !receiver.isAckDue())
        {
            return 0; // the idle duty cycle's path: one volatile load of the next header
        }
        polling = true;
        try
        {
            int work = sender.flush();
            final int received = receiver.receive(handler, limit, sender);
            work += received;
            if (received > 0 && sender.hasPendingOutbound())
            {
                work += sender.flush();
            }
            if (receiver.isAckDue())
            {
                sender.writeAck();
                work++;
            }
            return work;
        }
        finally
        {
            polling = false;
            ringDoorbellIfWritten();
        }
    }

    /**
     * True when the peer has published something this end has not processed: a data slot or a new ACK-only header.
     * A volatile load of one header, without side effects. Called only by the owning thread; meant for the
     * re-check before parking (see {@link #doorbell(Runnable)}).
     */
    public boolean hasInbound()
    {
        return receiver.hasInbound();
    }

    /** True while messages wait in the outbound queue for credit. Called only by the owning thread. */
    public boolean hasPendingOutbound()
    {
        return sender.hasPendingOutbound();
    }

    /**
     * Slots in the ring this end transmits on; at most {@code capacity() - 1} of them hold unacknowledged data.
     * Any thread.
     */
    public int capacity()
    {
        return txRing.slots();
    }

    /** Messages whose every fragment this end has written into the ring. Owning thread only. */
    public long messagesSent()
    {
        return sender.messagesSent;
    }

    /** Messages this end has delivered to handlers. Owning thread only. */
    public long messagesReceived()
    {
        return receiver.messagesReceived;
    }

    /** Data slots (fragments) this end has written. Owning thread only. */
    public long slotsSent()
    {
        return sender.slotsSent;
    }

    /** Data slots (fragments) this end has consumed. Owning thread only. */
    public long slotsReceived()
    {
        return receiver.slotsReceived;
    }

    /** ACK-only headers this end has published. Owning thread only. */
    public long acksSent()
    {
        return sender.acksSent;
    }

    private void ringDoorbellIfWritten()
    {
        if (sender.takeUnannouncedSlots() > 0 && doorbell != null)
        {
            // Dekker with a receiver going to sleep: it stores its flag, then re-reads the header; this side
            // stored headers (release only) and must not read the flag before they are visible.
            VarHandle.fullFence();
            doorbell.run();
        }
    }

    @Override
    public String toString()
    {
        return "UmpEndpoint{tx=" + txRing + ", rx=" + rxRing + '}';
    }
}
