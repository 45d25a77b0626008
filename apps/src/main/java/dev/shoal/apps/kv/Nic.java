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
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Int2ObjectHashMap;

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
 * <p>This class is the server loop: accepting, reading, parsing ({@link RespReader}), the session
 * ({@link NicSession}) and the limits; the run batching is {@link NicRuns} and the reply ordering {@link NicReplies}.
 *
 * <p>Costs per request are kept to those of a single-threaded server: one read and one write system call per
 * pipelined batch of a connection (replies are held until the batch is answered, {@link NicReplies#flush}), one
 * ring message each way per run of a batch's requests that go to one core ({@link RingDescriptor}), no objects on
 * the common
 * path, and no selector wake-up while replies are due: the NIC polls the transmit rings briefly instead, yielding
 * between polls ({@link #awaitReplies}), and sleeps in the selector only when the cores are idle or slow, and only
 * then does a core's {@link #kick()} cost a system call.
 */
final class Nic implements AutoCloseable, NicRegisters
{
    private static final int READ_CHUNK = 64 << 10;
    /** Redis's maxclients: connections past it get Redis's error and are closed. */
    static final int MAX_CLIENTS = 10_000;
    private static final byte[] MAX_CLIENTS_REACHED =
        "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);
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
    private final CountDownLatch ready;
    private final RespReader reader;
    private final NicSession session;
    private static final byte[] UNWATCH = "UNWATCH".getBytes(StandardCharsets.US_ASCII);
    private static final int[] UNWATCH_OFFSETS = {0};
    private static final int[] UNWATCH_LENGTHS = {UNWATCH.length};
    private final Int2ObjectHashMap<NicConnection> connections = new Int2ObjectHashMap<>();
    /** NicConnections not read while the overflow is over its limit. */
    private final List<NicConnection> paused = new ArrayList<>();
    /** Connections whose next request waits for their earlier ones to be answered ({@link #parse}). */
    private final List<NicConnection> barred = new ArrayList<>();
    private static final byte[] EXEC = "EXEC".getBytes(StandardCharsets.US_ASCII);
    /** Registers for INFO (written by the NIC's thread only). */
    private volatile int connectedClients;
    private volatile long totalConnections;
    private volatile long protocolErrors;
    /** Direct, so that a read lands in it without the JDK's copy through a temporary native buffer. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_CHUNK);
    private volatile NicFilter filter;
    private volatile boolean running = true;
    private volatile boolean sleeping;
    /** The run batching, set up when the NIC starts (the filter is installed by then). */
    private NicRuns runs;
    private final NicReplies replies;
    private Thread thread;
    private int nextConnection;
    /** The longest request (in ring bytes) the NIC takes: a shard's memory. */
    private final int maxRequestBytes;
    /**
     * What the connections' input buffers may hold beyond their first {@link NicConnection#READ_CHUNK} together
     * (partial large requests): four shards' memory. A large request that would pass it is refused with -OOM as
     * it arrives, as one over a shard's memory is, so that many clients sending large values at once cannot
     * exhaust the NIC's memory.
     */
    private final long inputBudget;
    /** The sum of {@link NicConnection#largeInput()} over the connections. */
    private long largeInput;

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port).
     *
     * @throws IllegalArgumentException when the port cannot be bound, naming it.
     */
    Nic(final int port, final int queueCount, final int ringBytes, final long maxRequestBytes,
        final ClientLimits limits, final Runnable onShutdown)
    {
        this.limits = limits;
        this.queues = new NicQueue[queueCount];
        for (int i = 0; i < queueCount; i++)
        {
            queues[i] = new NicQueue(i, this, ringBytes);
        }
        this.replies = new NicReplies(queues, limits, connections, () -> runs, this::drop, () ->
        {
            running = false;
            onShutdown.run();
        });
        this.ready = new CountDownLatch(queueCount + 1);
        // A request longer than a ring message goes in pieces; one longer than a shard's memory could never be
        // stored, and is refused as it arrives instead of being buffered.
        this.maxRequestBytes = (int)Math.min(Integer.MAX_VALUE - 64, Math.max(maxRequestBytes,
            queues[0].maxMessage() - RingDescriptor.REQUEST_HEADER));
        this.reader = new RespReader(this.maxRequestBytes);
        this.inputBudget = 4L * this.maxRequestBytes;
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
    @Override
    public ClientLimits limits()
    {
        return limits;
    }

    /** When the NIC started (host ms), and the process's CPU time in µs, user and system, sampled by its thread. */
    private final long startedAt = System.currentTimeMillis();
    private volatile long cpuUserMicros;
    private volatile long cpuSystemMicros;
    private long cpuSampledAt;

    /** The process's CPU time as the NIC last sampled it (at most a second old): µs of user and of system time. */
    @Override
    public long[] cpuMicros()
    {
        return new long[] {cpuUserMicros, cpuSystemMicros};
    }

    /** Seconds since the NIC started, as it last sampled them; any thread (a core reads no host clock). */
    @Override
    public long uptimeSeconds()
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
    @Override
    public int connectedClients()
    {
        return connectedClients;
    }

    /** NicConnections accepted since the start; any thread. */
    @Override
    public long totalConnections()
    {
        return totalConnections;
    }

    /** NicConnections closed for a protocol error; any thread. */
    @Override
    public long protocolErrors()
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
        runs = new NicRuns(queues, filter);
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
                int work = replies.drain();
                work += drainOverflow();
                if (!barred.isEmpty())
                {
                    work += releaseBarred();
                    runs.wakeCores();
                }
                if (work > 0)
                {
                    replies.flush(false);
                    selector.selectNow();
                }
                else if (runs.inFlight() == 0 || selector.selectNow() == 0)
                {
                    // Nothing to read (with requests in the cores, new input is read first while they work):
                    // wait a little for the cores' replies, then sleep.
                    if (runs.inFlight() > 0 && awaitReplies() > 0)
                    {
                        replies.flush(false);
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
                            replies.dirtyOnce(c);
                        }
                        if (key.isReadable() && !c.ending)
                        {
                            try
                            {
                                read(c);
                            }
                            catch (final RuntimeException | OutOfMemoryError ex)
                            {
                                // A bug or spent memory while serving one client closes that client, not the NIC.
                                System.err.println("kv: closing client " + c.id + ": " + ex);
                                drop(c);
                            }
                            // The cores start on these while the NIC reads the next connection.
                            runs.wakeCores();
                        }
                    }
                }
                runs.wakeCores();
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
        replies.flush(true);
        sleeping = true;
        VarHandle.fullFence();
        if (replies.any())
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
            final int n = replies.drain();
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
            if (connections.size() >= MAX_CLIENTS)
            {
                // Redis's answer at maxclients; the socket is still blocking, and the line fits its buffer.
                try (SocketChannel refused = ch)
                {
                    refused.write(ByteBuffer.wrap(MAX_CLIENTS_REACHED.clone()));
                }
                catch (final IOException ex)
                {
                    // Gone already.
                }
                continue;
            }
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
        if (runs.overflowBytes() > OVERFLOW_LIMIT)
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
        final long before = c.largeInput();
        c.append(readBuffer.flip());
        largeInput += c.largeInput() - before;
        parse(c, System.currentTimeMillis());
    }

    /**
     * Routes the complete requests in {@code c}'s input, in order. A request whose keys may lie on other cores than
     * the requests before it (a multi-key command, one that touches every shard, EXEC) waits until those are answered:
     * the connection's requests go to different cores' rings, which keep order only within one ring, and Redis
     * runs a connection's commands in order (a pipelined {@code SET b 1} then {@code MGET a b} must see b). It stays
     * in the input, and the connection is not read until {@link #releaseBarred} parses it again.
     */
    private void parse(final NicConnection c, final long deviceTime)
    {
        final long maxBulk = limits.protoMaxBulkLen;
        final long queryLimit = limits.queryBufferLimit;
        final RespReader.Skip skip = c.skip;
        int p = c.inStart;
        while (true)
        {
            reader.unauthenticated = !c.authenticated && limits.passwordRequired();
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
                // Others' partial large requests leave this one the rest of the input budget (never less than a
                // ring message).
                reader.maxFrame = Math.min(maxRequestBytes, Math.max(queues[0].maxMessage() -
                    RingDescriptor.REQUEST_HEADER, inputBudget - (largeInput - c.largeInput())));
                r = reader.parse(c.in, p, c.inEnd, maxBulk, queryLimit, skip);
                if (r == RespReader.NEED_MORE)
                {
                    break;
                }
            }
            if (r == RespReader.OVER_LIMIT)
            {
                // As Redis closes a client whose query buffer passes client-query-buffer-limit: no reply.
                runs.end();
                drop(c);
                return;
            }
            if (r == RespReader.EMPTY)
            {
                p = reader.end;
                continue;
            }
            if (r != RespReader.ERROR && r != RespReader.TOO_BIG && c.nextToSend != c.nextSequence &&
                needsOrder(c))
            {
                bar(c);
                break;
            }
            final long seq = c.nextSequence++;
            if (r == RespReader.ERROR)
            {
                // Where the bad frame ends is unknown, so nothing after it can be trusted as a request: one
                // error, then the connection closes (Redis's answer to a protocol error; no request smuggling).
                runs.end();
                protocolErrors = protocolErrors + 1;
                replies.deliver(c, seq, error(reader.error));
                endConnection(c, seq);
                p = c.inEnd;
                break;
            }
            if (r == RespReader.TOO_BIG)
            {
                // Well formed but larger than a shard's whole memory, so it could never be stored: refused with
                // Redis's out-of-memory error, and its remaining bytes are discarded as they come
                // (RespReader.skip), never buffered and never read as requests.
                runs.end();
                replies.deliver(c, seq, error(OUT_OF_MEMORY));
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
                runs.add(c, seq, deviceTime, txn, where[0].length, where[0], where[1]);
                continue;
            }
            if (answer != null)
            {
                // The session's own (HELLO, AUTH, CLIENT, or NOAUTH): answered here, in its place in the order.
                runs.end();
                replies.deliver(c, seq, answer);
                continue;
            }
            route(c, seq, deviceTime);
            if (runs.endsConnection())
            {
                // The filter makes this the connection's last request: what follows is dropped unread, as Redis
                // drops what a client sends after QUIT, and the connection closes once this reply is out.
                endConnection(c, seq);
                p = c.inEnd;
                break;
            }
        }
        runs.end();
        if (!c.closed)
        {
            final long held = c.largeInput();
            c.consumed(p);
            largeInput += c.largeInput() - held;
        }
    }

    /**
     * Whether the request the reader found must wait for the connection's earlier requests: it may read or write
     * keys on other cores than theirs (see {@link #parse}). Commands queued inside MULTI are answered here and wait
     * for nothing; EXEC, which runs them across shards, waits.
     */
    private boolean needsOrder(final NicConnection c)
    {
        final int name = reader.argOffset[0];
        final int length = reader.argLength[0];
        if (length == EXEC.length && isExec(c.in, name))
        {
            return c.multi;
        }
        if (c.multi)
        {
            return false;
        }
        final Command command = Command.of(c.in, name, length);
        return command != null && (command.span != Command.Span.NONE || command.route == Command.Route.CORE0);
    }

    /** Whether the 4 bytes at {@code offset} spell EXEC in any letter case. */
    private static boolean isExec(final byte[] b, final int offset)
    {
        for (int i = 0; i < EXEC.length; i++)
        {
            if ((b[offset + i] & ~0x20) != EXEC[i])
            {
                return false;
            }
        }
        return true;
    }

    /** {@code c} waits for its requests in the cores before it goes on: it is not read until they are answered. */
    private void bar(final NicConnection c)
    {
        if (!c.barred)
        {
            c.barred = true;
            barred.add(c);
            c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_READ);
        }
    }

    /** Goes on with the connections whose requests are all answered: parses what waited, then reads them again. */
    private int releaseBarred()
    {
        int released = 0;
        for (int i = barred.size() - 1; i >= 0; i--)
        {
            final NicConnection c = barred.get(i);
            if (!c.closed && c.nextToSend != c.nextSequence)
            {
                continue;
            }
            barred.remove(i);
            c.barred = false;
            released++;
            if (c.closed)
            {
                continue;
            }
            parse(c, System.currentTimeMillis());
            if (!c.closed && !c.barred && !c.ending && !c.paused)
            {
                c.key.interestOps(c.key.interestOps() | SelectionKey.OP_READ);
            }
        }
        return released;
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

    /** Redis's answer to a write that passes maxmemory; the cores answer the same when a shard is full. */
    static final String OUT_OF_MEMORY = "OOM command not allowed when used memory > 'maxmemory'.";

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
        runs.add(c, seq, deviceTime, c.in, reader.argc, reader.argOffset, reader.argLength);
    }

    /** Moves waiting runs onto their rings; reads the clients paused for them again once few are left. */
    private int drainOverflow()
    {
        final int moved = runs.drainOverflow();
        if (!paused.isEmpty() && runs.overflowBytes() <= OVERFLOW_LIMIT / 2)
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
            runs.end();
            runs.add(c, c.nextSequence++, System.currentTimeMillis(), UNWATCH, 1, UNWATCH_OFFSETS, UNWATCH_LENGTHS);
            runs.end();
        }
        c.closed = true;
        c.pending.clear();
        c.out = NicConnection.EMPTY_OUTPUT;
        connections.remove(c.id);
        largeInput -= c.largeInput();
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
