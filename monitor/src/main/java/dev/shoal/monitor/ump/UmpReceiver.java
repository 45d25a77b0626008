package dev.shoal.monitor.ump;

import static dev.shoal.monitor.ump.UmpDescriptor.FIRST_FRAGMENT_CAPACITY;
import static dev.shoal.monitor.ump.UmpDescriptor.FIRST_FRAGMENT_DATA_OFFSET;
import static dev.shoal.monitor.ump.UmpDescriptor.FRAGMENT_CAPACITY;
import static dev.shoal.monitor.ump.UmpDescriptor.KIND_ACK;
import static dev.shoal.monitor.ump.UmpDescriptor.KIND_DATA;
import static dev.shoal.monitor.ump.UmpDescriptor.MAX_MESSAGE_LENGTH;
import static dev.shoal.monitor.ump.UmpDescriptor.SEND_CYCLE_OFFSET;
import static dev.shoal.monitor.ump.UmpDescriptor.SEQUENCE_MASK;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The consuming half of an {@link UmpEndpoint}: reads the ring the peer writes, by sequence detection, reassembles
 * fragments into a core-local buffer, and accounts for what it has consumed but not yet acknowledged.
 * Owner thread only; not thread-safe.
 */
final class UmpReceiver
{
    /** Returned by {@link #peekAck()} when no new header is present. */
    static final int NO_ACK = -1;

    private final UmpRing ring;
    private final AtomicBuffer buffer;
    private final int slotMask;
    private final int ackThreshold;

    private int nextSequence;
    private int nextIndex;
    private int ackedSequence;
    /** The ACK-only header last processed in the slot of {@link #nextSequence}, 0 for none. */
    private long lastAckHeader;

    private final ExpandableArrayBuffer message = new ExpandableArrayBuffer(2 * FRAGMENT_CAPACITY);
    private boolean assembling;
    private int messageLength;
    private long messageSendCycle;

    long messagesReceived;
    long slotsReceived;

    UmpReceiver(final UmpRing ring, final int initialSequence)
    {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.slotMask = ring.slots() - 1;
        this.ackThreshold = Math.max(1, ring.slots() / 2);
        this.nextSequence = initialSequence & SEQUENCE_MASK;
        this.ackedSequence = nextSequence;
    }

    /** True when the next slot holds data, or an ACK-only header this side has not processed yet. */
    boolean hasInbound()
    {
        final long header = ring.headerVolatile(nextIndex);
        return UmpDescriptor.isPresent(header, nextSequence) &&
            (UmpDescriptor.kind(header) == KIND_DATA || header != lastAckHeader);
    }

    /**
     * The ack in the next present header, read without consuming the slot, or {@link #NO_ACK}. Acks only grow
     * along the ring, so it is at least as new as any ack this side has consumed.
     */
    int peekAck()
    {
        final long header = ring.headerVolatile(nextIndex);
        return UmpDescriptor.isPresent(header, nextSequence) ? UmpDescriptor.ack(header) : NO_ACK;
    }

    /** The ack to piggyback on a header written now; from then on, everything consumed so far counts as acked. */
    int takeAck()
    {
        ackedSequence = nextSequence;
        return nextSequence;
    }

    /** True when this side has consumed at least half a ring that it has not acknowledged. */
    boolean isAckDue()
    {
        return ((nextSequence - ackedSequence) & SEQUENCE_MASK) >= ackThreshold;
    }

    /**
     * Consumes present slots, at most one lap of them, delivering up to {@code limit} complete messages to
     * {@code handler}, and hands every ack it reads to {@code sender}.
     *
     * @return slots consumed plus new ACK-only headers processed.
     */
    int receive(final UmpHandler handler, final int limit, final UmpSender sender)
    {
        int work = 0;
        int delivered = 0;
        int slotsRead = 0;
        while (delivered < limit && slotsRead <= slotMask)
        {
            final long header = ring.headerVolatile(nextIndex);
            if (!UmpDescriptor.isPresent(header, nextSequence))
            {
                break;
            }
            sender.onAck(UmpDescriptor.ack(header));
            if (UmpDescriptor.kind(header) == KIND_ACK)
            {
                // An ACK-only header sits in the slot the next data will overwrite: read it, never advance past it.
                if (header != lastAckHeader)
                {
                    lastAckHeader = header;
                    work++;
                }
                break;
            }
            if (UmpDescriptor.kind(header) != KIND_DATA)
            {
                throw violation("unknown slot kind " + UmpDescriptor.kind(header), header);
            }

            lastAckHeader = 0;
            slotsRead++;
            slotsReceived++;
            work++;
            if (UmpDescriptor.isFirst(header) && UmpDescriptor.isLast(header) && !assembling)
            {
                deliverInPlace(handler, header);
                delivered++;
                continue;
            }
            append(header, UmpDescriptor.slotOffset(nextIndex));
            nextSequence = (nextSequence + 1) & SEQUENCE_MASK;
            nextIndex = (nextIndex + 1) & slotMask;

            if (UmpDescriptor.isLast(header))
            {
                assembling = false;
                delivered++;
                messagesReceived++;
                // The slot is already copied out and counted as consumed, so a reply sent from the handler may
                // acknowledge it and the peer may reuse it while the handler still reads its own copy.
                handler.onMessage(messageSendCycle, message, 0, messageLength);
            }
        }
        return work;
    }

    /**
     * Hands a message of one slot to {@code handler} straight from the ring, without copying it out: the slot is
     * consumed (and so may be acknowledged and reused by the peer) only once the handler has returned, so its bytes
     * cannot change under the handler. A reply sent from the handler acknowledges everything before this slot.
     */
    private void deliverInPlace(final UmpHandler handler, final long header)
    {
        final int length = UmpDescriptor.length(header);
        if (length > FIRST_FRAGMENT_CAPACITY)
        {
            throw violation("FIRST fragment of " + length + " bytes", header);
        }
        final int slotOffset = UmpDescriptor.slotOffset(nextIndex);
        messagesReceived++;
        try
        {
            handler.onMessage(buffer.getLong(slotOffset + SEND_CYCLE_OFFSET), buffer,
                slotOffset + FIRST_FRAGMENT_DATA_OFFSET, length);
        }
        finally
        {
            nextSequence = (nextSequence + 1) & SEQUENCE_MASK;
            nextIndex = (nextIndex + 1) & slotMask;
        }
    }

    private void append(final long header, final int slotOffset)
    {
        final int length = UmpDescriptor.length(header);
        if (UmpDescriptor.isFirst(header))
        {
            if (assembling)
            {
                throw violation("FIRST fragment inside a message of " + messageLength + " bytes so far", header);
            }
            if (length > FIRST_FRAGMENT_CAPACITY)
            {
                throw violation("FIRST fragment of " + length + " bytes", header);
            }
            assembling = true;
            messageSendCycle = buffer.getLong(slotOffset + SEND_CYCLE_OFFSET);
            message.putBytes(0, buffer, slotOffset + FIRST_FRAGMENT_DATA_OFFSET, length);
            messageLength = length;
        }
        else
        {
            if (!assembling)
            {
                throw violation("fragment without a FIRST fragment before it", header);
            }
            if (length > FRAGMENT_CAPACITY || messageLength + length > MAX_MESSAGE_LENGTH)
            {
                throw violation("fragment of " + length + " bytes after " + messageLength, header);
            }
            message.putBytes(messageLength, buffer, slotOffset, length);
            messageLength += length;
        }
    }

    private IllegalStateException violation(final String problem, final long header)
    {
        return new IllegalStateException("UMP protocol violation on " + ring + " at sequence " + nextSequence +
            ": " + problem + " (header 0x" + Long.toHexString(header) + ")");
    }
}
