package dev.shoal.apps.kv;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.HashMap;

import org.agrona.DirectBuffer;

/**
 * One client connection as the {@link Nic} keeps it: its unparsed input, its output, the replies waiting for their
 * turn, and its session (protocol version, authentication, name), which lives here because every request of the
 * connection passes the NIC in order, whichever core runs it.
 *
 * <p>Used only by the NIC's thread.
 */
final class NicConnection
{
    static final int READ_CHUNK = 64 << 10;
    /** An input buffer grown past this (by a large request) shrinks back once that request has been taken. */
    static final int KEEP_INPUT = 4 * READ_CHUNK;

    /** What a closed connection holds: nothing. */
    static final ByteBuffer EMPTY_OUTPUT = ByteBuffer.allocate(0);

    /** Replies to {@code count} consecutive requests, kept until their turn. */
    record Replies(byte[] bytes, int count)
    {
    }

    final int id;
    final SocketChannel channel;
    SelectionKey key;
    byte[] in = new byte[READ_CHUNK];
    int inStart;
    int inEnd;
    long nextSequence;
    long nextToSend;
    long closeAfter = Long.MAX_VALUE;
    /** Replies that came before an earlier request's, by the sequence of the first request they answer. */
    final HashMap<Long, Replies> pending = new HashMap<>();
    long pendingBytes;
    /** Its replies passed the output limit: it is closed, and what passed it was not kept. */
    boolean overLimit;
    /** When its output went over the soft limit (host ms), 0 while under. */
    long softSince;
    /** Not read for now: the overflow is over its limit. */
    boolean paused;
    /** Not read for now: its next request waits for its earlier ones to be answered (Nic.parse). */
    boolean barred;
    /** The rest of a refused request being discarded. */
    final RespReader.Skip skip = new RespReader.Skip();
    /** Direct, so that a write goes from it without the JDK's copy through a temporary native buffer. */
    ByteBuffer out = ByteBuffer.allocateDirect(16 << 10);
    boolean dirty;
    boolean closed;
    /** The filter's last request of this connection was read: nothing more is read from it. */
    boolean ending;

    // The session ({@link NicSession}).
    /** RESP version of the replies, 2 or 3 (HELLO). */
    int protocol = 2;
    /** False until AUTH when a password was required at connect (Redis's rule). */
    boolean authenticated;
    /** CLIENT SETNAME's (or HELLO's) name, null for none; CLIENT SETINFO's library name and version. */
    String name;
    String libName = "";
    String libVersion = "";
    /** Host ms at connect and at its last request (for CLIENT LIST's age and idle). */
    long connectedAt;
    long lastRequestAt;
    /** In a transaction (after MULTI): its commands are queued here, not run. */
    boolean multi;
    /** A command was refused while queuing: EXEC will answer EXECABORT. */
    boolean multiDirty;
    final java.io.ByteArrayOutputStream queuedBytes = new java.io.ByteArrayOutputStream();
    final org.agrona.collections.IntArrayList queuedLengths = new org.agrona.collections.IntArrayList();
    final org.agrona.collections.IntArrayList queuedCounts = new org.agrona.collections.IntArrayList();
    /** What the queued commands will take in the EXEC request's ring message. */
    long queuedRingBytes;
    /** It sent WATCH since its last EXEC, DISCARD or UNWATCH: its home core keeps keys for it. */
    boolean watching;

    void endTransaction()
    {
        multi = false;
        multiDirty = false;
        queuedBytes.reset();
        queuedLengths.clear();
        queuedCounts.clear();
        queuedRingBytes = 0;
    }

    /** The client's address, host:port. */
    String remoteAddress = "";

    NicConnection(final int id, final SocketChannel channel)
    {
        this.id = id;
        this.channel = channel;
    }

    /** Unsent replies, in the output and held for their turn. */
    long outputBytes()
    {
        return out.position() + pendingBytes;
    }

    void hold(final long first, final Replies replies, final long limit)
    {
        if (outputBytes() + replies.bytes().length > limit)
        {
            overLimit = true;
            return;
        }
        pending.put(first, replies);
        pendingBytes += replies.bytes().length;
    }

    /**
     * Adds what was read. The reader keeps at most one partial frame here: no longer than a shard's memory and
     * its RESP framing (the NIC's input budget bounds the sum over connections), or a 64 KiB line.
     */
    void append(final ByteBuffer src)
    {
        final int length = src.remaining();
        if (inEnd + length > in.length)
        {
            final int live = inEnd - inStart;
            final byte[] target = live + length > in.length ?
                new byte[(int)Math.min(Integer.MAX_VALUE - 8, Math.max(in.length * 2L, (long)live + length))] : in;
            System.arraycopy(in, inStart, target, 0, live);
            in = target;
            inStart = 0;
            inEnd = live;
        }
        src.get(in, inEnd, length);
        inEnd += length;
    }

    void consumed(final int upTo)
    {
        inStart = upTo;
        if (inStart == inEnd)
        {
            inStart = inEnd = 0;
        }
        if (in.length > KEEP_INPUT && inEnd - inStart <= READ_CHUNK / 2)
        {
            // A large request has gone: its buffer is not kept at that size.
            final byte[] small = new byte[READ_CHUNK];
            System.arraycopy(in, inStart, small, 0, inEnd - inStart);
            inEnd -= inStart;
            inStart = 0;
            in = small;
        }
    }

    /** The input buffer's bytes beyond the {@link #READ_CHUNK} every connection has: what a large request took. */
    long largeInput()
    {
        return Math.max(0, in.length - READ_CHUNK);
    }

    void out(final byte[] bytes, final int length, final long limit)
    {
        if (room(length, limit))
        {
            out.put(bytes, 0, length);
        }
    }

    void out(final DirectBuffer src, final int index, final int length, final long limit)
    {
        if (room(length, limit))
        {
            src.getBytes(index, out, length);
        }
    }

    /** Makes room for {@code length} more bytes of output, unless that passes {@code limit} (then false). */
    private boolean room(final int length, final long limit)
    {
        if (overLimit || outputBytes() + length > limit)
        {
            overLimit = true;
            return false;
        }
        if (out.remaining() < length)
        {
            final long capacity = Math.min(limit, Math.max(out.capacity() * 2L, (long)out.position() + length));
            final ByteBuffer bigger;
            try
            {
                bigger = ByteBuffer.allocateDirect((int)capacity);
            }
            catch (final OutOfMemoryError ex)
            {
                // The process's direct memory is spent (many clients at their limits): this client is closed, and
                // the NIC serves on.
                overLimit = true;
                return false;
            }
            out.flip();
            bigger.put(out);
            out = bigger;
        }
        return true;
    }
}
