package dev.shoal.apps.kv;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The NIC's run batching: applies the filter to each request and gathers consecutive requests of a connection that
 * go to one queue into one receive-ring message (a run, {@link RingDescriptor}); a run that finds its ring full
 * waits here, in order, before any newer one for that ring. Counts the requests the cores still owe replies to.
 *
 * <p>Used only by the NIC's thread.
 */
final class NicRuns
{
    private final NicQueue[] queues;
    private final NicFilter filter;
    private final NameTable<NicFilter.Rule> table;
    /**
     * Set by {@link #queueOf}: the argument the request was routed by (0: none), its key hash, and whether the
     * filter makes it its connection's last request.
     */
    private int hashedArgument;
    private int keyHash;
    private boolean endsConnection;
    /** The run being gathered: requests staged here and put on the ring in one write when it ends. */
    private ExpandableArrayBuffer run = new ExpandableArrayBuffer(NicConnection.READ_CHUNK);
    /** The queue of the run being gathered, -1 when none is open. */
    private int runQueue = -1;
    private int runLength;
    private int runCount;
    /** Bytes of runs waiting for room on their rings. */
    private long overflowBytes;
    /** Requests routed to the cores and not yet answered. */
    private long inFlight;

    NicRuns(final NicQueue[] queues, final NicFilter filter)
    {
        this.queues = queues;
        this.filter = filter;
        this.table = filter.table();
    }

    /** True when the request {@link #add} took last is its connection's last (the filter says so: QUIT). */
    boolean endsConnection()
    {
        return endsConnection;
    }

    long overflowBytes()
    {
        return overflowBytes;
    }

    long inFlight()
    {
        return inFlight;
    }

    /** The cores answered {@code count} requests. */
    void answered(final int count)
    {
        inFlight -= count;
    }

    /**
     * Applies the filter to a request of {@code argc} arguments in {@code in} and adds it to the run for its queue:
     * the run open for this connection if it goes to the same queue and there is room, else a new one (the old one
     * goes on its ring).
     */
    void add(final NicConnection c, final long seq, final long deviceTime, final byte[] in, final int argc,
        final int[] argOffset, final int[] argLength)
    {
        final int q = queueOf(c, in, argc, argOffset, argLength);
        int length = RingDescriptor.ARGUMENTS_OFFSET;
        for (int i = 0; i < argc; i++)
        {
            length += 4 + argLength[i];
        }
        // A request longer than a ring message (a large SET; the reader refused those longer than a shard's memory)
        // makes a run of its own, which end() puts on the ring in pieces.
        final int max = queues[q].maxMessage();
        if (runQueue >= 0 && (runQueue != q || runLength + length > max))
        {
            end();
        }
        final ExpandableArrayBuffer b = run;
        if (runQueue < 0)
        {
            runQueue = q;
            runCount = 0;
            b.putInt(RingDescriptor.CONNECTION_OFFSET, c.id);
            b.putLong(RingDescriptor.SEQUENCE_OFFSET, seq);
            b.putLong(RingDescriptor.DEVICE_TIME_OFFSET, deviceTime);
            b.putInt(RingDescriptor.FLAGS_OFFSET, c.protocol == 3 ? RingDescriptor.FLAG_RESP3 : 0);
            runLength = RingDescriptor.REQUEST_HEADER;
        }
        int at = runLength;
        b.putInt(at + RingDescriptor.ARGC_OFFSET, argc);
        b.putInt(at + RingDescriptor.HASHED_ARGUMENT_OFFSET, hashedArgument);
        b.putInt(at + RingDescriptor.KEY_HASH_OFFSET, keyHash);
        at += RingDescriptor.ARGUMENTS_OFFSET;
        for (int i = 0; i < argc; i++)
        {
            b.putInt(at, argLength[i]);
            b.putBytes(at + 4, in, argOffset[i], argLength[i]);
            at += 4 + argLength[i];
        }
        runLength = at;
        runCount++;
        inFlight++;
    }

    /** Puts the open run, if any, on its queue's receive ring, or behind the requests that wait for room. */
    void end()
    {
        if (runQueue < 0)
        {
            return;
        }
        final NicQueue q = queues[runQueue];
        runQueue = -1;
        run.putInt(RingDescriptor.COUNT_OFFSET, runCount);
        final int max = q.maxMessage();
        int at = 0;
        while (runLength - at > max)
        {
            offer(q, RingDescriptor.PIECE, at, max);
            at += max;
        }
        offer(q, RingDescriptor.REQUEST, at, runLength - at);
        if (run.capacity() > 4 * NicConnection.READ_CHUNK)
        {
            // A large request's run: not kept at its size.
            run = new ExpandableArrayBuffer(NicConnection.READ_CHUNK);
        }
        q.fresh = true;
    }

    /** Puts {@code run[at, at + length)} on the ring, or behind the messages that wait for room on it. */
    private void offer(final NicQueue q, final int type, final int at, final int length)
    {
        if (!q.overflow.isEmpty() || !q.rx().write(type, run, at, length))
        {
            final byte[] m = new byte[length];
            run.getBytes(at, m);
            q.overflow.addLast(new NicQueue.Waiting(type, m));
            overflowBytes += m.length;
        }
    }

    /** The queue the filter picks for the request the reader found; notes the key hash it routed by, if any. */
    private int queueOf(final NicConnection c, final byte[] in, final int argc, final int[] argOffset,
        final int[] argLength)
    {
        final NicFilter.Rule rule = table.get(in, argOffset[0], argLength[0]);
        final NicFilter.Action a = rule == null ? filter.otherwise() : rule.action();
        endsConnection = rule != null && rule.endsConnection();
        hashedArgument = 0;
        keyHash = 0;
        return switch (a.kind())
        {
            case TO_QUEUE -> a.value();
            case BY_CONNECTION -> c.id % queues.length;
            case BY_ARGUMENT ->
            {
                final int i = a.value();
                if (i >= argc)
                {
                    yield 0;
                }
                hashedArgument = i;
                keyHash = KeyHash.fnv1a(in, argOffset[i], argLength[i]);
                yield KeyHash.shardOf(keyHash, queues.length);
            }
        };
    }

    /** Moves requests that waited for room onto their rings, in order; returns how many runs moved. */
    int drainOverflow()
    {
        int moved = 0;
        for (final NicQueue q : queues)
        {
            NicQueue.Waiting m;
            while ((m = q.overflow.peekFirst()) != null)
            {
                if (!q.rx().write(m.type(), new UnsafeBuffer(m.bytes()), 0, m.bytes().length))
                {
                    break;
                }
                q.overflow.pollFirst();
                overflowBytes -= m.bytes().length;
                q.fresh = true;
                moved++;
            }
        }
        wakeCores();
        return moved;
    }

    /** Wakes the cores whose rings got requests since they were last woken. */
    void wakeCores()
    {
        for (final NicQueue q : queues)
        {
            if (q.fresh)
            {
                q.fresh = false;
                q.wakeConsumer();
            }
        }
    }

}
