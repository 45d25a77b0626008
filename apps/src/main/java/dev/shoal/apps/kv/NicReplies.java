package dev.shoal.apps.kv;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.MessageHandler;

/**
 * The NIC's reply ordering: takes the cores' replies off the transmit rings and puts each connection's in the order
 * of its requests (a reply that overtakes an earlier request's, answered by another core, waits until that one is
 * out), holds a pipelining client's replies until its batch is answered, writes them, and closes a client whose
 * unsent replies pass {@code client-output-buffer-limit}.
 *
 * <p>Used only by the NIC's thread.
 */
final class NicReplies
{
    /** Output a connection may hold back while it still waits for replies ({@link #flush}). */
    private static final int HOLD_LIMIT = 32 << 10;

    private final NicQueue[] queues;
    private final ClientLimits limits;
    private final Int2ObjectHashMap<NicConnection> connections;
    private final Supplier<NicRuns> runs;
    private final Consumer<NicConnection> drop;
    private final Runnable onShutdown;
    private final List<NicConnection> dirty = new ArrayList<>();
    private final MessageHandler onReply = this::onReply;

    /**
     * @param drop       closes a connection (the NIC's).
     * @param onShutdown called for a core's SHUTDOWN message, after its replies are in the output.
     */
    NicReplies(final NicQueue[] queues, final ClientLimits limits,
        final Int2ObjectHashMap<NicConnection> connections, final Supplier<NicRuns> runs,
        final Consumer<NicConnection> drop, final Runnable onShutdown)
    {
        this.queues = queues;
        this.limits = limits;
        this.connections = connections;
        this.runs = runs;
        this.drop = drop;
        this.onShutdown = onShutdown;
    }

    private NicRuns runs()
    {
        return runs.get();
    }

    /** True when a transmit ring holds replies or a receive ring's requests wait in the NIC. */
    boolean any()
    {
        for (final NicQueue q : queues)
        {
            if (q.tx().size() > 0 || !q.overflow.isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    /** Takes the replies off the transmit rings; returns how many messages it took. */
    int drain()
    {
        int n = 0;
        for (final NicQueue q : queues)
        {
            draining = q;
            n += q.tx().read(onReply, 1024);
        }
        return n;
    }

    /** The queue whose transmit ring {@link #drain} reads now, for the pieces of a long message. */
    private NicQueue draining;

    private void onReply(final int type, final MutableDirectBuffer b, final int index, final int length)
    {
        final NicQueue.Pieces pieces = draining.replyPieces;
        if (type == RingDescriptor.PIECE)
        {
            pieces.add(b, index, length);
            return;
        }
        if (pieces.active())
        {
            pieces.add(b, index, length);
            try
            {
                onMessage(type, pieces.message(), 0, pieces.length());
            }
            finally
            {
                pieces.reset();
            }
            return;
        }
        onMessage(type, b, index, length);
    }

    private void onMessage(final int type, final MutableDirectBuffer b, final int index, final int length)
    {
        final NicConnection c = connections.get(b.getInt(index + RingDescriptor.CONNECTION_OFFSET));
        final long first = b.getLong(index + RingDescriptor.SEQUENCE_OFFSET);
        final int count = b.getInt(index + RingDescriptor.REPLY_COUNT_OFFSET);
        final int at = index + RingDescriptor.REPLY_HEADER;
        final int len = length - RingDescriptor.REPLY_HEADER;
        runs().answered(count);
        if (c != null)
        {
            if (type == RingDescriptor.REPLY_AND_CLOSE)
            {
                c.closeAfter = Math.min(c.closeAfter, first + count - 1);
            }
            if (first == c.nextToSend)
            {
                c.out(b, at, len, outputLimit());
                sent(c, count);
            }
            else
            {
                final byte[] copy = new byte[len];
                b.getBytes(at, copy);
                c.hold(first, new NicConnection.Replies(copy, count), outputLimit());
            }
            checkOutput(c);
        }
        if (type == RingDescriptor.SHUTDOWN)
        {
            onShutdown.run();
        }
    }

    /** Sends the reply to request {@code seq} now if every earlier one went, else keeps it until they have. */
    void deliver(final NicConnection c, final long seq, final byte[] reply)
    {
        if (seq != c.nextToSend)
        {
            c.hold(seq, new NicConnection.Replies(reply, 1), outputLimit());
        }
        else
        {
            c.out(reply, reply.length, outputLimit());
            sent(c, 1);
        }
        checkOutput(c);
    }

    private long outputLimit()
    {
        final long hard = limits.normal().hard();
        return hard == 0 ? ClientLimits.MAX_OUTPUT_LIMIT : hard;
    }

    /**
     * Closes a client whose unsent replies passed client-output-buffer-limit's hard limit, or stayed over its soft
     * limit longer than its seconds (host time: the NIC is a device).
     */
    private void checkOutput(final NicConnection c)
    {
        if (c.closed)
        {
            return;
        }
        if (c.overLimit)
        {
            drop.accept(c);
            return;
        }
        final ClientLimits.OutputLimit limit = limits.normal();
        if (limit.soft() > 0 && c.outputBytes() > limit.soft())
        {
            final long now = System.currentTimeMillis();
            if (c.softSince == 0)
            {
                c.softSince = now;
            }
            else if (now - c.softSince > limit.softSeconds() * 1000)
            {
                drop.accept(c);
            }
        }
        else
        {
            c.softSince = 0;
        }
    }

    /**
     * The replies to the {@code count} requests from {@code nextToSend} on are in the output: moves on, past any
     * later ones that were waiting.
     */
    private void sent(final NicConnection c, final int count)
    {
        c.nextToSend += count;
        if (!c.pending.isEmpty())
        {
            NicConnection.Replies next;
            while ((next = c.pending.remove(c.nextToSend)) != null)
            {
                c.pendingBytes -= next.bytes().length;
                c.out(next.bytes(), next.bytes().length, outputLimit());
                c.nextToSend += next.count();
            }
        }
        dirtyOnce(c);
    }

    void dirtyOnce(final NicConnection c)
    {
        if (!c.dirty)
        {
            c.dirty = true;
            dirty.add(c);
        }
    }

    /**
     * Writes the connections that have output. Unless {@code all}, a connection that still waits for replies to
     * requests it sent keeps its output for now (up to {@link #HOLD_LIMIT} bytes): a pipelining client then gets its
     * whole batch of replies in one write, not one per ring drain. Before the NIC sleeps it writes everything.
     */
    void flush(final boolean all)
    {
        int kept = 0;
        for (int i = 0; i < dirty.size(); i++)
        {
            final NicConnection c = dirty.get(i);
            if (c.closed)
            {
                c.dirty = false;
                continue;
            }
            if (!all && c.nextToSend < c.nextSequence && c.out.position() < HOLD_LIMIT)
            {
                dirty.set(kept++, c);
                continue;
            }
            c.dirty = false;
            try
            {
                c.out.flip();
                c.channel.write(c.out);
                c.out.compact();
                final boolean more = c.out.position() > 0;
                if (!more && c.nextToSend > c.closeAfter)
                {
                    drop.accept(c);
                    continue;
                }
                final int ops = (c.ending || c.paused ? 0 : SelectionKey.OP_READ) | (more ? SelectionKey.OP_WRITE : 0);
                if (c.key.interestOps() != ops)
                {
                    c.key.interestOps(ops);
                }
            }
            catch (final IOException ex)
            {
                drop.accept(c);
            }
        }
        dirty.subList(kept, dirty.size()).clear();
    }

}
