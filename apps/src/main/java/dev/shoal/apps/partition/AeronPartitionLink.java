package dev.shoal.apps.partition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.kernel.PartitionLink;
import dev.shoal.kernel.TraceRecorder;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;

/**
 * A {@link PartitionLink} over Aeron: one publication to each other partition (all its rings, doorbells and votes
 * multiplexed on it, so what a partition sends keeps its order) and one subscription for this partition. A
 * receiving thread polls the subscription, notes when each peer was last heard of and queues each peer's messages
 * in order; the engine's partition thread takes them at barriers. A heartbeat thread tells every peer this one is
 * alive and ends the run, through {@code failure}, when a peer has been silent for longer than the bound.
 *
 * <p>Sends may come from the partition thread, the host thread and the heartbeat thread: Aeron's publications are
 * thread-safe; each thread encodes into its own buffer.
 */
public final class AeronPartitionLink implements PartitionLink, AutoCloseable
{
    /** The stream of partition {@code p} is {@code STREAM_BASE + p}. */
    static final int STREAM_BASE = 1000;
    private static final long HEARTBEAT_MILLIS = 200;

    private final Aeron aeron;
    private final int self;
    private final int count;
    private final Publication[] publications;
    private final Subscription subscription;
    private final List<ConcurrentLinkedQueue<byte[]>> queues = new ArrayList<>();
    private final AtomicLongArray lastHeard;
    private final long timeoutNanos;
    private final Consumer<String> reportFailure;
    private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Thread receiver;
    private final Thread heartbeat;
    private final ThreadLocal<UnsafeBuffer> encoders =
        ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[4096]));
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong messagesSent = new AtomicLong();
    /** A peer never heard of yet is given this long to start (a JVM starting on a busy host). */
    private static final long STARTUP_NANOS = TimeUnit.SECONDS.toNanos(60);
    private final long created;
    private volatile boolean closed;
    /** The failure that ended the run, once there was one. */
    private volatile String failureLine;
    private volatile int[] partitionOfCore;
    /** The thread waiting in {@link #take} for a message (the partition thread, or the host's), or null. */
    private volatile Thread waiter;

    /**
     * @param channelTo  the Aeron channel of each partition's subscription.
     * @param failure    told, in one line, that a peer stopped answering; expected to end the process.
     */
    public AeronPartitionLink(final Aeron aeron, final int self, final int count, final IntFunction<String> channelTo,
        final long timeoutMillis, final Consumer<String> failure)
    {
        this.aeron = aeron;
        this.self = self;
        this.count = count;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.reportFailure = failure;
        this.lastHeard = new AtomicLongArray(count);
        this.subscription = aeron.addSubscription(channelTo.apply(self), STREAM_BASE + self);
        this.publications = new Publication[count];
        this.created = System.nanoTime();
        for (int p = 0; p < count; p++)
        {
            queues.add(new ConcurrentLinkedQueue<>());
            if (p != self)
            {
                publications[p] = aeron.addPublication(channelTo.apply(p), STREAM_BASE + p);
            }
        }
        receiver = Thread.ofPlatform().daemon(true).name("shoal-partition-" + self + "-receiver").start(this::receive);
        heartbeat = Thread.ofPlatform().daemon(true).name("shoal-partition-" + self + "-heartbeat")
            .start(this::beat);
    }

    @Override
    public int self()
    {
        return self;
    }

    @Override
    public int count()
    {
        return count;
    }

    /** Bytes and Aeron messages this partition sent so far (for the measurements). */
    public long bytesSent()
    {
        return bytesSent.get();
    }

    public long messagesSent()
    {
        return messagesSent.get();
    }

    @Override
    public void layout(final int[] partitionOfCore)
    {
        this.partitionOfCore = partitionOfCore;
    }

    /** "partition 1 (cores 32-63)", or "partition 1" before any machine was laid out. */
    public String describe(final int partition)
    {
        final int[] plan = partitionOfCore;
        int first = -1;
        int last = -1;
        if (plan != null)
        {
            for (int c = 0; c < plan.length; c++)
            {
                if (plan[c] == partition)
                {
                    first = first < 0 ? c : first;
                    last = c;
                }
            }
        }
        return "partition " + partition + (first < 0 ? "" : " (cores " + first + "-" + last + ")");
    }

    @Override
    public void announce(final String machine)
    {
        for (int p = 0; p < count; p++)
        {
            if (p != self)
            {
                sendText(p, Wire.MACHINE, machine);
            }
        }
    }

    @Override
    public void sendLine(final int partition, final long address, final byte[] line)
    {
        final UnsafeBuffer b = start(Wire.LINE);
        b.putLong(Wire.LINE_ADDRESS, address);
        b.putBytes(Wire.LINE_BYTES, line, 0, 64);
        send(partition, b, Wire.LINE_LENGTH);
    }

    @Override
    public void sendDoorbell(final int partition, final int core, final long channel)
    {
        final UnsafeBuffer b = start(Wire.DOORBELL);
        b.putInt(Wire.DOORBELL_CORE, core);
        b.putLong(Wire.DOORBELL_CHANNEL, channel);
        send(partition, b, Wire.DOORBELL_LENGTH);
    }

    @Override
    public void sendStart(final int partition, final int core, final long argument, final byte[] line, final long at)
    {
        final UnsafeBuffer b = start(Wire.START);
        b.putInt(Wire.START_CORE, core);
        b.putLong(Wire.START_ARGUMENT, argument);
        b.putLong(Wire.START_AT, at);
        b.putBytes(Wire.START_LINE, line, 0, 64);
        send(partition, b, Wire.START_LENGTH);
    }

    @Override
    public void sendRequest(final int partition, final int core, final long at, final long id, final byte[] request)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Wire.REQUEST_BYTES + request.length]);
        b.putByte(Wire.TYPE_OFFSET, Wire.REQUEST);
        b.putByte(Wire.FROM_OFFSET, (byte)self);
        b.putInt(Wire.REQUEST_CORE, core);
        b.putLong(Wire.REQUEST_AT, at);
        b.putLong(Wire.REQUEST_ID, id);
        b.putBytes(Wire.REQUEST_BYTES, request);
        send(partition, b, b.capacity());
    }

    @Override
    public void sendReply(final long id, final byte[] reply)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Wire.REPLY_BYTES + reply.length]);
        b.putByte(Wire.TYPE_OFFSET, Wire.REPLY);
        b.putByte(Wire.FROM_OFFSET, (byte)self);
        b.putLong(Wire.REPLY_ID, id);
        b.putBytes(Wire.REPLY_BYTES, reply);
        send(0, b, b.capacity());
    }

    @Override
    public void sendTraceLines(final byte[] lines)
    {
        final int chunk = Wire.TRACE_CHUNK * TraceRecorder.LINE_BYTES;
        for (int from = 0; from < lines.length; from += chunk)
        {
            final int length = Math.min(chunk, lines.length - from);
            final UnsafeBuffer b = new UnsafeBuffer(new byte[Wire.BODY_OFFSET + length]);
            b.putByte(Wire.TYPE_OFFSET, Wire.TRACE_LINES);
            b.putByte(Wire.FROM_OFFSET, (byte)self);
            b.putBytes(Wire.BODY_OFFSET, lines, from, length);
            send(0, b, b.capacity());
        }
    }

    @Override
    public void sendTimelineEvents(final byte[] events)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Wire.BODY_OFFSET + events.length]);
        b.putByte(Wire.TYPE_OFFSET, Wire.TIMELINE_EVENTS);
        b.putByte(Wire.FROM_OFFSET, (byte)self);
        b.putBytes(Wire.BODY_OFFSET, events);
        send(0, b, b.capacity());
    }

    private static byte[] tail(final UnsafeBuffer m, final int from)
    {
        final byte[] bytes = new byte[m.capacity() - from];
        m.getBytes(from, bytes);
        return bytes;
    }

    @Override
    public Vote[] exchange(final Vote vote, final Inbound inbound)
    {
        final UnsafeBuffer b = start(Wire.VOTE);
        b.putLong(Wire.VOTE_EARLIEST, vote.earliest());
        b.putLong(Wire.VOTE_LATEST, vote.latest());
        b.putByte(Wire.VOTE_POSTED, (byte)(vote.posted() ? 1 : 0));
        b.putByte(Wire.VOTE_EXIT, (byte)(vote.exit() ? 1 : 0));
        int length = Wire.VOTE_LENGTH;
        final long[] landings = vote.landings();
        if (landings != null)
        {
            b.putInt(Wire.VOTE_LANDINGS_COUNT, landings.length);
            for (int p = 0; p < landings.length; p++)
            {
                b.putLong(Wire.VOTE_LANDINGS + 8 * p, landings[p]);
            }
            length = Wire.VOTE_LANDINGS + 8 * landings.length;
        }
        for (int p = 0; p < count; p++)
        {
            if (p != self)
            {
                send(p, b, length);
            }
        }
        final Vote[] votes = new Vote[count];
        votes[self] = vote;
        for (int p = 0; p < count; p++)
        {
            while (p != self && votes[p] == null)
            {
                final UnsafeBuffer m = new UnsafeBuffer(take(p));
                switch (m.getByte(Wire.TYPE_OFFSET))
                {
                    case Wire.LINE -> inbound.line(m.getLong(Wire.LINE_ADDRESS), m.byteArray(), Wire.LINE_BYTES);
                    case Wire.DOORBELL -> inbound.doorbell(m.getInt(Wire.DOORBELL_CORE),
                        m.getLong(Wire.DOORBELL_CHANNEL));
                    case Wire.START -> inbound.start(m.getInt(Wire.START_CORE), m.getLong(Wire.START_ARGUMENT),
                        m.byteArray(), Wire.START_LINE, m.getLong(Wire.START_AT));
                    case Wire.REQUEST -> inbound.request(m.getInt(Wire.REQUEST_CORE), m.getLong(Wire.REQUEST_AT),
                        m.getLong(Wire.REQUEST_ID), tail(m, Wire.REQUEST_BYTES));
                    case Wire.TRACE_LINES -> inbound.traceLines(m.byteArray(), Wire.BODY_OFFSET,
                        m.capacity() - Wire.BODY_OFFSET);
                    case Wire.TIMELINE_EVENTS -> inbound.timelineEvents(m.byteArray(), Wire.BODY_OFFSET,
                        m.capacity() - Wire.BODY_OFFSET);
                    case Wire.REPLY -> inbound.reply(m.getLong(Wire.REPLY_ID), tail(m, Wire.REPLY_BYTES));
                    case Wire.HASHES ->
                    {
                        for (int i = 0, n = m.getInt(Wire.HASHES_COUNT), at = Wire.HASHES_FIRST; i < n;
                            i++, at += Wire.HASH_ENTRY)
                        {
                            inbound.hashes(m.getInt(at), m.getLong(at + 4), m.getLong(at + 12));
                        }
                    }
                    case Wire.VOTE -> votes[p] = new Vote(m.getLong(Wire.VOTE_EARLIEST), m.getLong(Wire.VOTE_LATEST),
                        m.getByte(Wire.VOTE_POSTED) != 0, m.getByte(Wire.VOTE_EXIT) != 0, landings(m));
                    default -> throw new IllegalStateException(describe(p) + " sent message type " +
                        m.getByte(Wire.TYPE_OFFSET) + " inside a window");
                }
            }
        }
        return votes;
    }

    /** The landings a coordinator's vote carries, or null. */
    private static long[] landings(final UnsafeBuffer vote)
    {
        if (vote.capacity() <= Wire.VOTE_LENGTH)
        {
            return null;
        }
        final long[] landings = new long[vote.getInt(Wire.VOTE_LANDINGS_COUNT)];
        for (int p = 0; p < landings.length; p++)
        {
            landings[p] = vote.getLong(Wire.VOTE_LANDINGS + 8 * p);
        }
        return landings;
    }

    @Override
    public void sendHashes(final int[] cores, final TraceRecorder trace)
    {
        final int chunk = Math.min(cores.length, Wire.HASH_CHUNK);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Wire.HASHES_FIRST + chunk * Wire.HASH_ENTRY]);
        b.putByte(Wire.TYPE_OFFSET, Wire.HASHES);
        b.putByte(Wire.FROM_OFFSET, (byte)self);
        int inChunk = 0;
        for (final int c : cores)
        {
            if (inChunk == Wire.HASH_CHUNK)
            {
                sendHashes(b, inChunk, true);
                inChunk = 0;
            }
            final int at = Wire.HASHES_FIRST + inChunk * Wire.HASH_ENTRY;
            b.putInt(at, c);
            b.putLong(at + 4, trace.coreEvents(c));
            b.putLong(at + 12, trace.coreHash(c));
            inChunk++;
        }
        sendHashes(b, inChunk, false);
    }

    /** One chunk of this partition's per-core hashes: {@code entries} of them, and whether more chunks follow. */
    private void sendHashes(final UnsafeBuffer b, final int entries, final boolean more)
    {
        b.putInt(Wire.HASHES_COUNT, entries);
        b.putInt(Wire.HASHES_MORE, more ? 1 : 0);
        send(0, b, Wire.HASHES_FIRST + entries * Wire.HASH_ENTRY);
    }

    @Override
    public void abort(final String why)
    {
        if (!closed)
        {
            failure(why);
        }
    }

    /** Reports the first failure only: whatever follows from it (a wait that throws, the engine stopping) is not news. */
    private void failure(final String line)
    {
        if (failed.compareAndSet(false, true))
        {
            failureLine = line;
            reportFailure.accept(line);
        }
    }

    /** Sends a control message with a text body. */
    void sendText(final int partition, final byte type, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Wire.BODY_OFFSET + bytes.length]);
        b.putByte(Wire.TYPE_OFFSET, type);
        b.putByte(Wire.FROM_OFFSET, (byte)self);
        b.putBytes(Wire.BODY_OFFSET, bytes);
        send(partition, b, b.capacity());
    }

    /**
     * The next message from {@code partition}, waiting at most the link's bound (then {@code failure}). A thread
     * that waits here parks as its own {@link #waiter}, so that the receiver unparks it as soon as a message is
     * queued: a message crossing costs the receiver's poll, not the waiter's back-off too (the kv appliance's
     * deliveries wait on a few such crossings each).
     */
    byte[] take(final int partition)
    {
        final ConcurrentLinkedQueue<byte[]> queue = queues.get(partition);
        final IdleStrategy idle = new BackoffIdleStrategy(200, 20, 1_000, 200_000);
        byte[] m;
        while ((m = queue.poll()) == null)
        {
            checkAlive(partition);
            waiter = Thread.currentThread();
            if (queue.isEmpty())
            {
                idle.idle();
            }
            waiter = null;
        }
        return m;
    }

    static byte type(final byte[] message)
    {
        return message[Wire.TYPE_OFFSET];
    }

    static String text(final byte[] message)
    {
        return new String(message, Wire.BODY_OFFSET, message.length - Wire.BODY_OFFSET, StandardCharsets.UTF_8);
    }

    private void checkAlive(final int partition)
    {
        if (closed)
        {
            throw new IllegalStateException("the partition link is closed");
        }
        final String line = failureLine;
        if (line != null)
        {
            // The run ends: nothing waited for on this link will come.
            throw new IllegalStateException(line);
        }
        if (silent(partition))
        {
            failure(describe(partition) + " stopped answering for " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            throw new IllegalStateException(describe(partition) + " stopped answering");
        }
    }

    /** Heard of within the bound (or, never heard of, created within the start-up bound). */
    private boolean silent(final int partition)
    {
        final long heard = lastHeard.get(partition);
        final long now = System.nanoTime();
        return heard == 0 ? now - created > STARTUP_NANOS : now - heard > timeoutNanos;
    }

    /** Whether {@code partition} was heard of at all. */
    boolean heardFrom(final int partition)
    {
        return lastHeard.get(partition) != 0;
    }

    private UnsafeBuffer start(final byte type)
    {
        final UnsafeBuffer b = encoders.get();
        b.putByte(Wire.TYPE_OFFSET, type);
        b.putByte(Wire.FROM_OFFSET, (byte)self);
        return b;
    }

    private void send(final int partition, final DirectBuffer b, final int length)
    {
        final Publication publication = publications[partition];
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        while (true)
        {
            final long result = publication.offer(b, 0, length);
            if (result > 0)
            {
                bytesSent.addAndGet(length);
                messagesSent.incrementAndGet();
                return;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED || closed)
            {
                throw new IllegalStateException("cannot send to " + describe(partition) + ": publication " +
                    (closed ? "closed" : Publication.errorString(result)));
            }
            // Back-pressure (the peer has not taken what it was sent) or not connected yet: wait, within the bound.
            checkAlive(partition);
            idle.idle();
        }
    }

    private void receive()
    {
        final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
        final IdleStrategy idle = new BackoffIdleStrategy(1_000, 50, 1_000, 100_000);
        while (!closed)
        {
            try
            {
                idle.idle(subscription.poll(assembler, 256));
            }
            catch (final RuntimeException ex)
            {
                if (!closed)
                {
                    failure("partition " + self + " cannot receive: " + ex.getMessage());
                }
                return;
            }
        }
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int from = buffer.getByte(offset + Wire.FROM_OFFSET);
        if (from < 0 || from >= count)
        {
            return;
        }
        lastHeard.set(from, System.nanoTime());
        if (buffer.getByte(offset + Wire.TYPE_OFFSET) == Wire.HEARTBEAT)
        {
            return;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        queues.get(from).add(copy);
        final Thread waiting = waiter;
        if (waiting != null)
        {
            LockSupport.unpark(waiting);
        }
    }

    private void beat()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[BitUtil.align(Wire.BODY_OFFSET, 8)]);
        b.putByte(Wire.TYPE_OFFSET, Wire.HEARTBEAT);
        b.putByte(Wire.FROM_OFFSET, (byte)self);
        while (!closed)
        {
            for (int p = 0; p < count; p++)
            {
                if (p != self)
                {
                    publications[p].offer(b, 0, b.capacity());
                    if (silent(p) && !closed)
                    {
                        failure(describe(p) + " stopped answering for " +
                            TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                        return;
                    }
                }
            }
            try
            {
                Thread.sleep(HEARTBEAT_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    @Override
    public void close()
    {
        closed = true;
        heartbeat.interrupt();
        try
        {
            receiver.join(2_000);
            heartbeat.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final Publication p : publications)
        {
            if (p != null)
            {
                p.close();
            }
        }
        subscription.close();
    }
}
