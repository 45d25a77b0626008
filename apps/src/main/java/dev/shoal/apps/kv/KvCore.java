package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.libos.CoreLocalLock;
import dev.shoal.libos.Os;
import dev.shoal.libos.alloc.MappedRegion;
import dev.shoal.libos.alloc.SizeClassAllocator;

/**
 * The appliance on one core: the dispatcher that owns shard {@code self}. It takes requests from its NIC receive
 * queue, runs them against its {@link Shard} (multi-key ones through {@link Peers}), and puts each reply on its
 * transmit queue. When the queue stays empty it yields the core a few times, then parks until the NIC wakes it.
 *
 * <p>Runs on its core only. The commands themselves are {@link Commands}; their table is {@link Command}.
 */
final class KvCore
{
    /** Where the allocator's region starts in the dispatcher's address space. */
    static final long HEAP_BASE = 0x10_0000_0000L;
    static final long CHUNK_BYTES = 1L << 20;
    /** Yields of an empty queue before the dispatcher parks. */
    private static final int IDLE_YIELDS = 4;
    private static final int BATCH = 64;
    /** Replies gathered for one transmit message before it goes, though more requests of the run remain. */
    private static final int FLUSH_BYTES = 64 << 10;

    private final Os os;
    private final CoreQueue queue;
    private final KvAppliance.Settings settings;
    private final int self;
    private final int shards;
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    private final RespWriter out = new RespWriter();
    private final MessageHandler onRequest = this::onMessage;
    /** The pieces of a receive-ring message too long for one ({@link RingDescriptor#PIECE}): a large SET's run. */
    private final NicQueue.Pieces requestPieces = new NicQueue.Pieces();
    /** Requests arrays longer than this are let go after their run, so one large value does not pin its size. */
    private static final int KEEP_REQUEST = 1 << 20;
    /** The current request's arguments, copied out of the ring: argument i is argLength[i] bytes at argOffset[i]. */
    private byte[] request = new byte[4096];
    private final UnsafeBuffer requestView = new UnsafeBuffer(request);
    private int argc;
    private int[] argOffset = new int[16];
    private int[] argLength = new int[16];
    /** The argument the NIC routed the request by (0: none) and its hash of it (the RSS role). */
    private int hashedArgument;
    private int keyHash;
    private Shard shard;
    /** Held for every command on {@link #shard}; a multi-key command takes it through {@link Peers}. */
    private final CoreLocalLock shardLock = new CoreLocalLock("kv shard");
    private Peers peers;
    private Commands commands;
    /** The latest device time seen (ms): the core's notion of wall time for expiry. */
    private long now;
    private boolean stopped;

    KvCore(final Os os, final CoreQueue queue, final KvAppliance.Settings settings, final int self, final int shards)
    {
        this.os = os;
        this.queue = queue;
        this.settings = settings;
        this.self = self;
        this.shards = shards;
    }

    /** Sets up memory, the shard and the peer service, then serves until SHUTDOWN. */
    void run(final Runnable beforeAttach)
    {
        os.initMemory(settings.memoryPerCoreBytes());
        final long limit = settings.memoryPerCoreBytes() / CHUNK_BYTES * CHUNK_BYTES;
        shard = new Shard(os, new SizeClassAllocator(new MappedRegion(os, HEAP_BASE, CHUNK_BYTES, limit)));
        peers = new Peers(os, shard, shardLock, self, shards);
        commands = new Commands(out, shard, peers, settings, queue.registers(), self, shards);
        final RespWriter runnerOut = new RespWriter();
        peers.runner(new Commands(runnerOut, shard, peers, settings, queue.registers(), self, shards), runnerOut);
        peers.export();
        beforeAttach.run();
        queue.attach();
        int idle = 0;
        while (!stopped)
        {
            final int n = queue.receive(onRequest, BATCH);
            if (n > 0)
            {
                idle = 0;
                queue.kickNic();
            }
            else if (++idle < IDLE_YIELDS)
            {
                os.yieldCore();
            }
            else
            {
                queue.awaitRequests();
                idle = 0;
            }
        }
    }

    /** Takes one receive-ring message: a run, or a piece of one, which waits for the rest. */
    private void onMessage(final int type, final MutableDirectBuffer b, final int index, final int length)
    {
        if (type == RingDescriptor.PIECE)
        {
            requestPieces.add(b, index, length);
            return;
        }
        if (!requestPieces.active())
        {
            onRequest(type, b, index, length);
            return;
        }
        requestPieces.add(b, index, length);
        try
        {
            onRequest(type, requestPieces.message(), 0, requestPieces.length());
        }
        finally
        {
            requestPieces.reset();
        }
    }

    /**
     * Runs a run of requests ({@link RingDescriptor}) and answers them in as few transmit messages as it can: one,
     * unless a reply closes the connection or shuts down, or the replies pass {@link #FLUSH_BYTES}. A reply longer
     * than a ring message (GET of a large value) goes in a message of its own, in pieces.
     */
    private void onRequest(final int type, final MutableDirectBuffer b, final int index, final int length)
    {
        final int connection = b.getInt(index + RingDescriptor.CONNECTION_OFFSET);
        final long first = b.getLong(index + RingDescriptor.SEQUENCE_OFFSET);
        final int count = b.getInt(index + RingDescriptor.COUNT_OFFSET);
        now = Math.max(now, b.getLong(index + RingDescriptor.DEVICE_TIME_OFFSET));
        commands.now = now;
        copyRun(b, index, length);
        out.resp3((b.getInt(index + RingDescriptor.FLAGS_OFFSET) & RingDescriptor.FLAG_RESP3) != 0);
        out.begin(connection, first);
        long unsent = first;
        int at = 0;
        for (int i = 0; i < count && !stopped; i++)
        {
            final long seq = first + i;
            at = readArguments(at);
            shard.commandsProcessed++;
            final int mark = out.length();
            final int replyType = runCommand(connection, mark);
            if (out.length() > queue.maxMessage() && mark > RingDescriptor.REPLY_HEADER)
            {
                // This reply does not fit a message with the ones before it: they go first.
                final byte[] reply = java.util.Arrays.copyOfRange(out.bulkArray(), mark, out.length());
                out.truncate(mark);
                transmit(RingDescriptor.REPLY, seq - unsent);
                unsent = seq;
                out.begin(connection, seq);
                out.raw(reply);
            }
            if (replyType != RingDescriptor.REPLY || i == count - 1 || out.length() >= FLUSH_BYTES)
            {
                transmit(replyType, seq + 1 - unsent);
                unsent = seq + 1;
                out.begin(connection, unsent);
                stopped = replyType == RingDescriptor.SHUTDOWN;
            }
        }
        if (request.length > KEEP_REQUEST)
        {
            // A large SET's run: its array is not kept at that size.
            request = new byte[4096];
            requestView.wrap(request);
        }
        out.trim();
    }

    /** Runs the request {@link #readArguments} found, appending its reply to {@link #out}; returns the reply type. */
    private int runCommand(final int connection, final int mark)
    {
        final Command command = Command.of(request, argOffset[0], argLength[0]);
        // A multi-key command locks the shards it touches itself (Peers); every other command holds this shard's
        // lock while it runs, so that it never sees a multi-key command half done.
        final boolean local = command == null || !command.spansShards();
        if (local)
        {
            shardLock.lock();
        }
        try
        {
            // The two commands of nearly every request take their arguments where they lie, with nothing allocated.
            if (command == Command.GET && argc == 2)
            {
                commands.get(request, argOffset[1], argLength[1], hashOfKey());
                return RingDescriptor.REPLY;
            }
            if (command == Command.SET && argc == 3)
            {
                if (commands.store(request, argOffset[1], argLength[1], hashOfKey(), request, argOffset[2], argLength[2], 0,
                    0, false) == Shard.OK)
                {
                    out.raw(OK);
                }
                return RingDescriptor.REPLY;
            }
            return commands.execute(arguments(), connection);
        }
        catch (final RuntimeException ex)
        {
            // A bug in one command answers that command with an error; the shard goes on serving.
            out.truncate(mark);
            out.error("ERR internal error: " + ex);
            return RingDescriptor.REPLY;
        }
        finally
        {
            if (local)
            {
                shardLock.unlock();
            }
        }
    }

    /**
     * Puts the replies in {@link #out} on the transmit ring as the answer to {@code count} requests: one message, or
     * pieces of one when it is longer than the ring's largest ({@link RingDescriptor#PIECE}).
     */
    private void transmit(final int replyType, final long count)
    {
        out.finish((int)count);
        final int max = queue.maxMessage();
        final int length = out.length();
        int at = 0;
        while (length - at > max)
        {
            put(RingDescriptor.PIECE, at, max);
            at += max;
        }
        put(replyType, at, length - at);
    }

    private void put(final int type, final int at, final int length)
    {
        while (!queue.transmit(type, out.message(), at, length))
        {
            queue.kickNic();
            os.yieldCore();
        }
    }

    /** Copies a run's requests out of the ring into {@link #request}, where {@link #readArguments} finds them. */
    private void copyRun(final DirectBuffer b, final int index, final int length)
    {
        final int bytes = length - RingDescriptor.REQUEST_HEADER;
        if (request.length < bytes)
        {
            request = new byte[Math.max(bytes, request.length * 2)];
            requestView.wrap(request);
        }
        b.getBytes(index + RingDescriptor.REQUEST_HEADER, request, 0, bytes);
    }

    /**
     * Reads the request at {@code at} in {@link #request}: notes where each argument lies and the NIC's key hash.
     *
     * @return where the next request starts.
     */
    private int readArguments(final int at)
    {
        final UnsafeBuffer r = requestView;
        argc = r.getInt(at + RingDescriptor.ARGC_OFFSET);
        hashedArgument = r.getInt(at + RingDescriptor.HASHED_ARGUMENT_OFFSET);
        keyHash = r.getInt(at + RingDescriptor.KEY_HASH_OFFSET);
        if (argOffset.length < argc)
        {
            argOffset = new int[Math.max(argc, argOffset.length * 2)];
            argLength = new int[argOffset.length];
        }
        int p = at + RingDescriptor.ARGUMENTS_OFFSET;
        for (int i = 0; i < argc; i++)
        {
            final int n = r.getInt(p);
            argOffset[i] = p + 4;
            argLength[i] = n;
            p += 4 + n;
        }
        return p;
    }

    /** The hash of argument 1: the NIC's when it routed by it, else computed here. */
    private int hashOfKey()
    {
        return hashedArgument == 1 ? keyHash : KeyHash.fnv1a(request, argOffset[1], argLength[1]);
    }

    /** The arguments as arrays of their own, for the commands that keep or pass them on. */
    private byte[][] arguments()
    {
        final byte[][] args = new byte[argc][];
        for (int i = 0; i < argc; i++)
        {
            args[i] = java.util.Arrays.copyOfRange(request, argOffset[i], argOffset[i] + argLength[i]);
        }
        return args;
    }

}
