package dev.shoal.apps.kv;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.MessageHandler;

/**
 * A simulated network card on the host: it accepts TCP connections on 127.0.0.1, cuts each connection's bytes into
 * RESP requests, asks the installed {@link NicFilter} which core's receive queue each goes to, and puts it there
 * stamped with the connection, a per-connection sequence number and the device time. Replies come back on each
 * core's transmit queue and leave in request order: a reply that overtakes an earlier request's (answered by
 * another core) waits until that one is sent. A malformed frame is answered here, in its place in the order.
 *
 * <p>It is a device outside the cores, so it runs on its own host thread ({@code nic}, one NIO selector) and may read
 * the host clock. Nothing but bytes crosses between it and the cores ({@link NicQueue}). It starts serving once
 * the filter is installed and every queue has its consumer.
 *
 * <p>Costs per request are kept to those of a single-threaded server: one read and one write system call per
 * pipelined batch of a connection (replies are held until the batch is answered, {@link #flush}), one ring message
 * each way per run of a batch's requests that go to one core ({@link RingDescriptor}), no objects on the common
 * path, and no selector wake-up while replies are due: the NIC polls the transmit rings briefly instead, yielding
 * between polls ({@link #awaitReplies}), and sleeps in the selector only when the cores are idle or slow, and only
 * then does a core's {@link #kick()} cost a system call.
 */
final class Nic implements AutoCloseable
{
    private static final int READ_CHUNK = 64 << 10;
    /** Output a connection may hold back while it still waits for replies ({@link #flush}). */
    private static final int HOLD_LIMIT = 32 << 10;
    /**
     * Polls of the transmit rings while replies are due before the NIC sleeps ({@link #awaitReplies}). Few: a core's
     * {@link #kick()} of a sleeping NIC costs one system call per batch, while a long yield loop cost the NIC ~17 %
     * of its CPU (alternating runs, appliance CPU per pipelined request: 256 polls 1.23-1.29 us, 16 polls 1.03-1.12
     * at the same throughput; 16 polls 0.95-1.16, 4 polls 0.79-1.10 with GET 12-18 % faster; unpipelined alike).
     */
    private static final int REPLY_POLLS = 4;

    /**
     * Requests that found their receive ring full may wait in the NIC up to about this many bytes; past it the NIC
     * reads no more from clients until the cores have taken some, so a client sending faster than the cores work
     * is held back by TCP instead of by the NIC's memory.
     */
    private static final long OVERFLOW_LIMIT = 8 << 20;

    private final NicQueue[] queues;
    private final ClientLimits limits;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Runnable onShutdown;
    private final CountDownLatch ready;
    private final RespReader reader;
    private final NicSession session;
    private static final byte[] UNWATCH = "UNWATCH".getBytes(StandardCharsets.US_ASCII);
    private static final int[] UNWATCH_OFFSETS = {0};
    private static final int[] UNWATCH_LENGTHS = {UNWATCH.length};
    private final Int2ObjectHashMap<NicConnection> connections = new Int2ObjectHashMap<>();
    private final List<NicConnection> dirty = new ArrayList<>();
    /** NicConnections not read while the overflow is over its limit. */
    private final List<NicConnection> paused = new ArrayList<>();
    private long overflowBytes;
    /** Registers for INFO (written by the NIC's thread only). */
    private volatile int connectedClients;
    private volatile long totalConnections;
    private volatile long protocolErrors;
    /** Direct, so that a read lands in it without the JDK's copy through a temporary native buffer. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_CHUNK);
    private final MessageHandler onReply = this::onReply;
    private volatile NicFilter filter;
    private volatile boolean running = true;
    private volatile boolean sleeping;
    private NameTable<NicFilter.Rule> table;
    /**
     * Set by {@link #queueOf}: the argument the request was routed by (0: none), its key hash, and whether the
     * filter makes it its connection's last request.
     */
    private int hashedArgument;
    private int keyHash;
    private boolean endsConnection;
    /**
     * The run being gathered ({@link RingDescriptor}): consecutive requests of the connection being read that go to
     * queue {@link #runQueue} (-1: none open), staged here and put on the ring in one write when it ends.
     */
    private final ExpandableArrayBuffer run = new ExpandableArrayBuffer(READ_CHUNK);
    private int runQueue = -1;
    private int runLength;
    private int runCount;
    private Thread thread;
    private int nextConnection;
    /** Requests routed to the cores and not yet answered. */
    private long inFlight;

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port).
     *
     * @throws IllegalArgumentException when the port cannot be bound, naming it.
     */
    Nic(final int port, final int queueCount, final int ringBytes, final ClientLimits limits,
        final Runnable onShutdown)
    {
        this.onShutdown = onShutdown;
        this.limits = limits;
        this.queues = new NicQueue[queueCount];
        for (int i = 0; i < queueCount; i++)
        {
            queues[i] = new NicQueue(i, this, ringBytes);
        }
        this.ready = new CountDownLatch(queueCount + 1);
        // A request must fit one receive-ring message.
        this.reader = new RespReader(queues[0].maxMessage() - RingDescriptor.REQUEST_HEADER);
        try
        {
            selector = Selector.open();
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress("127.0.0.1", port), 512);
            server.configureBlocking(false);
        }
        catch (final BindException ex)
        {
            throw new IllegalArgumentException("cannot listen on 127.0.0.1:" + port + ": " + ex.getMessage());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot open the NIC's socket: " + ex.getMessage(), ex);
        }
        this.session = new NicSession(limits, port(), queues[0].maxMessage() - RingDescriptor.REQUEST_HEADER);
    }

    int port()
    {
        return server.socket().getLocalPort();
    }

    /** The client limits and password: registers a core may set (CONFIG SET). */
    ClientLimits limits()
    {
        return limits;
    }

    /** When the NIC started (host ms), and the process's CPU time in µs, user and system, sampled by its thread. */
    private final long startedAt = System.currentTimeMillis();
    private volatile long cpuUserMicros;
    private volatile long cpuSystemMicros;
    private long cpuSampledAt;

    /** The process's CPU time as the NIC last sampled it (at most a second old): µs of user and of system time. */
    long[] cpuMicros()
    {
        return new long[] {cpuUserMicros, cpuSystemMicros};
    }

    /** Seconds since the NIC started, as it last sampled them; any thread (a core reads no host clock). */
    long uptimeSeconds()
    {
        return uptimeSeconds;
    }

    private volatile long uptimeSeconds;

    /** NIC thread: samples the process's CPU time once a second, from /proc where there is one. */
    private void sampleCpu()
    {
        final long now = System.currentTimeMillis();
        if (now - cpuSampledAt < 1000)
        {
            return;
        }
        cpuSampledAt = now;
        uptimeSeconds = (now - startedAt) / 1000;
        try
        {
            final String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields 14 and 15 of stat(5), utime and stime, in clock ticks of 1/100 s on Linux.
            cpuUserMicros = Long.parseLong(f[11]) * 10_000;
            cpuSystemMicros = Long.parseLong(f[12]) * 10_000;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os)
            {
                cpuUserMicros = os.getProcessCpuTime() / 1000;
            }
        }
    }

    /** Clients connected now; any thread. */
    int connectedClients()
    {
        return connectedClients;
    }

    /** NicConnections accepted since the start; any thread. */
    long totalConnections()
    {
        return totalConnections;
    }

    /** NicConnections closed for a protocol error; any thread. */
    long protocolErrors()
    {
        return protocolErrors;
    }

    NicQueue queue(final int i)
    {
        return queues[i];
    }

    int queues()
    {
        return queues.length;
    }

    /**
     * Installs a filter given as bytes ({@link NicFilter#encode()}); called by the application, from a core.
     *
     * @throws IllegalArgumentException when it does not validate, or a filter is installed already.
     */
    void installFilter(final byte[] encoded)
    {
        final NicFilter f = NicFilter.decode(encoded.clone(), queues.length);
        synchronized (this)
        {
            if (filter != null)
            {
                throw new IllegalArgumentException("filter: one is installed already");
            }
            filter = f;
        }
        ready.countDown();
    }

    void onAttached()
    {
        ready.countDown();
    }

    /** Host side: waits until the filter is installed and every queue attached. */
    boolean awaitReady(final long millis) throws InterruptedException
    {
        return ready.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Host side: starts serving (call after {@link #awaitReady}). */
    void start()
    {
        table = filter.table();
        thread = new Thread(this::run, "nic");
        thread.setDaemon(true);
        thread.start();
    }

    /** Any thread: replies are waiting in a transmit ring. */
    void kick()
    {
        VarHandle.fullFence();
        if (sleeping)
        {
            selector.wakeup();
        }
    }

    @Override
    public void close()
    {
        running = false;
        selector.wakeup();
        if (thread != null && thread != Thread.currentThread())
        {
            try
            {
                thread.join(5000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        closeAll();
    }

    private void closeAll()
    {
        try
        {
            for (final NicConnection c : connections.values())
            {
                c.channel.close();
            }
            connections.clear();
            server.close();
            selector.close();
        }
        catch (final IOException ex)
        {
            // Closing: nothing left to tell the clients.
        }
    }

    // ------------------------------------------------------------------------------------------------ the loop

    private void run()
    {
        try
        {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (running)
            {
                sampleCpu();
                int work = drainReplies();
                work += drainOverflow();
                if (work > 0)
                {
                    flush(false);
                    selector.selectNow();
                }
                else if (inFlight == 0 || selector.selectNow() == 0)
                {
                    // Nothing to read (with requests in the cores, new input is read first while they work):
                    // wait a little for the cores' replies, then sleep.
                    if (inFlight > 0 && awaitReplies() > 0)
                    {
                        flush(false);
                        continue;
                    }
                    sleep();
                }
                final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext())
                {
                    final SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid())
                    {
                        continue;
                    }
                    if (key.isAcceptable())
                    {
                        accept();
                    }
                    else
                    {
                        final NicConnection c = (NicConnection)key.attachment();
                        if (key.isWritable())
                        {
                            dirtyOnce(c);
                        }
                        if (key.isReadable() && !c.ending)
                        {
                            read(c);
                            // The cores start on these while the NIC reads the next connection.
                            wakeCores();
                        }
                    }
                }
                wakeCores();
            }
        }
        catch (final IOException ex)
        {
            System.err.println("kv: the NIC stopped: " + ex);
        }
        finally
        {
            closeAll();
        }
    }

    /** Writes everything and waits in the selector for input, a writable socket or a core's {@link #kick()}. */
    private void sleep() throws IOException
    {
        flush(true);
        sleeping = true;
        VarHandle.fullFence();
        if (anyReplies())
        {
            selector.selectNow();
        }
        else
        {
            selector.select(1000);
        }
        sleeping = false;
    }

    /**
     * Polls the transmit rings a little while before the NIC sleeps, when the cores hold requests it routed: their
     * replies usually come within microseconds, and catching them here spares each core a selector wake-up (a
     * system call) and the NIC a sleep and wake. Between polls it yields the host CPU rather than spin: on a host
     * with fewer CPUs than busy threads the core that owes the replies may be waiting for this very CPU (measured:
     * spinning first cost 5-20 % more CPU per pipelined request, docs/results.md).
     */
    private int awaitReplies()
    {
        for (int i = 0; i < REPLY_POLLS; i++)
        {
            Thread.yield();
            final int n = drainReplies();
            if (n > 0)
            {
                return n;
            }
        }
        return 0;
    }

    private void accept() throws IOException
    {
        SocketChannel ch;
        while ((ch = server.accept()) != null)
        {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final NicConnection c = new NicConnection(nextConnection++, ch);
            c.connectedAt = c.lastRequestAt = System.currentTimeMillis();
            c.authenticated = !limits.passwordRequired();
            if (ch.getRemoteAddress() instanceof InetSocketAddress a)
            {
                c.remoteAddress = a.getAddress().getHostAddress() + ":" + a.getPort();
            }
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            connections.put(c.id, c);
            connectedClients = connections.size();
            totalConnections = totalConnections + 1;
        }
    }

    private void read(final NicConnection c)
    {
        if (overflowBytes > OVERFLOW_LIMIT)
        {
            // The cores are behind: leave this client's bytes in its socket until they catch up.
            c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_READ);
            c.paused = true;
            paused.add(c);
            return;
        }
        int n;
        try
        {
            readBuffer.clear();
            n = c.channel.read(readBuffer);
        }
        catch (final IOException ex)
        {
            n = -1;
        }
        if (n < 0)
        {
            drop(c);
            return;
        }
        c.append(readBuffer.flip());
        final long deviceTime = System.currentTimeMillis();
        final long maxBulk = limits.protoMaxBulkLen;
        final long queryLimit = limits.queryBufferLimit;
        final RespReader.Skip skip = c.skip;
        int p = c.inStart;
        while (true)
        {
            final int r;
            if (skip.active())
            {
                r = reader.skip(c.in, p, c.inEnd, maxBulk, queryLimit, skip);
                if (r == RespReader.NEED_MORE || r == RespReader.FRAME)
                {
                    p = reader.end;
                    if (r == RespReader.NEED_MORE)
                    {
                        break;
                    }
                    continue;
                }
            }
            else
            {
                r = reader.parse(c.in, p, c.inEnd, maxBulk, queryLimit, skip);
                if (r == RespReader.NEED_MORE)
                {
                    break;
                }
            }
            if (r == RespReader.OVER_LIMIT)
            {
                // As Redis closes a client whose query buffer passes client-query-buffer-limit: no reply.
                endRun();
                drop(c);
                return;
            }
            if (r == RespReader.EMPTY)
            {
                p = reader.end;
                continue;
            }
            final long seq = c.nextSequence++;
            if (r == RespReader.ERROR)
            {
                // Where the bad frame ends is unknown, so nothing after it can be trusted as a request: one
                // error, then the connection closes (Redis's answer to a protocol error; no request smuggling).
                endRun();
                protocolErrors = protocolErrors + 1;
                deliver(c, seq, error(reader.error));
                endConnection(c, seq);
                p = c.inEnd;
                break;
            }
            if (r == RespReader.TOO_BIG)
            {
                // Well formed but larger than a ring message: refused, and its remaining bytes are discarded
                // as they come (RespReader.skip), never buffered and never read as requests.
                endRun();
                deliver(c, seq, error("ERR request too large: the appliance takes requests of up to " +
                    (queues[0].maxMessage() - RingDescriptor.REQUEST_HEADER) + " bytes (one NIC ring message)"));
                p = reader.end;
                continue;
            }
            p = reader.end;
            final byte[] answer = session.handle(c, c.in, reader, connections.values(), deviceTime);
            if (answer == NicSession.ROUTE_TRANSACTION)
            {
                // EXEC: the queued commands go to the connection's home core as one request.
                final int[][] where = new int[2][];
                final byte[] txn = session.transaction(c, where);
                route(c, seq, deviceTime, txn, where[0].length, where[0], where[1]);
                continue;
            }
            if (answer != null)
            {
                // The session's own (HELLO, AUTH, CLIENT, or NOAUTH): answered here, in its place in the order.
                endRun();
                deliver(c, seq, answer);
                continue;
            }
            route(c, seq, deviceTime);
            if (endsConnection)
            {
                // The filter makes this the connection's last request: what follows is dropped unread, as Redis
                // drops what a client sends after QUIT, and the connection closes once this reply is out.
                endConnection(c, seq);
                p = c.inEnd;
                break;
            }
        }
        endRun();
        if (!c.closed)
        {
            c.consumed(p);
        }
    }

    /** Request {@code seq} is the connection's last: nothing more is read, and it closes once that is answered. */
    private void endConnection(final NicConnection c, final long seq)
    {
        c.closeAfter = Math.min(c.closeAfter, seq);
        c.ending = true;
        if (!c.closed)
        {
            c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_READ);
        }
    }

    private byte[] error(final String message)
    {
        return ("-" + message + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Applies the filter to the request the reader found and adds it to the run for its queue: the run open for this
     * connection if it goes to the same queue and there is room, else a new one (the old one goes on its ring).
     */
    private void route(final NicConnection c, final long seq, final long deviceTime)
    {
        route(c, seq, deviceTime, c.in, reader.argc, reader.argOffset, reader.argLength);
    }

    /** As {@link #route(NicConnection, long, long)}, for the request of {@code argc} arguments in {@code in}. */
    private void route(final NicConnection c, final long seq, final long deviceTime, final byte[] in, final int argc,
        final int[] argOffset, final int[] argLength)
    {
        final int q = queueOf(c, in, argc, argOffset, argLength);
        int length = RingDescriptor.ARGUMENTS_OFFSET;
        for (int i = 0; i < argc; i++)
        {
            length += 4 + argLength[i];
        }
        // The reader refused requests longer than a ring message (TOO_BIG).
        final int max = queues[q].maxMessage();
        if (runQueue >= 0 && (runQueue != q || runLength + length > max))
        {
            endRun();
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
    private void endRun()
    {
        if (runQueue < 0)
        {
            return;
        }
        final NicQueue q = queues[runQueue];
        runQueue = -1;
        run.putInt(RingDescriptor.COUNT_OFFSET, runCount);
        if (!q.overflow.isEmpty() || !q.rx().write(RingDescriptor.REQUEST, run, 0, runLength))
        {
            final byte[] m = new byte[runLength];
            run.getBytes(0, m);
            q.overflow.addLast(m);
            overflowBytes += m.length;
        }
        q.fresh = true;
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

    private int drainOverflow()
    {
        int moved = 0;
        for (final NicQueue q : queues)
        {
            byte[] m;
            while ((m = q.overflow.peekFirst()) != null)
            {
                if (!q.rx().write(RingDescriptor.REQUEST, new org.agrona.concurrent.UnsafeBuffer(m), 0, m.length))
                {
                    break;
                }
                q.overflow.pollFirst();
                overflowBytes -= m.length;
                q.fresh = true;
                moved++;
            }
        }
        wakeCores();
        if (!paused.isEmpty() && overflowBytes <= OVERFLOW_LIMIT / 2)
        {
            for (final NicConnection c : paused)
            {
                c.paused = false;
                if (!c.closed && !c.ending)
                {
                    c.key.interestOps(c.key.interestOps() | SelectionKey.OP_READ);
                }
            }
            paused.clear();
        }
        return moved;
    }

    private void wakeCores()
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

    private boolean anyReplies()
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

    private int drainReplies()
    {
        int n = 0;
        for (final NicQueue q : queues)
        {
            n += q.tx().read(onReply, 1024);
        }
        return n;
    }

    private void onReply(final int type, final MutableDirectBuffer b, final int index, final int length)
    {
        final NicConnection c = connections.get(b.getInt(index + RingDescriptor.CONNECTION_OFFSET));
        final long first = b.getLong(index + RingDescriptor.SEQUENCE_OFFSET);
        final int count = b.getInt(index + RingDescriptor.REPLY_COUNT_OFFSET);
        final int at = index + RingDescriptor.REPLY_HEADER;
        final int len = length - RingDescriptor.REPLY_HEADER;
        inFlight -= count;
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
            running = false;
            onShutdown.run();
        }
    }

    /** Sends the reply to request {@code seq} now if every earlier one went, else keeps it until they have. */
    private void deliver(final NicConnection c, final long seq, final byte[] reply)
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
            drop(c);
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
                drop(c);
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

    private void dirtyOnce(final NicConnection c)
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
    private void flush(final boolean all)
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
                    drop(c);
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
                drop(c);
            }
        }
        dirty.subList(kept, dirty.size()).clear();
    }

    private void drop(final NicConnection c)
    {
        if (c.closed)
        {
            return;
        }
        if (c.watching)
        {
            // Its home core keeps its watched keys until told: an UNWATCH whose reply nobody reads.
            c.watching = false;
            endRun();
            route(c, c.nextSequence++, System.currentTimeMillis(), UNWATCH, 1, UNWATCH_OFFSETS, UNWATCH_LENGTHS);
            endRun();
        }
        c.closed = true;
        c.pending.clear();
        c.out = NicConnection.EMPTY_OUTPUT;
        connections.remove(c.id);
        connectedClients = connections.size();
        c.key.cancel();
        try
        {
            c.channel.close();
        }
        catch (final IOException ex)
        {
            // Gone already.
        }
    }
}
