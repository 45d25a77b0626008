package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds one transmit-ring message: the {@link RingDescriptor} reply header, then the RESP replies to a run of
 * requests, one after another. Core-local, reused for every message of its core.
 */
final class RespWriter
{
    private ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    /** Capacity beyond which {@link #trim} lets the buffer go (after a large value's reply). */
    private static final int KEEP = 1 << 20;
    private final UnsafeBuffer view = new UnsafeBuffer(buffer.byteArray());
    private int position;
    /** Replies in RESP3 (the connection said HELLO 3): nulls, maps and verbatim strings differ. */
    private boolean resp3;

    void resp3(final boolean on)
    {
        resp3 = on;
    }

    boolean resp3()
    {
        return resp3;
    }

    /** The null array (EXEC of a transaction a watched key aborted): RESP2's {@code *-1}, RESP3's null. */
    RespWriter nullArray()
    {
        if (resp3)
        {
            buffer.putByte(position++, (byte)'_');
            return crlf();
        }
        buffer.putByte(position++, (byte)'*');
        buffer.putByte(position++, (byte)'-');
        buffer.putByte(position++, (byte)'1');
        return crlf();
    }

    /** Starts a message of replies to connection {@code connection}'s requests from {@code firstSeq} on. */
    void begin(final int connection, final long firstSeq)
    {
        buffer.putInt(RingDescriptor.CONNECTION_OFFSET, connection);
        buffer.putLong(RingDescriptor.SEQUENCE_OFFSET, firstSeq);
        position = RingDescriptor.REPLY_HEADER;
    }

    /** Lets go of a buffer grown past 1 MiB by a large reply; call between messages only. */
    void trim()
    {
        if (buffer.capacity() > KEEP)
        {
            buffer = new ExpandableArrayBuffer(4096);
        }
    }

    /** The length of the message so far; also a mark to {@link #truncate} back to. */
    int length()
    {
        return position;
    }

    /** Drops everything written after {@code mark} (a {@link #length()} taken before). */
    void truncate(final int mark)
    {
        position = mark;
    }

    /** Ends the message: it answers {@code count} requests. */
    void finish(final int count)
    {
        buffer.putInt(RingDescriptor.REPLY_COUNT_OFFSET, count);
    }

    /** The message so far, for the ring. */
    UnsafeBuffer message()
    {
        if (view.byteArray() != buffer.byteArray())
        {
            view.wrap(buffer.byteArray());
        }
        return view;
    }

    RespWriter simple(final String s)
    {
        buffer.putByte(position++, (byte)'+');
        position += buffer.putStringWithoutLengthAscii(position, s);
        return crlf();
    }

    RespWriter error(final String s)
    {
        buffer.putByte(position++, (byte)'-');
        final byte[] b = s.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        buffer.putBytes(position, b);
        position += b.length;
        return crlf();
    }

    RespWriter integer(final long v)
    {
        buffer.putByte(position++, (byte)':');
        position += buffer.putLongAscii(position, v);
        return crlf();
    }

    RespWriter arrayHeader(final int n)
    {
        buffer.putByte(position++, (byte)'*');
        position += buffer.putIntAscii(position, n);
        return crlf();
    }

    /** A map of {@code n} pairs; in RESP2, which has none, an array of {@code 2n}. */
    RespWriter mapHeader(final int n)
    {
        if (!resp3)
        {
            return arrayHeader(2 * n);
        }
        buffer.putByte(position++, (byte)'%');
        position += buffer.putIntAscii(position, n);
        return crlf();
    }

    /** Text for people (INFO): a verbatim string in RESP3, a bulk string in RESP2. */
    RespWriter verbatim(final String s)
    {
        if (!resp3)
        {
            return bulk(s);
        }
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buffer.putByte(position++, (byte)'=');
        position += buffer.putIntAscii(position, b.length + 4);
        crlf();
        position += buffer.putStringWithoutLengthAscii(position, "txt:");
        buffer.putBytes(position, b);
        position += b.length;
        return crlf();
    }

    /** The null reply: RESP2's null bulk string, RESP3's null. */
    RespWriter nullBulk()
    {
        if (resp3)
        {
            buffer.putByte(position++, (byte)'_');
            return crlf();
        }
        buffer.putByte(position++, (byte)'$');
        buffer.putByte(position++, (byte)'-');
        buffer.putByte(position++, (byte)'1');
        return crlf();
    }

    RespWriter bulk(final byte[] b)
    {
        return bulk(b, 0, b.length);
    }

    RespWriter bulk(final byte[] b, final int offset, final int length)
    {
        bulkHeader(length);
        buffer.putBytes(position, b, offset, length);
        position += length;
        return crlf();
    }

    RespWriter bulk(final String s)
    {
        return bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reserves a bulk string of {@code length} bytes and returns the backing array and offset to fill
     * ({@link #bulkArray()}, the return value); {@link #endBulk} finishes it.
     */
    int reserveBulk(final int length)
    {
        bulkHeader(length);
        buffer.checkLimit(position + length + 2);
        final int at = position;
        position += length;
        return at;
    }

    byte[] bulkArray()
    {
        return buffer.byteArray();
    }

    RespWriter endBulk()
    {
        return crlf();
    }

    /** Appends RESP made elsewhere. */
    RespWriter raw(final byte[] b)
    {
        buffer.putBytes(position, b);
        position += b.length;
        return this;
    }

    private void bulkHeader(final int length)
    {
        buffer.putByte(position++, (byte)'$');
        position += buffer.putIntAscii(position, length);
        crlf();
    }

    private RespWriter crlf()
    {
        buffer.putByte(position++, (byte)'\r');
        buffer.putByte(position++, (byte)'\n');
        return this;
    }
}
