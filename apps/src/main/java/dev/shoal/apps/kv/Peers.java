package dev.shoal.apps.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.shoal.libos.Channel;
import dev.shoal.libos.CoreLocalLock;
import dev.shoal.libos.Os;
import dev.shoal.libos.Service;

/**
 * Multi-key commands across shards. The core that the filter gave a multi-key command to (the owner of its first
 * key) coordinates it: it groups the keys by owner, does the keys it owns itself and sends the others to the
 * owning cores over Shoal channels (UMP between cores); each core serves each peer from a thread of its own. Only
 * bytes cross:
 * <pre>
 *   request: byte op, long device time, int n, n × { int length, bytes }
 *   reply:   byte 0, then MGET, KEYS: int n, n × { int length or -1, bytes };  STATS: 7 longs;  others: long
 *            or byte 1, then the failure's description (UTF-8)
 *   release: byte RELEASE   (one way)
 * </pre>
 *
 * <p>A multi-key command is atomic, as in Redis: no command sees part of it. Each shard has a {@link CoreLocalLock};
 * its core's main dispatcher holds it for each single-shard command, and a multi-key command holds the locks of
 * every shard it touches until it has run on all of them (strict two-phase locking). The coordinator takes them
 * one shard after another in ascending shard order — its own by locking, a peer's by a request that the peer's
 * thread answers only once it holds that shard's lock — and then releases them all. As every command takes locks
 * in that one order, no two can wait for each other. The price: a command over k other shards costs k round trips
 * one after another, not k in parallel.
 *
 * <p>Core-local: one per core; {@link #serve} runs on the core's peer threads, the rest on its main dispatcher.
 * Both use the core's {@link Shard} only while holding its lock, and neither yields inside a shard operation.
 */
final class Peers
{
    static final byte MGET = 1;
    static final byte MSET = 2;
    static final byte DEL = 3;
    static final byte EXISTS = 4;
    static final byte STATS = 5;
    /** STATS' counts: keys, keys with an expiry, bytes in use, bytes mapped, hits, misses, commands processed. */
    static final int STATS_COUNT = 7;
    static final byte FLUSH = 6;
    /** Ends a multi-key command on a shard: its peer thread gives the shard's lock back. */
    static final byte RELEASE = 7;
    /** The shard's keys matching a pattern (KEYS, SCAN). */
    static final byte KEYS = 8;
    /** As RELEASE, but first writes what the shard reserved for the command (MSET's second phase). */
    static final byte COMMIT = 9;
    /** Takes the shard's lock and holds it until RELEASE (a transaction's growing phase). */
    static final byte LOCK = 10;
    /** WATCH's tokens of keys ({@link Shard#token}). */
    static final byte TOKENS = 11;
    /** Runs one single-shard command of a transaction: items are a flags byte, then the command's arguments. */
    static final byte RUN = 12;
    /** One way, keeping the lock: writes (or gives back) what an MSET inside a transaction reserved. */
    static final byte FINISH_COMMIT = 13;
    static final byte FINISH_CANCEL = 14;
    /** A key's value and expiry (RENAME, COPY): none when absent, else {value, 8-byte expiry}. */
    static final byte DUMP = 15;
    /** Stores {key, value, 8-byte expiry, mode}: mode 0 replaces, 1 only if absent; answers 0, 1 (OOM), 2 (exists). */
    static final byte RESTORE = 16;
    /** A random live key of the shard ({8-byte seed}), or none. */
    static final byte RANDOM = 17;
    private static final byte[] RELEASE_MESSAGE = {RELEASE};
    private static final byte[] FINISH_COMMIT_MESSAGE = {FINISH_COMMIT};
    private static final byte[] FINISH_CANCEL_MESSAGE = {FINISH_CANCEL};
    private static final byte[] COMMIT_MESSAGE = {COMMIT};
    /** First byte of a peer's reply. */
    private static final byte REPLY_OK = 0;
    private static final byte REPLY_FAILED = 1;

    private final Os os;
    private final Shard shard;
    private final int self;
    private final int shards;
    private final CoreLocalLock lock;
    private final Channel[] channels;
    /**
     * What an MSET reserved on this shard in its first phase ({@link Shard#reserve}), written or given back when
     * its locks are released; held only by the holder of this shard's lock, so the core's threads share it safely.
     */
    private byte[][] reservedPairs;
    private long[] reserved;
    private long reservedNow;
    /** The shards whose locks a transaction of this core's main dispatcher holds ({@link #lockAll}); else null. */
    private boolean[] transaction;
    /** Runs a transaction's commands for other cores ({@link #RUN}), with its own writer. */
    private Commands runner;
    private RespWriter runnerOut;

    Peers(final Os os, final Shard shard, final CoreLocalLock lock, final int self, final int shards)
    {
        this.os = os;
        this.shard = shard;
        this.lock = lock;
        this.self = self;
        this.shards = shards;
        this.channels = new Channel[shards];
    }

    static String serviceName(final int shard)
    {
        return "kv/shard-" + shard;
    }

    /** Exports this shard's peer service and starts the thread that accepts peers. */
    void export()
    {
        final Service service = os.export(serviceName(self));
        os.spawnThread("peers", () ->
        {
            while (true)
            {
                final Channel c = service.accept();
                os.spawnThread("peer-" + c.peerCore(), () -> serve(c));
            }
        });
    }

    /** Serves one coordinator: takes this shard's lock for its request and gives it back on its RELEASE. */
    private void serve(final Channel c)
    {
        boolean holding = false;
        while (true)
        {
            final ByteBuffer in = ByteBuffer.wrap(c.receiveBytes());
            final byte op = in.get();
            if (op == FINISH_COMMIT || op == FINISH_CANCEL)
            {
                finishReserved(op == FINISH_COMMIT);
                continue;
            }
            if (op == RELEASE || op == COMMIT)
            {
                if (holding)
                {
                    finishReserved(op == COMMIT);
                    holding = false;
                    lock.unlock();
                }
                continue;
            }
            final long now = in.getLong();
            final byte[][] items = new byte[in.getInt()][];
            for (int i = 0; i < items.length; i++)
            {
                items[i] = new byte[in.getInt()];
                in.get(items[i]);
            }
            if (!holding)
            {
                lock.lock();
                holding = true;
            }
            byte[] reply;
            try
            {
                reply = encode(op, applyLocal(op, now, items));
            }
            catch (final RuntimeException ex)
            {
                // A bug must not leave the coordinator waiting, holding other shards' locks.
                reply = failure(ex);
            }
            c.sendBytes(reply);
        }
    }

    /** Applies {@code op} to this shard: per-key values for MGET, STATS' four counts, or one count. */
    Object applyLocal(final byte op, final long now, final byte[][] items)
    {
        switch (op)
        {
            case MGET ->
            {
                final byte[][] values = new byte[items.length][];
                for (int i = 0; i < items.length; i++)
                {
                    final int slot = shard.find(items[i], KeyHash.fnv1a(items[i]), now);
                    values[i] = slot < 0 ? null : shard.value(slot);
                    shard.countLookup(slot >= 0);
                }
                return values;
            }
            case MSET ->
            {
                // First phase only: room for every pair, or none; written when every shard has room (COMMIT).
                final long[] blocks = shard.reserve(items, now);
                if (blocks == null)
                {
                    return 1L;
                }
                reservedPairs = items;
                reserved = blocks;
                reservedNow = now;
                return 0L;
            }
            case DEL, EXISTS ->
            {
                long n = 0;
                for (final byte[] key : items)
                {
                    final int h = KeyHash.fnv1a(key);
                    if (op == DEL ? shard.delete(key, h, now) : shard.find(key, h, now) >= 0)
                    {
                        n++;
                    }
                }
                return n;
            }
            case KEYS ->
            {
                return shard.keys(items[0], now).toArray(byte[][]::new);
            }
            case LOCK ->
            {
                return 0L;
            }
            case DUMP ->
            {
                final int slot = shard.find(items[0], KeyHash.fnv1a(items[0]), now);
                return slot < 0 ? new byte[0][] : new byte[][] {shard.value(slot),
                    ByteBuffer.allocate(8).putLong(shard.expireAt(slot)).array()};
            }
            case RESTORE ->
            {
                final int r = shard.set(items[0], KeyHash.fnv1a(items[0]), items[1], items[3][0] == 1 ? -1 : 0,
                    ByteBuffer.wrap(items[2]).getLong(), false, now);
                return r == Shard.OK ? 0L : r == Shard.NO_MEMORY ? 1L : 2L;
            }
            case RANDOM ->
            {
                final byte[] key = shard.randomKey(ByteBuffer.wrap(items[0]).getLong(), now);
                return key == null ? new byte[0][] : new byte[][] {key};
            }
            case TOKENS ->
            {
                final byte[][] tokens = new byte[items.length][];
                for (int i = 0; i < items.length; i++)
                {
                    tokens[i] = ByteBuffer.allocate(8).putLong(shard.token(items[i], now)).array();
                }
                return tokens;
            }
            case RUN ->
            {
                runnerOut.resp3(items[0][0] == 1);
                runnerOut.begin(0, 0);
                runner.now = now;
                runner.execute(java.util.Arrays.copyOfRange(items, 1, items.length), -1);
                return new byte[][] {java.util.Arrays.copyOfRange(runnerOut.bulkArray(), RingDescriptor.REPLY_HEADER,
                    runnerOut.length())};
            }
            case STATS ->
            {
                final int keys = shard.size(now);
                return new long[] {keys, shard.expiring(), shard.memory().bytesInUse(), shard.memory().bytesMapped(),
                    shard.hits, shard.misses, shard.commandsProcessed};
            }
            case FLUSH ->
            {
                shard.clear();
                return 0L;
            }
            default -> throw new IllegalArgumentException("unknown peer operation " + op);
        }
    }

    /** Writes (or gives back) what this shard reserved, if anything; the caller holds the shard's lock. */
    private void finishReserved(final boolean commit)
    {
        if (reserved != null)
        {
            if (commit)
            {
                shard.commitReserved(reservedPairs, reserved, reservedNow);
            }
            else
            {
                shard.cancelReserved(reservedPairs, reserved);
            }
            reserved = null;
            reservedPairs = null;
        }
    }

    private static byte[] encode(final byte op, final Object result)
    {
        if (op == MGET || op == KEYS || op == TOKENS || op == RUN || op == DUMP || op == RANDOM)
        {
            final byte[][] values = (byte[][])result;
            int length = 4;
            for (final byte[] v : values)
            {
                length += 4 + (v == null ? 0 : v.length);
            }
            final ByteBuffer b = ByteBuffer.allocate(1 + length).put(REPLY_OK).putInt(values.length);
            for (final byte[] v : values)
            {
                if (v == null)
                {
                    b.putInt(-1);
                }
                else
                {
                    b.putInt(v.length).put(v);
                }
            }
            return b.array();
        }
        if (op == STATS)
        {
            final ByteBuffer b = ByteBuffer.allocate(1 + 8 * STATS_COUNT).put(REPLY_OK);
            for (final long v : (long[])result)
            {
                b.putLong(v);
            }
            return b.array();
        }
        return ByteBuffer.allocate(1 + 8).put(REPLY_OK).putLong((Long)result).array();
    }

    /** The reply of a peer whose part failed: the cause's description, for the client's error. */
    private static byte[] failure(final RuntimeException cause)
    {
        final byte[] text = String.valueOf(cause).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put(REPLY_FAILED).put(text).array();
    }

    private static Object decode(final byte op, final int shard, final byte[] bytes)
    {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() == REPLY_FAILED)
        {
            throw new IllegalStateException("shard " + shard + " failed its part: " +
                new String(bytes, 1, bytes.length - 1, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (op == MGET || op == KEYS || op == TOKENS || op == RUN || op == DUMP || op == RANDOM)
        {
            final byte[][] values = new byte[b.getInt()][];
            for (int i = 0; i < values.length; i++)
            {
                final int n = b.getInt();
                if (n >= 0)
                {
                    values[i] = new byte[n];
                    b.get(values[i]);
                }
            }
            return values;
        }
        if (op == STATS)
        {
            final long[] stats = new long[STATS_COUNT];
            for (int i = 0; i < stats.length; i++)
            {
                stats[i] = b.getLong();
            }
            return stats;
        }
        return b.getLong();
    }

    private Channel channel(final int shard)
    {
        if (channels[shard] == null)
        {
            channels[shard] = os.bind(serviceName(shard));
        }
        return channels[shard];
    }

    /**
     * Runs {@code op} over keys (or key-value pairs, {@code stride} 2) spread over the shards, atomically: each
     * part runs on its shard under that shard's lock, and the locks are given back once every part has run. The
     * caller must not hold this shard's lock.
     *
     * @return for each shard that took part, its result; null for shards not involved. With {@code all}, every
     *         shard takes part and gets all of {@code items} (STATS and FLUSH with none, KEYS with the pattern).
     */
    Object[] fanOut(final byte op, final long now, final byte[][] items, final int stride, final boolean all,
        final int[][] indexesOut)
    {
        final byte[][][] parts = new byte[shards][][];
        if (all)
        {
            java.util.Arrays.fill(parts, items);
        }
        else
        {
            splitByOwner(items, stride, parts, indexesOut);
        }
        return runLocked(op, now, parts);
    }

    /**
     * Runs part {@code parts[s]} of {@code op} on each shard {@code s} that has one, atomically (see the class
     * comment); the caller must not hold this shard's lock. MSET is all or nothing: its parts only reserve memory,
     * and they are written as the locks are released, only if every shard had room (each answered 0).
     *
     * @return for each shard that took part, its result; null for the others.
     */
    Object[] runLocked(final byte op, final long now, final byte[][][] parts)
    {
        final Object[] results = new Object[shards];
        final boolean[] held = new boolean[shards];
        boolean commit = false;
        try
        {
            // Growing phase, in ascending shard order (see the class comment): each part runs once its shard is
            // locked.
            for (int s = 0; s < shards; s++)
            {
                if (parts[s] == null)
                {
                    continue;
                }
                final boolean inTransaction = transaction != null && transaction[s];
                if (s == self)
                {
                    if (!inTransaction)
                    {
                        lock.lock();
                    }
                    held[s] = true;
                    results[s] = applyLocal(op, now, parts[s]);
                }
                else
                {
                    channel(s).sendBytes(request(op, now, parts[s]));
                    held[s] = true;
                    results[s] = decode(op, s, channel(s).receiveBytes());
                }
            }
            if (op == MSET)
            {
                commit = true;
                for (final Object r : results)
                {
                    commit &= r == null || (Long)r == 0;
                }
            }
        }
        finally
        {
            // Shrinking phase: every part has run (or one failed, and the command ends here): give back every lock
            // held, so that a failing command cannot stop the shards for good.
            for (int s = 0; s < shards; s++)
            {
                if (held[s] && transaction != null && transaction[s])
                {
                    // The transaction keeps the lock; an MSET inside it is written (or not) now.
                    if (s == self)
                    {
                        finishReserved(commit);
                    }
                    else if (op == MSET)
                    {
                        channel(s).sendBytes(commit ? FINISH_COMMIT_MESSAGE : FINISH_CANCEL_MESSAGE);
                    }
                }
                else if (held[s])
                {
                    if (s == self)
                    {
                        finishReserved(commit);
                        lock.unlock();
                    }
                    else
                    {
                        channel(s).sendBytes(commit ? COMMIT_MESSAGE : RELEASE_MESSAGE);
                    }
                }
            }
        }
        return results;
    }

    /** Sets the executor that runs transactions' commands for other cores, and its writer. */
    void runner(final Commands commands, final RespWriter out)
    {
        this.runner = commands;
        this.runnerOut = out;
    }

    /**
     * A transaction's growing phase: takes the locks of the shards {@code which} names, in ascending order, and
     * holds them until {@link #unlockAll}; meanwhile {@link #runLocked} and {@link #run} use them without taking
     * or giving them back. The caller must not hold this shard's lock.
     */
    void lockAll(final boolean[] which, final long now)
    {
        final boolean[] held = new boolean[shards];
        transaction = held;
        for (int s = 0; s < shards; s++)
        {
            if (!which[s])
            {
                continue;
            }
            if (s == self)
            {
                lock.lock();
                held[s] = true;
            }
            else
            {
                channel(s).sendBytes(request(LOCK, now, new byte[0][]));
                held[s] = true;
                decode(LOCK, s, channel(s).receiveBytes());
            }
        }
    }

    /** True while a transaction holds locks ({@link #lockAll}): a command inside it must not lock again. */
    boolean inTransaction()
    {
        return transaction != null;
    }

    /** Runs {@code op} on shard {@code s} alone with {@code items} (under its lock); returns its result. */
    Object runOn(final int s, final byte op, final long now, final byte[][] items)
    {
        final byte[][][] parts = new byte[shards][][];
        parts[s] = items;
        return runLocked(op, now, parts)[s];
    }

    /** A transaction's shrinking phase: gives back every lock {@link #lockAll} took. */
    void unlockAll()
    {
        final boolean[] held = transaction;
        transaction = null;
        if (held == null)
        {
            return;
        }
        for (int s = 0; s < shards; s++)
        {
            if (held[s])
            {
                if (s == self)
                {
                    finishReserved(false);
                    lock.unlock();
                }
                else
                {
                    channel(s).sendBytes(RELEASE_MESSAGE);
                }
            }
        }
    }

    /** Runs a single-shard command on shard {@code s}, whose lock the transaction holds; returns its reply. */
    byte[] run(final int s, final byte[][] args, final boolean resp3, final long now)
    {
        final byte[][] items = new byte[args.length + 1][];
        items[0] = new byte[] {(byte)(resp3 ? 1 : 0)};
        System.arraycopy(args, 0, items, 1, args.length);
        channel(s).sendBytes(request(RUN, now, items));
        return ((byte[][])decode(RUN, s, channel(s).receiveBytes()))[0];
    }

    /** Groups keys (with their values, {@code stride} 2) by owning shard; notes where each came from. */
    private void splitByOwner(final byte[][] items, final int stride, final byte[][][] parts,
        final int[][] indexesOut)
    {
        final List<List<Integer>> byShard = new ArrayList<>(shards);
        for (int s = 0; s < shards; s++)
        {
            byShard.add(new ArrayList<>());
        }
        for (int i = 0; i < items.length; i += stride)
        {
            byShard.get(KeyHash.shardOf(KeyHash.fnv1a(items[i]), shards)).add(i);
        }
        for (int s = 0; s < shards; s++)
        {
            final List<Integer> idx = byShard.get(s);
            if (idx.isEmpty())
            {
                continue;
            }
            final byte[][] part = new byte[idx.size() * stride][];
            final int[] where = new int[idx.size()];
            for (int k = 0; k < idx.size(); k++)
            {
                where[k] = idx.get(k);
                for (int j = 0; j < stride; j++)
                {
                    part[k * stride + j] = items[idx.get(k) + j];
                }
            }
            parts[s] = part;
            indexesOut[s] = where;
        }
    }

    private static byte[] request(final byte op, final long now, final byte[][] items)
    {
        int length = 1 + 8 + 4;
        for (final byte[] item : items)
        {
            length += 4 + item.length;
        }
        final ByteBuffer b = ByteBuffer.allocate(length).put(op).putLong(now).putInt(items.length);
        for (final byte[] item : items)
        {
            b.putInt(item.length).put(item);
        }
        return b.array();
    }
}
