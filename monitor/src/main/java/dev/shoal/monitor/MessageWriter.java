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
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);
    private int position;

    public MessageWriter reset()
    {
        position = 0;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int length()
    {
        return position;
    }

    /** Skips {@code bytes} bytes (for a header filled in later) and returns their offset. */
    public int reserve(final int bytes)
    {
        final int at = position;
        buffer.checkLimit(position + bytes);
        position += bytes;
        return at;
    }

    public MessageWriter putByte(final byte v)
    {
        buffer.putByte(position, v);
        position += 1;
        return this;
    }

    public MessageWriter putShort(final short v)
    {
        buffer.putShort(position, v);
        position += 2;
        return this;
    }

    public MessageWriter putInt(final int v)
    {
        buffer.putInt(position, v);
        position += 4;
        return this;
    }

    public MessageWriter putLong(final long v)
    {
        buffer.putLong(position, v);
        position += 8;
        return this;
    }

    public MessageWriter putDouble(final double v)
    {
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
        buffer.putBytes(position, v);
        position += v.length;
        return this;
    }

    public MessageWriter putBytes(final DirectBuffer src, final int offset, final int length)
    {
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
