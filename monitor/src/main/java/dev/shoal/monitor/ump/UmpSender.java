package dev.shoal.monitor.ump;

import static dev.shoal.monitor.ump.UmpDescriptor.FIRST_FRAGMENT_DATA_OFFSET;
import static dev.shoal.monitor.ump.UmpDescriptor.FLAG_FIRST;
import static dev.shoal.monitor.ump.UmpDescriptor.FLAG_LAST;
import static dev.shoal.monitor.ump.UmpDescriptor.KIND_ACK;
import static dev.shoal.monitor.ump.UmpDescriptor.KIND_DATA;
import static dev.shoal.monitor.ump.UmpDescriptor.SEND_CYCLE_OFFSET;
import static dev.shoal.monitor.ump.UmpDescriptor.SEQUENCE_MASK;

import java.util.ArrayDeque;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The producing half of an {@link UmpEndpoint}: writes fragments into the ring the peer reads, within the credit
 * that the peer's acks grant, and keeps core-local copies of what does not fit yet. Owner thread only; not
 * thread-safe.
 *
 * <p>Flow control: at most {@code slots - 1} data slots are unacknowledged, so the slot of the next sequence is
 * always free for an ACK-only header.
 */
final class UmpSender
{
    private final UmpRing ring;
    private final AtomicBuffer buffer;
    private final int slotMask;
    private final int window;
    private final UmpReceiver receiver;

    private int nextSequence;
    private int nextIndex;
    private int ackedSequence;
    private int unannouncedSlots;

    private final ArrayDeque<PendingMessage> outbound = new ArrayDeque<>();
    /** {@code outbound}'s size, kept here: the idle duty cycle asks for it every time, and this is one load. */
    private int pendingMessages;

    long messagesSent;
    long slotsSent;
    long acksSent;

    /**
     * @param ring            the ring this side writes.
     * @param initialSequence the ring's first sequence, as the peer's receiver expects it.
     * @param receiver        this side's receiver, whose consumption every header acknowledges.
     */
    UmpSender(final UmpRing ring, final int initialSequence, final UmpReceiver receiver)
    {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.slotMask = ring.slots() - 1;
        this.window = ring.slots() - 1;
        this.receiver = receiver;
        this.nextSequence = initialSequence & SEQUENCE_MASK;
        this.ackedSequence = nextSequence;
    }

    boolean hasPendingOutbound()
    {
        return pendingMessages != 0;
    }

    /** Data slots this side may write now without hearing from the peer. */
    int credit()
    {
        return window - ((nextSequence - ackedSequence) & SEQUENCE_MASK);
    }

    /** Takes an ack read from the peer: every sequence before {@code ack} has been consumed. */
    void onAck(final int ack)
    {
        final int inFlight = (nextSequence - ackedSequence) & SEQUENCE_MASK;
        final int freed = (ack - ackedSequence) & SEQUENCE_MASK;
        if (freed > inFlight)
        {
            throw new IllegalStateException("UMP protocol violation on " + ring + ": ack " + ack +
                " is beyond the next sequence " + nextSequence + " (acked so far: " + ackedSequence + ")");
        }
        ackedSequence = ack;
    }

    /** Slots written since the last call; the endpoint rings the doorbell when this is not 0. */
    int takeUnannouncedSlots()
    {
        final int slots = unannouncedSlots;
        unannouncedSlots = 0;
        return slots;
    }

    /**
     * Writes a message, or as many of its fragments as there is credit for, and queues a copy of the rest.
     * Behind already queued messages, the whole message is queued.
     *
     * @return true when every fragment is in the ring.
     */
    boolean offer(final long sendCycle, final DirectBuffer src, final int offset, final int length)
    {
        if (pendingMessages != 0)
        {
            outbound.addLast(PendingMessage.copyOf(sendCycle, src, offset, length, 0));
            pendingMessages++;
            return false;
        }
        final int fragments = UmpDescriptor.slotsFor(length);
        final int written = Math.min(creditFor(fragments), fragments);
        writeFragments(sendCycle, src, offset, length, 0, written);
        if (written == fragments)
        {
            messagesSent++;
            return true;
        }
        outbound.addLast(PendingMessage.copyOf(sendCycle, src, offset, length, written));
        pendingMessages++;
        return false;
    }

    /**
     * The ring offset of the data of the slot a one-slot message may be written into now, in place: the next slot,
     * when there is credit for it and nothing waits in the outbound queue; -1 otherwise. Writes nothing.
     */
    int claimSlot()
    {
        if (pendingMessages != 0 || creditFor(1) < 1)
        {
            return -1;
        }
        return UmpDescriptor.slotOffset(nextIndex) + FIRST_FRAGMENT_DATA_OFFSET;
    }

    /** Publishes the slot {@link #claimSlot} gave, whose data the caller wrote: {@code length} bytes of one message. */
    void commitSlot(final long sendCycle, final int length)
    {
        buffer.putLong(UmpDescriptor.slotOffset(nextIndex) + SEND_CYCLE_OFFSET, sendCycle);
        publishData(length, FLAG_FIRST | FLAG_LAST);
        slotsSent++;
        unannouncedSlots++;
        messagesSent++;
    }

    /**
     * Writes queued fragments, oldest first, while there is credit.
     *
     * @return fragments written.
     */
    int flush()
    {
        if (pendingMessages == 0)
        {
            return 0;
        }
        int work = 0;
        PendingMessage pending;
        while ((pending = outbound.peekFirst()) != null)
        {
            final int fragments = UmpDescriptor.slotsFor(pending.length);
            final int remaining = fragments - pending.nextFragment;
            final int count = Math.min(creditFor(remaining), remaining);
            if (count == 0)
            {
                break;
            }
            writeFragments(pending.sendCycle, pending.bytes, 0, pending.length, pending.nextFragment, count);
            pending.nextFragment += count;
            work += count;
            if (pending.nextFragment < fragments)
            {
                break;
            }
            outbound.pollFirst();
            pendingMessages--;
            messagesSent++;
        }
        return work;
    }

    /**
     * Publishes an ACK-only header in the slot of the next sequence, which flow control keeps free. It consumes no
     * sequence number and needs no credit: the next data slot (or a newer ACK-only header) overwrites it.
     */
    void writeAck()
    {
        assert credit() >= 0 : "the ACK slot is still unacknowledged";
        ring.publishHeader(nextIndex, UmpDescriptor.header(nextSequence, receiver.takeAck(), 0, 0, KIND_ACK));
        acksSent++;
        unannouncedSlots++;
    }

    private int creditFor(final int wanted)
    {
        int credit = credit();
        if (credit < wanted)
        {
            // The peer may have made room since this side last polled: its newest ack is in the next header.
            final int ack = receiver.peekAck();
            if (ack != UmpReceiver.NO_ACK)
            {
                onAck(ack);
                credit = credit();
            }
        }
        return credit;
    }

    private void writeFragments(
        final long sendCycle,
        final DirectBuffer src,
        final int offset,
        final int length,
        final int firstFragment,
        final int count)
    {
        final int lastFragment = UmpDescriptor.slotsFor(length) - 1;
        for (int fragment = firstFragment, end = firstFragment + count; fragment < end; fragment++)
        {
            final int slotOffset = UmpDescriptor.slotOffset(nextIndex);
            final int start = UmpDescriptor.fragmentStart(fragment);
            final int fragmentLength = UmpDescriptor.fragmentLength(length, fragment);
            long flags = fragment == lastFragment ? FLAG_LAST : 0;
            if (fragment == 0)
            {
                flags |= FLAG_FIRST;
                buffer.putLong(slotOffset + SEND_CYCLE_OFFSET, sendCycle);
                copy(src, offset + start, slotOffset + FIRST_FRAGMENT_DATA_OFFSET, fragmentLength);
            }
            else
            {
                copy(src, offset + start, slotOffset, fragmentLength);
            }
            publishData(fragmentLength, flags);
        }
        slotsSent += count;
        unannouncedSlots += count;
    }

    /** Publishes the data slot at the next sequence, whose bytes are written, and moves on to the one after it. */
    private void publishData(final int length, final long flags)
    {
        ring.publishHeader(nextIndex, UmpDescriptor.header(nextSequence, receiver.takeAck(), length, flags, KIND_DATA));
        nextSequence = (nextSequence + 1) & SEQUENCE_MASK;
        nextIndex = (nextIndex + 1) & slotMask;
    }

    /** A message, or its unsent fragments, waiting for credit: a core-local copy. */
    private static final class PendingMessage
    {
        final long sendCycle;
        final UnsafeBuffer bytes;
        final int length;
        int nextFragment;

        private PendingMessage(final long sendCycle, final UnsafeBuffer bytes, final int length, final int nextFragment)
        {
            this.sendCycle = sendCycle;
            this.bytes = bytes;
            this.length = length;
            this.nextFragment = nextFragment;
        }

        static PendingMessage copyOf(
            final long sendCycle, final DirectBuffer src, final int offset, final int length, final int nextFragment)
        {
            final byte[] copy = new byte[length];
            src.getBytes(offset, copy, 0, length);
            return new PendingMessage(sendCycle, new UnsafeBuffer(copy), length, nextFragment);
        }
    }

    /**
     * Copies one fragment (at most a slot's payload) into the ring in eight-byte moves, the last one overlapping
     * the one before it when the length is not a multiple of eight. A slot's payload is tens of bytes, for which a
     * general block copy costs more in its checks than in its moves.
     */
    private void copy(final DirectBuffer src, final int from, final int to, final int length)
    {
        if (length < Long.BYTES)
        {
            buffer.putBytes(to, src, from, length);
            return;
        }
        src.boundsCheck(from, length);
        buffer.boundsCheck(to, length);
        final int lastLong = length - Long.BYTES;
        for (int i = 0; i < lastLong; i += Long.BYTES)
        {
            buffer.putLong(to + i, src.getLong(from + i));
        }
        buffer.putLong(to + lastLong, src.getLong(from + lastLong));
    }
}
