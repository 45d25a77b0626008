package dev.shoal.monitor;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes message fields into a growable buffer, little-endian, no padding. One writer per core (not thread-safe);
 * reuse it with {@link #reset()} so the steady state allocates nothing.
 */
public final class MessageWriter
{
    private final ExpandableArrayBuffer own = new ExpandableArrayBuffer(128);
    /** Where the message goes: {@link #own}, or a window of a channel's ring ({@link #resetInto}). */
    private MutableDirectBuffer buffer = own;
    /** The message's first byte in {@link #buffer}, and the end of the window (no end in {@link #own}). */
    private int base;
    private int limit = Integer.MAX_VALUE;
    private int position;

    public MessageWriter reset()
    {
        buffer = own;
        base = 0;
        limit = Integer.MAX_VALUE;
        position = 0;
        return this;
    }

    /**
     * Starts a message straight in {@code target}'s {@code capacity} bytes at {@code offset} (the free slot of a
     * channel's ring), so that sending it copies nothing. A message that turns out longer moves, with what was
     * written so far, into the writer's own buffer and goes on there: {@link #inPlace()} then says false.
     */
    MessageWriter resetInto(final MutableDirectBuffer target, final int offset, final int capacity)
    {
        buffer = target;
        base = offset;
        limit = offset + capacity;
        position = offset;
        return this;
    }

    /** Whether the message is still in the window {@link #resetInto} gave (false after a plain {@link #reset}). */
    boolean inPlace()
    {
        return buffer != own;
    }

    /** The buffer the message is in; it starts at offset 0 unless the writer was reset into a window. */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int length()
    {
        return position - base;
    }

    /** Skips {@code bytes} bytes (for a header filled in later) and returns their offset in {@link #buffer()}. */
    public int reserve(final int bytes)
    {
        room(bytes);
        final int at = position;
        if (buffer == own)
        {
            own.checkLimit(position + bytes);
        }
        position += bytes;
        return at;
    }

    /** Makes sure {@code bytes} more fit where the message is: past a window's end, the message moves to {@link #own}. */
    private void room(final int bytes)
    {
        if (position + bytes > limit)
        {
            final int length = position - base;
            own.putBytes(0, buffer, base, length);
            buffer = own;
            base = 0;
            limit = Integer.MAX_VALUE;
            position = length;
        }
    }

    public MessageWriter putByte(final byte v)
    {
        room(1);
        buffer.putByte(position, v);
        position += 1;
        return this;
    }

    public MessageWriter putShort(final short v)
    {
        room(2);
        buffer.putShort(position, v);
        position += 2;
        return this;
    }

    public MessageWriter putInt(final int v)
    {
        room(4);
        buffer.putInt(position, v);
        position += 4;
        return this;
    }

    public MessageWriter putLong(final long v)
    {
        room(8);
        buffer.putLong(position, v);
        position += 8;
        return this;
    }

    public MessageWriter putDouble(final double v)
    {
        room(8);
        buffer.putDouble(position, v);
        position += 8;
        return this;
    }

    public MessageWriter putBoolean(final boolean v)
    {
        return putByte(v ? (byte)1 : (byte)0);
    }

    public MessageWriter putBytes(final byte[] v)
    {
        putInt(v.length);
        room(v.length);
        buffer.putBytes(position, v);
        position += v.length;
        return this;
    }

    public MessageWriter putBytes(final DirectBuffer src, final int offset, final int length)
    {
        room(length);
        buffer.putBytes(position, src, offset, length);
        position += length;
        return this;
    }

    public MessageWriter putString(final String v)
    {
        return putBytes(v.getBytes(StandardCharsets.UTF_8));
    }

    public MessageWriter putInts(final int[] v)
    {
        putInt(v.length);
        for (final int i : v)
        {
            putInt(i);
        }
        return this;
    }

    public MessageWriter putLongs(final long[] v)
    {
        putInt(v.length);
        for (final long l : v)
        {
            putLong(l);
        }
        return this;
    }
}
