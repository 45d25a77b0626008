package dev.shoal.monitor;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * Decodes message fields written by {@link MessageWriter}. Every read checks its bounds, so a truncated or corrupt
 * message becomes a {@link MalformedMessageException} naming what was being read, never an out-of-bounds read.
 * Not thread-safe; wrap a buffer, read, discard.
 */
public final class MessageReader
{
    private DirectBuffer buffer;
    private int position;
    private int limit;
    private Object what = "message";

    /**
     * Reads {@code length} bytes at {@code offset}; {@code what} names the message in errors (a String, or a
     * Class whose simple name is taken only when an error is reported, keeping the hot path free of it).
     */
    public MessageReader wrap(final DirectBuffer buffer, final int offset, final int length, final Object what)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        this.what = what;
        return this;
    }

    private String name()
    {
        return what instanceof Class<?> type ? type.getSimpleName() : String.valueOf(what);
    }

    public int remaining()
    {
        return limit - position;
    }

    public int position()
    {
        return position;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    private int take(final int bytes, final String field)
    {
        if (bytes < 0 || position + bytes > limit)
        {
            throw new MalformedMessageException(name() + ": truncated while reading " + field + " (needs " + bytes +
                " bytes, " + (limit - position) + " left)");
        }
        final int at = position;
        position += bytes;
        return at;
    }

    public byte getByte()
    {
        return buffer.getByte(take(1, "a byte"));
    }

    public short getShort()
    {
        return buffer.getShort(take(2, "a short"));
    }

    public int getInt()
    {
        return buffer.getInt(take(4, "an int"));
    }

    public long getLong()
    {
        return buffer.getLong(take(8, "a long"));
    }

    public double getDouble()
    {
        return buffer.getDouble(take(8, "a double"));
    }

    public boolean getBoolean()
    {
        final byte b = getByte();
        if (b != 0 && b != 1)
        {
            throw new MalformedMessageException(name() + ": boolean field holds " + b);
        }
        return b == 1;
    }

    private int count(final int elementSize, final String field)
    {
        final int n = getInt();
        if (n < 0 || (long)n * elementSize > limit - position)
        {
            throw new MalformedMessageException(name() + ": " + field + " of length " + n + " exceeds the message");
        }
        return n;
    }

    public byte[] getBytes()
    {
        final int n = count(1, "byte array");
        final byte[] v = new byte[n];
        buffer.getBytes(take(n, "a byte array"), v);
        return v;
    }

    public String getString()
    {
        return new String(getBytes(), StandardCharsets.UTF_8);
    }

    public int[] getInts()
    {
        final int n = count(4, "int array");
        final int[] v = new int[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = getInt();
        }
        return v;
    }

    public long[] getLongs()
    {
        final int n = count(8, "long array");
        final long[] v = new long[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = getLong();
        }
        return v;
    }

    /** Fails unless every byte was consumed: trailing garbage is as wrong as a short message. */
    public void expectEnd()
    {
        if (position != limit)
        {
            throw new MalformedMessageException(name() + ": " + (limit - position) + " unexpected trailing bytes");
        }
    }
}
