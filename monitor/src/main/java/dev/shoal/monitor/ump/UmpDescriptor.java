package dev.shoal.monitor.ump;

/**
 * Memory layout of a UMP ring: every offset, size and header bit in one place (after Barrelfish's
 * {@code ump_impl.h}, which asserts that a message is exactly one 64-byte cache line).
 *
 * <p>A ring is {@code slots} consecutive slots, {@code slots} a power of two. A slot is one cache line:
 * <pre>
 *   0                                                        56         64
 *   +--------------------------------------------------------+----------+
 *   |                    payload (56 bytes)                  |  header  |
 *   +--------------------------------------------------------+----------+
 *
 *   payload of a message's FIRST fragment:
 *   0               8                                        56
 *   +---------------+----------------------------------------+
 *   | send cycle    |  user bytes 0..47                      |
 *   +---------------+----------------------------------------+
 *   payload of any later fragment: user bytes only, up to 56.
 * </pre>
 * The header is stored last, at the end of the line, with a release store: a receiver that sees the header with
 * a volatile load also sees the payload written before it. All multi-byte fields are in the host's native byte
 * order (both ends of a channel run in the same JVM).
 *
 * <p>The header is one 64-bit word (bit 0 is the least significant):
 * <pre>
 *   63      58 57  56   55     54    53    48 47               24 23                0
 *   +---------+------+------+-------+--------+-------------------+-------------------+
 *   | 0 (rsv) | kind | LAST | FIRST | length |  ack (24 bits)    | sequence (24 bits)|
 *   +---------+------+------+-------+--------+-------------------+-------------------+
 * </pre>
 * <ul>
 *   <li><b>sequence</b>: the slot's place in the stream, modulo 2<sup>24</sup>. The n-th slot written on a ring
 *   (n from 0) has sequence {@code (initial + n) mod 2^24} and lives in slot {@code n mod slots}; the first
 *   sequence is 1. A receiver knows the sequence it expects next and the slot it lives in; the slot is
 *   <i>present</i> when its header's sequence equals the expected one and its kind is not {@link #KIND_EMPTY}.
 *   The previous lap left {@code expected - slots} there, which differs because {@code slots < 2^24}.</li>
 *   <li><b>ack</b>: piggybacked acknowledgement for the reverse ring: the sequence the writer of this header
 *   expects next on the ring it receives from, i.e. every earlier slot of that ring has been consumed and may be
 *   overwritten.</li>
 *   <li><b>length</b>: user bytes in this slot, 0..48 in a FIRST fragment, 0..56 otherwise.</li>
 *   <li><b>FIRST</b>, <b>LAST</b>: fragment flags; a message that fits one slot carries both.</li>
 *   <li><b>kind</b>: {@link #KIND_EMPTY} (0, never written: an all-zero slot is never present, whatever its
 *   sequence), {@link #KIND_DATA} or {@link #KIND_ACK}.</li>
 * </ul>
 *
 * <p>An ACK-only header carries no payload and does not consume its sequence number: it is written into the slot
 * of the sender's <i>next</i> sequence, the one slot that flow control keeps free of unacknowledged data, and is
 * later overwritten there by a newer ACK-only header or by the next DATA slot. The receiver reads its ack without
 * advancing. So an acknowledgement never needs credit and is never itself acknowledged, and two ends whose rings
 * are both full can always tell each other that they have made room.
 */
public final class UmpDescriptor
{
    /** Bytes in a slot: one cache line. */
    public static final int SLOT_SIZE = 64;
    /** Bytes in a slot's header word. */
    public static final int HEADER_LENGTH = Long.BYTES;
    /** Payload bytes in a slot. */
    public static final int PAYLOAD_SIZE = SLOT_SIZE - HEADER_LENGTH;
    /** Offset of the header within a slot: last, at the end of the cache line. */
    public static final int HEADER_OFFSET = PAYLOAD_SIZE;

    /** Offset, in a FIRST fragment's payload, of the message's send time in simulated cycles. */
    public static final int SEND_CYCLE_OFFSET = 0;
    /** Offset, in a FIRST fragment's payload, of the first user byte. */
    public static final int FIRST_FRAGMENT_DATA_OFFSET = SEND_CYCLE_OFFSET + Long.BYTES;
    /** User bytes a FIRST fragment holds. */
    public static final int FIRST_FRAGMENT_CAPACITY = PAYLOAD_SIZE - FIRST_FRAGMENT_DATA_OFFSET;
    /** User bytes any later fragment holds. */
    public static final int FRAGMENT_CAPACITY = PAYLOAD_SIZE;

    /** Longest message, in user bytes: 64 KiB. */
    public static final int MAX_MESSAGE_LENGTH = 64 * 1024;

    /** Slots per ring unless configured otherwise. */
    public static final int DEFAULT_SLOTS = 32;
    /** Fewest slots in a ring: one for data in flight and the one kept free for acknowledgements. */
    public static final int MIN_SLOTS = 2;
    /** Most slots in a ring (64 MiB); far below 2<sup>24</sup> so that a stale sequence never matches. */
    public static final int MAX_SLOTS = 1 << 20;

    /** Bits in a sequence number or an ack. */
    public static final int SEQUENCE_BITS = 24;
    /** Mask for sequence arithmetic: sequences and acks are compared modulo 2<sup>24</sup>. */
    public static final int SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1;
    /** The sequence of a ring's first slot: never 0, so the first lap of a zeroed ring cannot match. */
    public static final int INITIAL_SEQUENCE = 1;

    /** Header bits 0..23: the slot's sequence number. */
    public static final int SEQUENCE_SHIFT = 0;
    /** Header bits 24..47: the piggybacked ack for the reverse ring. */
    public static final int ACK_SHIFT = 24;
    /** Header bits 48..53: user bytes in the slot. */
    public static final int LENGTH_SHIFT = 48;
    /** Width of the length field: 0..63 holds 0..56. */
    public static final int LENGTH_BITS = 6;
    /** Header bit 54: the slot holds a message's first fragment (and its send cycle). */
    public static final long FLAG_FIRST = 1L << 54;
    /** Header bit 55: the slot holds a message's last fragment. */
    public static final long FLAG_LAST = 1L << 55;
    /** Header bits 56..57: the slot's kind. */
    public static final int KIND_SHIFT = 56;
    /** Width of the kind field. */
    public static final int KIND_BITS = 2;

    /** Kind of a slot that was never written. */
    public static final int KIND_EMPTY = 0;
    /** Kind of a slot that carries a fragment of a message. */
    public static final int KIND_DATA = 1;
    /** Kind of an ACK-only header: no payload, does not consume its sequence number. */
    public static final int KIND_ACK = 2;

    private static final long LENGTH_MASK = (1L << LENGTH_BITS) - 1;
    private static final long KIND_MASK = (1L << KIND_BITS) - 1;

    static
    {
        // The size assertion: one slot is one cache line, the header closes it, and every field fits its bits.
        if (HEADER_OFFSET + HEADER_LENGTH != SLOT_SIZE || PAYLOAD_SIZE != 56 || FIRST_FRAGMENT_CAPACITY != 48 ||
            PAYLOAD_SIZE > LENGTH_MASK || ACK_SHIFT != SEQUENCE_SHIFT + SEQUENCE_BITS ||
            LENGTH_SHIFT != ACK_SHIFT + SEQUENCE_BITS || FLAG_FIRST != 1L << (LENGTH_SHIFT + LENGTH_BITS) ||
            FLAG_LAST != FLAG_FIRST << 1 || KIND_SHIFT != LENGTH_SHIFT + LENGTH_BITS + 2 ||
            KIND_SHIFT + KIND_BITS > Long.SIZE || 2 * MAX_SLOTS > SEQUENCE_MASK)
        {
            throw new AssertionError("UMP slot layout is inconsistent");
        }
    }

    private UmpDescriptor()
    {
    }

    /**
     * Encodes a header word.
     *
     * @param sequence sequence number, reduced modulo 2<sup>24</sup>.
     * @param ack      piggybacked ack, reduced modulo 2<sup>24</sup>.
     * @param length   user bytes in the slot, 0..56.
     * @param flags    {@link #FLAG_FIRST} and/or {@link #FLAG_LAST}, or 0.
     * @param kind     {@link #KIND_DATA} or {@link #KIND_ACK}.
     * @return the header word.
     */
    public static long header(final int sequence, final int ack, final int length, final long flags, final int kind)
    {
        return ((long)(sequence & SEQUENCE_MASK) << SEQUENCE_SHIFT) |
            ((long)(ack & SEQUENCE_MASK) << ACK_SHIFT) |
            ((length & LENGTH_MASK) << LENGTH_SHIFT) |
            (flags & (FLAG_FIRST | FLAG_LAST)) |
            ((kind & KIND_MASK) << KIND_SHIFT);
    }

    /** The sequence field of {@code header}. Pure; any thread. */
    public static int sequence(final long header)
    {
        return (int)(header >>> SEQUENCE_SHIFT) & SEQUENCE_MASK;
    }

    /** The ack field of {@code header}. */
    public static int ack(final long header)
    {
        return (int)(header >>> ACK_SHIFT) & SEQUENCE_MASK;
    }

    /** The length field of {@code header}: user bytes in the slot. */
    public static int length(final long header)
    {
        return (int)((header >>> LENGTH_SHIFT) & LENGTH_MASK);
    }

    /** The kind field of {@code header}: {@link #KIND_EMPTY}, {@link #KIND_DATA} or {@link #KIND_ACK}. */
    public static int kind(final long header)
    {
        return (int)((header >>> KIND_SHIFT) & KIND_MASK);
    }

    /** True when {@code header} has {@link #FLAG_FIRST}. */
    public static boolean isFirst(final long header)
    {
        return (header & FLAG_FIRST) != 0;
    }

    /** True when {@code header} has {@link #FLAG_LAST}. */
    public static boolean isLast(final long header)
    {
        return (header & FLAG_LAST) != 0;
    }

    /** True when {@code header} is a written slot carrying {@code expectedSequence}. */
    public static boolean isPresent(final long header, final int expectedSequence)
    {
        return kind(header) != KIND_EMPTY && sequence(header) == expectedSequence;
    }

    /** Slots a message of {@code length} user bytes occupies (a message of 0 bytes still takes one). */
    public static int slotsFor(final int length)
    {
        return length <= FIRST_FRAGMENT_CAPACITY ? 1 :
            1 + (length - FIRST_FRAGMENT_CAPACITY + FRAGMENT_CAPACITY - 1) / FRAGMENT_CAPACITY;
    }

    /** Offset, within the message, of the first user byte of fragment {@code fragment} (0 is the FIRST one). */
    public static int fragmentStart(final int fragment)
    {
        return fragment == 0 ? 0 : FIRST_FRAGMENT_CAPACITY + (fragment - 1) * FRAGMENT_CAPACITY;
    }

    /** User bytes in fragment {@code fragment} of a message of {@code length} bytes. */
    public static int fragmentLength(final int length, final int fragment)
    {
        final int capacity = fragment == 0 ? FIRST_FRAGMENT_CAPACITY : FRAGMENT_CAPACITY;
        return Math.min(capacity, length - fragmentStart(fragment));
    }

    /** Byte offset of slot {@code index} within a ring. */
    public static int slotOffset(final int index)
    {
        return index * SLOT_SIZE;
    }
}
