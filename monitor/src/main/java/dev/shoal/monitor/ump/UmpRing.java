package dev.shoal.monitor.ump;

import static dev.shoal.monitor.ump.UmpDescriptor.HEADER_OFFSET;
import static dev.shoal.monitor.ump.UmpDescriptor.MAX_SLOTS;
import static dev.shoal.monitor.ump.UmpDescriptor.MIN_SLOTS;
import static dev.shoal.monitor.ump.UmpDescriptor.SLOT_SIZE;

import java.util.Objects;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The memory of one direction of a UMP channel: a one-to-one (single producer, single consumer) ring of 64-byte
 * slots laid out as {@link UmpDescriptor} describes, over a buffer the caller provides (later: simulated
 * physical memory), e.g. an {@link UnsafeBuffer} wrapping a direct {@link java.nio.ByteBuffer} or the address of
 * a {@link java.lang.foreign.MemorySegment}.
 *
 * <p>The ring holds no cursors: nothing is shared between the two cores but the slot bytes. The producer's and
 * the consumer's positions live in the {@link UmpEndpoint}s at either end. The memory must be zeroed (never
 * written) when the first end connects to it.
 *
 * <p>Immutable and safe to share between the two cores that use it.
 */
public final class UmpRing
{
    private final AtomicBuffer buffer;
    private final int slots;
    /**
     * Where the headers are, for the two accesses every duty cycle makes: the buffer's array (null off-heap) and
     * the address of slot 0's header. A slot index is always masked to the ring, so these accesses skip the
     * buffer's own bounds check, which costs as much as the load on the idle path.
     */
    private final byte[] headerArray;
    private final long headerAddress;

    /**
     * Wraps {@code buffer} as a ring. Called by whichever thread sets the channel up.
     *
     * @param buffer {@code slots * 64} bytes, 8-byte aligned, zeroed; {@code slots} a power of two in
     *               [{@value UmpDescriptor#MIN_SLOTS}, {@value UmpDescriptor#MAX_SLOTS}].
     * @throws IllegalArgumentException naming what is wrong with the buffer.
     */
    public UmpRing(final AtomicBuffer buffer)
    {
        Objects.requireNonNull(buffer, "buffer");
        final int capacity = buffer.capacity();
        if (capacity % SLOT_SIZE != 0)
        {
            throw new IllegalArgumentException("UMP ring buffer capacity " + capacity +
                " is not a multiple of the " + SLOT_SIZE + "-byte slot size");
        }
        this.slots = checkSlots(capacity / SLOT_SIZE);
        try
        {
            buffer.verifyAlignment();
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalArgumentException("UMP ring buffer must be 8-byte aligned so that slot headers are " +
                "read and written atomically: " + ex.getMessage(), ex);
        }
        this.buffer = buffer;
        this.headerArray = buffer.byteArray();
        this.headerAddress = buffer.addressOffset() + HEADER_OFFSET;
    }

    /**
     * Allocates a zeroed, cache-line aligned ring in a direct {@link java.nio.ByteBuffer}. Any thread.
     *
     * @param slots a power of two in [{@value UmpDescriptor#MIN_SLOTS}, {@value UmpDescriptor#MAX_SLOTS}].
     * @return the ring.
     * @throws IllegalArgumentException naming what is wrong with {@code slots}.
     */
    public static UmpRing allocate(final int slots)
    {
        return new UmpRing(new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytesFor(slots), SLOT_SIZE)));
    }

    /**
     * Bytes a ring of {@code slots} slots needs.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code slots}.
     */
    public static int bytesFor(final int slots)
    {
        return checkSlots(slots) * SLOT_SIZE;
    }

    private static int checkSlots(final int slots)
    {
        if (slots < MIN_SLOTS || slots > MAX_SLOTS)
        {
            throw new IllegalArgumentException("a UMP ring needs between " + MIN_SLOTS + " and " + MAX_SLOTS +
                " slots, not " + slots);
        }
        if (!BitUtil.isPowerOfTwo(slots))
        {
            throw new IllegalArgumentException("a UMP ring needs a power-of-two number of slots, not " + slots);
        }
        return slots;
    }

    /** Slots in the ring. Any thread. */
    public int slots()
    {
        return slots;
    }

    /** The ring's memory. Any thread; only the two endpoints write it. */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** Acquire-load of slot {@code index}'s header. */
    long headerVolatile(final int index)
    {
        return UnsafeApi.getLongVolatile(headerArray, headerAddress + UmpDescriptor.slotOffset(index & (slots - 1)));
    }

    /**
     * Publishes slot {@code index} by storing its header with release semantics: the slot's payload, written
     * before, is visible to a receiver that sees the header. Not a full fence: a fence per slot would make the
     * producer wait for each slot's cache line to arrive before writing the next one. The sleep/wake handshake
     * needs a store-load fence between publishing and reading the receiver's "sleeping" flag; the endpoint issues
     * one per doorbell check, after all the slots it wrote ({@link UmpEndpoint#doorbell(Runnable)}).
     */
    void publishHeader(final int index, final long header)
    {
        UnsafeApi.putLongRelease(headerArray, headerAddress + UmpDescriptor.slotOffset(index & (slots - 1)), header);
    }

    @Override
    public String toString()
    {
        return "UmpRing{slots=" + slots + ", address=0x" + Long.toHexString(buffer.addressOffset()) + '}';
    }
}
