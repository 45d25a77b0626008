package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The commands as they run against one core's {@link Shard} (multi-key ones through {@link Peers}), writing their
 * replies to a {@link RespWriter}; replies follow Redis 7's wording. One per thread that runs commands on a core
 * (its main dispatcher, and the peer threads that run a transaction's commands for another core), each with its
 * own writer; all of a core's share its shard, under its lock.
 *
 * <p>Core-local.
 */
final class Commands
{
    private final RespWriter out;
    private final Shard shard;
    private final Peers peers;
    private final KvAppliance.Settings settings;
    private final Nic nic;
    private final int shards;
    private final int self;
    private final StringCommands strings;
    private final KeyspaceCommands keyspace;
    /** WATCH's keys and tokens, by connection; kept on the connection's home core (its WATCH and EXEC go there). */
    private final java.util.Map<Integer, List<Watched>> watches = new java.util.HashMap<>();

    private record Watched(byte[] key, int shard, long token)
    {
    }
    /** The latest device time seen (ms): the core's notion of wall time for expiry; set before each command. */
    long now;

    Commands(final RespWriter out, final Shard shard, final Peers peers, final KvAppliance.Settings settings,
        final Nic nic, final int self, final int shards)
    {
        this.self = self;
        this.strings = new StringCommands(this, out, shard);
        this.keyspace = new KeyspaceCommands(this, out, peers, self, shards);
        this.out = out;
        this.shard = shard;
        this.peers = peers;
        this.settings = settings;
        this.nic = nic;
        this.shards = shards;
    }

    /** Runs one command, writing its reply to {@link #out}; returns the transmit message type. */
    int execute(final byte[][] args, final int connection)
    {
        final Command command = Command.of(args[0], 0, args[0].length);
        if (command == null)
        {
            out.error(Command.unknown(args));
            return RingDescriptor.REPLY;
        }
        if (!command.arityAllows(args.length) && command != Command.EXEC)
        {
            out.error(command.wrongArity());
            return RingDescriptor.REPLY;
        }
        switch (command)
        {
            case GET -> get(args[1]);
            case SET -> set(args);
            case SETNX -> out.integer(store(args[1], args[2], -1, 0, false) == Shard.OK ? 1 : 0);
            case SETEX, PSETEX -> setex(args, command == Command.PSETEX ? 1 : 1000);
            case GETDEL ->
            {
                get(args[1]);
                shard.delete(args[1], KeyHash.fnv1a(args[1]), now);
            }
            case DEL, UNLINK -> out.integer(count(Peers.DEL, args));
            case EXISTS -> out.integer(count(Peers.EXISTS, args));
            case INCR -> incrBy(args[1], 1);
            case DECR -> incrBy(args[1], -1);
            case INCRBY, DECRBY ->
            {
                // parseLong's "not a number" is Long.MIN_VALUE, itself a valid increment: told apart by its text.
                final boolean min = "-9223372036854775808".equals(new String(args[2], StandardCharsets.ISO_8859_1));
                final long by = parseLong(args[2]);
                if (by == Long.MIN_VALUE && !min)
                {
                    out.error("ERR value is not an integer or out of range");
                }
                else if (min && command == Command.DECRBY)
                {
                    out.error("ERR decrement would overflow");
                }
                else
                {
                    incrBy(args[1], command == Command.DECRBY ? -by : by);
                }
            }
            case APPEND -> append(args[1], args[2]);
            case STRLEN ->
            {
                final int slot = shard.find(args[1], KeyHash.fnv1a(args[1]), now);
                out.integer(slot < 0 ? 0 : shard.valueLength(slot));
            }
            case TYPE -> out.simple(shard.find(args[1], KeyHash.fnv1a(args[1]), now) < 0 ? "none" : "string");
            case MGET -> mget(args);
            case MSET -> mset(args);
            case EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT -> expire(command, args);
            case TTL, PTTL -> ttl(args[1], command == Command.TTL);
            case PERSIST ->
            {
                final int slot = shard.find(args[1], KeyHash.fnv1a(args[1]), now);
                final boolean had = slot >= 0 && shard.expireAt(slot) != 0;
                if (had)
                {
                    shard.setExpiry(slot, 0);
                }
                out.integer(had ? 1 : 0);
            }
            case DBSIZE -> out.integer(stats()[0]);
            case KEYS -> keys(args[1]);
            case SCAN -> scan(args);
            case FLUSHALL, FLUSHDB ->
            {
                final String mode = args.length == 2 ?
                    new String(args[1], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT) : "SYNC";
                if (args.length > 2 || !(mode.equals("SYNC") || mode.equals("ASYNC")))
                {
                    out.error("ERR syntax error");
                    return RingDescriptor.REPLY;
                }
                peers.fanOut(Peers.FLUSH, now, new byte[0][], 1, true, new int[shards][]);
                out.simple("OK");
            }
            case PING ->
            {
                if (args.length == 1)
                {
                    out.simple("PONG");
                }
                else if (args.length == 2)
                {
                    out.bulk(args[1]);
                }
                else
                {
                    out.error("ERR wrong number of arguments for 'ping' command");
                }
            }
            case ECHO -> out.bulk(args[1]);
            case INFO -> out.verbatim(info(args));
            case CONFIG -> config(args);
            case COMMAND -> command(args);
            case SELECT ->
            {
                final long db = parseLong(args[1]);
                if (db == Long.MIN_VALUE)
                {
                    out.error("ERR value is not an integer or out of range");
                }
                else if (db == 0)
                {
                    out.simple("OK");
                }
                else
                {
                    out.error("ERR DB index is out of range");
                }
            }
            case CLIENT -> client(args, connection);
            case GETEX -> strings.getex(args);
            case GETSET -> strings.getset(args);
            case INCRBYFLOAT -> strings.incrByFloat(args);
            case SETRANGE -> strings.setrange(args);
            case GETRANGE -> strings.getrange(args);
            case SETBIT -> strings.setbit(args);
            case GETBIT -> strings.getbit(args);
            case BITCOUNT -> strings.bitcount(args);
            case EXPIRETIME, PEXPIRETIME -> strings.expiretime(args, command == Command.PEXPIRETIME);
            case OBJECT -> strings.object(args);
            case TIME -> strings.time();
            case RENAME, RENAMENX -> keyspace.rename(args, command == Command.RENAMENX);
            case COPY -> keyspace.copy(args);
            case MSETNX -> keyspace.msetnx(args);
            case RANDOMKEY -> keyspace.randomKey();
            case WATCH -> watch(args, connection);
            case UNWATCH, DISCARD ->
            {
                watches.remove(connection);
                out.simple("OK");
            }
            case EXEC -> exec(args, connection);
            case MULTI, HELLO, AUTH -> out.error("ERR " + command.name() + " reached a core: the NIC answers it");
            case QUIT ->
            {
                out.simple("OK");
                return RingDescriptor.REPLY_AND_CLOSE;
            }
            case SHUTDOWN ->
            {
                return RingDescriptor.SHUTDOWN;
            }
        }
        return RingDescriptor.REPLY;
    }

    /** WATCH key...: remembers each key's token ({@link Shard#token}), read under its shard's lock. */
    private void watch(final byte[][] args, final int connection)
    {
        final byte[][] keys = java.util.Arrays.copyOfRange(args, 1, args.length);
        final int[][] where = new int[shards][];
        final Object[] results = peers.fanOut(Peers.TOKENS, now, keys, 1, false, where);
        final List<Watched> list = watches.computeIfAbsent(connection, k -> new java.util.ArrayList<>());
        for (int s = 0; s < shards; s++)
        {
            if (results[s] != null)
            {
                final byte[][] tokens = (byte[][])results[s];
                for (int k = 0; k < tokens.length; k++)
                {
                    list.add(new Watched(keys[where[s][k]], s,
                        java.nio.ByteBuffer.wrap(tokens[k]).getLong()));
                }
            }
        }
        out.simple("OK");
    }

    /**
     * EXEC as the NIC sends it: {@code EXEC dirty {n, n arguments}...}, the transaction the client queued after
     * MULTI (dirty "1" when a command was refused while queuing). Atomic across shards: it takes the locks of every
     * shard its commands and watched keys touch, in ascending order, before the first command runs and gives them
     * back after the last (strict two-phase locking, {@link Peers#lockAll}); it runs nothing if a watched key
     * changed since WATCH.
     */
    private void exec(final byte[][] args, final int connection)
    {
        final List<Watched> watched = watches.remove(connection);
        if (args.length < 2 || args[1].length != 1 || args[1][0] != '0')
        {
            out.error(args.length < 2 ? "ERR EXEC without MULTI" :
                "EXECABORT Transaction discarded because of previous errors.");
            return;
        }
        final List<byte[][]> queued = new java.util.ArrayList<>();
        final boolean[] need = new boolean[shards];
        for (int i = 2; i < args.length; )
        {
            final int n = (int)parseLong(args[i]);
            final byte[][] cmd = java.util.Arrays.copyOfRange(args, i + 1, i + 1 + n);
            i += 1 + n;
            queued.add(cmd);
            final Command c = Command.of(cmd[0], 0, cmd[0].length);
            if (c == null)
            {
                continue;
            }
            if (c.span == Command.Span.ALL)
            {
                java.util.Arrays.fill(need, true);
            }
            else if (c.firstKey > 0)
            {
                final int last = c.lastKey < 0 ? cmd.length - 1 : Math.min(c.lastKey, cmd.length - 1);
                for (int k = c.firstKey; k <= last; k += c.step)
                {
                    need[KeyHash.shardOf(KeyHash.fnv1a(cmd[k]), shards)] = true;
                }
            }
        }
        if (watched != null)
        {
            for (final Watched w : watched)
            {
                need[w.shard()] = true;
            }
        }
        try
        {
            peers.lockAll(need, now);
            if (watched != null && changed(watched))
            {
                out.nullArray();
                return;
            }
            out.arrayHeader(queued.size());
            for (final byte[][] cmd : queued)
            {
                final Command c = Command.of(cmd[0], 0, cmd[0].length);
                final int owner = c == null || c.spansShards() || c.firstKey == 0 || c.firstKey >= cmd.length ? self :
                    KeyHash.shardOf(KeyHash.fnv1a(cmd[c.firstKey]), shards);
                if (owner == self)
                {
                    execute(cmd, connection);
                }
                else
                {
                    out.raw(peers.run(owner, cmd, out.resp3(), now));
                }
            }
        }
        finally
        {
            peers.unlockAll();
        }
    }

    /** True when a watched key's token is not what it was at WATCH; the caller holds the shards' locks. */
    private boolean changed(final List<Watched> watched)
    {
        final byte[][][] parts = new byte[shards][][];
        final List<List<Watched>> byShard = new java.util.ArrayList<>();
        for (int s = 0; s < shards; s++)
        {
            byShard.add(new java.util.ArrayList<>());
        }
        for (final Watched w : watched)
        {
            byShard.get(w.shard()).add(w);
        }
        for (int s = 0; s < shards; s++)
        {
            if (!byShard.get(s).isEmpty())
            {
                parts[s] = byShard.get(s).stream().map(Watched::key).toArray(byte[][]::new);
            }
        }
        final Object[] results = peers.runLocked(Peers.TOKENS, now, parts);
        for (int s = 0; s < shards; s++)
        {
            for (int k = 0; k < byShard.get(s).size(); k++)
            {
                if (java.nio.ByteBuffer.wrap(((byte[][])results[s])[k]).getLong() != byShard.get(s).get(k).token())
                {
                    return true;
                }
            }
        }
        return false;
    }

    void get(final byte[] key)
    {
        get(key, 0, key.length, KeyHash.fnv1a(key));
    }

    void get(final byte[] key, final int offset, final int length, final int hash)
    {
        final int slot = shard.find(key, offset, length, hash, now);
        shard.countLookup(slot >= 0);
        if (slot < 0)
        {
            out.nullBulk();
            return;
        }
        final int at = out.reserveBulk(shard.valueLength(slot));
        shard.readValue(slot, out.bulkArray(), at);
        out.endBulk();
    }

    private void set(final byte[][] args)
    {
        int ifExists = 0;
        long expiry = 0;
        boolean keep = false;
        boolean get = false;
        for (int i = 3; i < args.length; i++)
        {
            final String opt = new String(args[i], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
            switch (opt)
            {
                case "NX", "XX" ->
                {
                    if (ifExists != 0)
                    {
                        out.error("ERR syntax error");
                        return;
                    }
                    ifExists = opt.equals("NX") ? -1 : 1;
                }
                case "KEEPTTL" -> keep = true;
                case "GET" -> get = true;
                case "EX", "PX", "EXAT", "PXAT" ->
                {
                    if (expiry != 0 || i + 1 >= args.length)
                    {
                        out.error("ERR syntax error");
                        return;
                    }
                    final long v = parseLong(args[++i]);
                    if (v == Long.MIN_VALUE)
                    {
                        out.error("ERR value is not an integer or out of range");
                        return;
                    }
                    if (v <= 0 || v > Long.MAX_VALUE / 1000 - now)
                    {
                        out.error("ERR invalid expire time in 'set' command");
                        return;
                    }
                    expiry = switch (opt)
                    {
                        case "EX" -> now + v * 1000;
                        case "PX" -> now + v;
                        case "EXAT" -> v * 1000;
                        default -> v;
                    };
                }
                default ->
                {
                    out.error("ERR syntax error");
                    return;
                }
            }
        }
        if (keep && expiry != 0)
        {
            out.error("ERR syntax error");
            return;
        }
        if (get)
        {
            get(args[1]);
        }
        final int r = store(args[1], args[2], ifExists, expiry, keep);
        if (get)
        {
            return;
        }
        if (r == Shard.OK)
        {
            out.simple("OK");
        }
        else if (r == Shard.NOT_SET)
        {
            out.nullBulk();
        }
    }

    private void setex(final byte[][] args, final long unitMillis)
    {
        final long v = parseLong(args[2]);
        if (v == Long.MIN_VALUE)
        {
            out.error("ERR value is not an integer or out of range");
        }
        else if (v <= 0)
        {
            out.error("ERR invalid expire time in '" + (unitMillis == 1 ? "psetex" : "setex") + "' command");
        }
        else if (store(args[1], args[3], 0, now + v * unitMillis, false) == Shard.OK)
        {
            out.simple("OK");
        }
    }

    /** Stores and, on running out of memory, writes Redis's OOM error; returns the shard's result. */
    int store(final byte[] key, final byte[] value, final int ifExists, final long expiry, final boolean keep)
    {
        return store(key, 0, key.length, KeyHash.fnv1a(key), value, 0, value.length, ifExists, expiry, keep);
    }

    int store(final byte[] key, final int keyOffset, final int keyLen, final int hash, final byte[] value,
        final int valueOffset, final int valueLen, final int ifExists, final long expiry, final boolean keep)
    {
        final int r = shard.set(key, keyOffset, keyLen, hash, value, valueOffset, valueLen, ifExists, expiry, keep,
            now);
        if (r == Shard.NO_MEMORY)
        {
            outOfMemory();
        }
        return r;
    }

    void outOfMemory()
    {
        out.error("OOM command not allowed when used memory > 'maxmemory'.");
    }

    private void incrBy(final byte[] key, final long by)
    {
        final int h = KeyHash.fnv1a(key);
        final int slot = shard.find(key, h, now);
        long value = 0;
        if (slot >= 0)
        {
            value = shard.valueLength(slot) > 20 ? Long.MIN_VALUE : parseLong(shard.value(slot));
            if (value == Long.MIN_VALUE)
            {
                out.error("ERR value is not an integer or out of range");
                return;
            }
        }
        final long result;
        try
        {
            result = Math.addExact(value, by);
        }
        catch (final ArithmeticException ex)
        {
            out.error("ERR increment or decrement would overflow");
            return;
        }
        if (shard.set(key, h, Long.toString(result).getBytes(StandardCharsets.US_ASCII), 0, 0, true, now) ==
            Shard.NO_MEMORY)
        {
            outOfMemory();
            return;
        }
        out.integer(result);
    }

    private void append(final byte[] key, final byte[] suffix)
    {
        final int h = KeyHash.fnv1a(key);
        final int slot = shard.find(key, h, now);
        final byte[] old = slot < 0 ? new byte[0] : shard.value(slot);
        final byte[] value = new byte[old.length + suffix.length];
        System.arraycopy(old, 0, value, 0, old.length);
        System.arraycopy(suffix, 0, value, old.length, suffix.length);
        if (shard.set(key, h, value, 0, 0, true, now) == Shard.NO_MEMORY)
        {
            outOfMemory();
            return;
        }
        out.integer(value.length);
    }

    private long count(final byte op, final byte[][] args)
    {
        final byte[][] keys = java.util.Arrays.copyOfRange(args, 1, args.length);
        long n = 0;
        for (final Object r : peers.fanOut(op, now, keys, 1, false, new int[shards][]))
        {
            if (r != null)
            {
                n += (Long)r;
            }
        }
        return n;
    }

    private void mget(final byte[][] args)
    {
        final byte[][] keys = java.util.Arrays.copyOfRange(args, 1, args.length);
        final int[][] where = new int[shards][];
        final Object[] results = peers.fanOut(Peers.MGET, now, keys, 1, false, where);
        final byte[][] values = new byte[keys.length][];
        for (int s = 0; s < shards; s++)
        {
            if (results[s] != null)
            {
                final byte[][] part = (byte[][])results[s];
                for (int k = 0; k < part.length; k++)
                {
                    values[where[s][k]] = part[k];
                }
            }
        }
        out.arrayHeader(values.length);
        for (final byte[] v : values)
        {
            if (v == null)
            {
                out.nullBulk();
            }
            else
            {
                out.bulk(v);
            }
        }
    }

    private void mset(final byte[][] args)
    {
        if (args.length % 2 != 1)
        {
            out.error("ERR wrong number of arguments for 'mset' command");
            return;
        }
        final byte[][] pairs = java.util.Arrays.copyOfRange(args, 1, args.length);
        long failed = 0;
        for (final Object r : peers.fanOut(Peers.MSET, now, pairs, 2, false, new int[shards][]))
        {
            if (r != null)
            {
                failed += (Long)r;
            }
        }
        if (failed > 0)
        {
            outOfMemory();
        }
        else
        {
            out.simple("OK");
        }
    }

    /** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX | XX | GT | LT], as Redis 7 checks and applies them. */
    private void expire(final Command command, final byte[][] args)
    {
        long when = parseLong(args[2]);
        if (when == Long.MIN_VALUE)
        {
            out.error("ERR value is not an integer or out of range");
            return;
        }
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.length; i++)
        {
            final String opt = new String(args[i], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
            switch (opt)
            {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default ->
                {
                    out.error("ERR Unsupported option " + Command.printable(args[i]));
                    return;
                }
            }
        }
        if (nx && (xx || gt || lt))
        {
            out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt)
        {
            out.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        final String invalid = "ERR invalid expire time in '" + command.name().toLowerCase(Locale.ROOT) + "' command";
        if (command == Command.EXPIRE || command == Command.EXPIREAT)
        {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000)
            {
                out.error(invalid);
                return;
            }
            when *= 1000;
        }
        if (command == Command.EXPIRE || command == Command.PEXPIRE)
        {
            if (when > Long.MAX_VALUE - now)
            {
                out.error(invalid);
                return;
            }
            when += now;
        }
        final int h = KeyHash.fnv1a(args[1]);
        final int slot = shard.find(args[1], h, now);
        if (slot < 0)
        {
            out.integer(0);
            return;
        }
        final long current = shard.expireAt(slot);
        // No expiry counts as an infinite one for GT and LT, as in Redis.
        if ((nx && current != 0) || (xx && current == 0) || (gt && (current == 0 || when <= current)) ||
            (lt && current != 0 && when >= current))
        {
            out.integer(0);
            return;
        }
        if (when <= now)
        {
            shard.delete(args[1], h, now);
        }
        else
        {
            shard.setExpiry(slot, when);
        }
        out.integer(1);
    }

    private void ttl(final byte[] key, final boolean seconds)
    {
        final int slot = shard.find(key, KeyHash.fnv1a(key), now);
        if (slot < 0)
        {
            out.integer(-2);
            return;
        }
        final long at = shard.expireAt(slot);
        if (at == 0)
        {
            out.integer(-1);
            return;
        }
        final long left = at - now;
        out.integer(seconds ? (left + 500) / 1000 : left);
    }

    private void keys(final byte[] pattern)
    {
        final List<byte[]> keys = new java.util.ArrayList<>();
        // Under every shard's lock at once: a snapshot, as Redis's KEYS is.
        for (final Object r : peers.fanOut(Peers.KEYS, now, new byte[][] {pattern}, 1, true, new int[shards][]))
        {
            keys.addAll(List.of((byte[][])r));
        }
        out.arrayHeader(keys.size());
        for (final byte[] k : keys)
        {
            out.bulk(k);
        }
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]. The cursor names a shard: each call returns the matching keys
     * of that one shard, read under its lock, and the next shard's number, or 0 after the last. So every key present
     * throughout a scan is returned exactly once, as Redis promises, and a reply holds one shard's keys, not all.
     * COUNT is a hint, as in Redis, and is not used.
     */
    private void scan(final byte[][] args)
    {
        final long cursor = parseLong(args[1]);
        if (cursor < 0)
        {
            out.error("ERR invalid cursor");
            return;
        }
        byte[] pattern = {'*'};
        boolean strings = true;
        for (int i = 2; i < args.length; i += 2)
        {
            final String opt = new String(args[i], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
            if (i + 1 >= args.length)
            {
                out.error("ERR syntax error");
                return;
            }
            switch (opt)
            {
                case "MATCH" -> pattern = args[i + 1];
                case "COUNT" ->
                {
                    final long count = parseLong(args[i + 1]);
                    if (count < 1)
                    {
                        out.error(count == Long.MIN_VALUE ? "ERR value is not an integer or out of range" :
                            "ERR syntax error");
                        return;
                    }
                }
                case "TYPE" -> strings = "string".equalsIgnoreCase(
                    new String(args[i + 1], StandardCharsets.ISO_8859_1));
                default ->
                {
                    out.error("ERR syntax error");
                    return;
                }
            }
        }
        byte[][] keys = new byte[0][];
        if (cursor < shards && strings)
        {
            final byte[][][] parts = new byte[shards][][];
            parts[(int)cursor] = new byte[][] {pattern};
            keys = (byte[][])peers.runLocked(Peers.KEYS, now, parts)[(int)cursor];
        }
        // Only strings are stored, so a scan for another type is over at once.
        final long next = cursor + 1 < shards && strings ? cursor + 1 : 0;
        out.arrayHeader(2).bulk(Long.toString(next)).arrayHeader(keys.length);
        for (final byte[] k : keys)
        {
            out.bulk(k);
        }
    }

    /** Keys, keys with an expiry, bytes in use and bytes mapped, summed over the shards. */
    private long[] stats()
    {
        final long[] sum = new long[Peers.STATS_COUNT];
        for (final Object r : peers.fanOut(Peers.STATS, now, new byte[0][], 1, true, new int[shards][]))
        {
            final long[] s = (long[])r;
            for (int i = 0; i < sum.length; i++)
            {
                sum[i] += s[i];
            }
        }
        return sum;
    }

    /** INFO [section ...]: the sections asked for (default, all and everything: all of them), as Redis lays out. */
    private String info(final byte[][] args)
    {
        final java.util.Set<String> asked = new java.util.HashSet<>();
        for (int i = 1; i < args.length; i++)
        {
            asked.add(new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
        }
        final boolean all = asked.isEmpty() || asked.contains("default") || asked.contains("all") ||
            asked.contains("everything");
        final long[] s = stats();
        final long[] cpu = nic.cpuMicros();
        final java.util.Map<String, String> sections = new java.util.LinkedHashMap<>();
        sections.put("server", "redis_version:" + NicSession.VERSION + "\r\n" +
            "shoal_appliance:kv\r\n" +
            "redis_mode:standalone\r\n" +
            "arch_bits:64\r\n" +
            "shards:" + shards + "\r\n" +
            "tcp_port:" + settings.port() + "\r\n" +
            "uptime_in_seconds:" + nic.uptimeSeconds() + "\r\n");
        sections.put("clients", "connected_clients:" + nic.connectedClients() + "\r\n" +
            "maxclients:" + Nic.MAX_CLIENTS + "\r\n" +
            "client_recent_max_input_buffer:0\r\n" +
            "client_recent_max_output_buffer:0\r\n" +
            "blocked_clients:0\r\n");
        sections.put("memory", "used_memory:" + s[2] + "\r\n" +
            "shoal_mapped_memory:" + s[3] + "\r\n" +
            "shoal_allocator:size-class\r\n" +
            "maxmemory:" + settings.memoryPerCoreBytes() * shards + "\r\n" +
            "maxmemory_policy:noeviction\r\n");
        sections.put("persistence", "loading:0\r\n" +
            "rdb_changes_since_last_save:0\r\n" +
            "aof_enabled:0\r\n");
        sections.put("stats", "total_connections_received:" + nic.totalConnections() + "\r\n" +
            "total_commands_processed:" + s[6] + "\r\n" +
            "rejected_connections:0\r\n" +
            "expired_keys:0\r\n" +
            "evicted_keys:0\r\n" +
            "keyspace_hits:" + s[4] + "\r\n" +
            "keyspace_misses:" + s[5] + "\r\n" +
            "total_error_replies_protocol:" + nic.protocolErrors() + "\r\n");
        sections.put("replication", "role:master\r\n" +
            "connected_slaves:0\r\n");
        sections.put("cpu", String.format(Locale.ROOT, "used_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\n",
            cpu[1] / 1e6, cpu[0] / 1e6));
        sections.put("keyspace", s[0] > 0 ? "db0:keys=" + s[0] + ",expires=" + s[1] + ",avg_ttl=0\r\n" : "");
        final StringBuilder sb = new StringBuilder();
        for (final java.util.Map.Entry<String, String> e : sections.entrySet())
        {
            if (all || asked.contains(e.getKey()))
            {
                final String title = e.getKey().equals("cpu") ? "CPU" :
                    Character.toUpperCase(e.getKey().charAt(0)) + e.getKey().substring(1);
                sb.append(sb.isEmpty() ? "" : "\r\n").append("# ").append(title).append("\r\n").append(e.getValue());
            }
        }
        return sb.toString();
    }

    /** The fixed parameters CONFIG GET shows (the NIC's own come from {@link ClientLimits}). */
    private static final List<String[]> CONFIG = List.of(
        new String[] {"save", ""}, new String[] {"appendonly", "no"}, new String[] {"databases", "1"},
        new String[] {"maxmemory", "0"}, new String[] {"maxmemory-policy", "noeviction"},
        new String[] {"bind", "127.0.0.1"});

    /** Every parameter and its value now, in CONFIG GET's order. */
    private List<String[]> configValues()
    {
        final List<String[]> all = new java.util.ArrayList<>(CONFIG);
        all.add(new String[] {"port", Integer.toString(settings.port())});
        final ClientLimits limits = nic.limits();
        for (final String name : ClientLimits.NAMES)
        {
            all.add(new String[] {name, limits.get(name)});
        }
        return all;
    }

    private void config(final byte[][] args)
    {
        final String sub = new String(args[1], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        switch (sub)
        {
            case "GET" ->
            {
                if (args.length < 3)
                {
                    out.error("ERR wrong number of arguments for 'config|get' command");
                    return;
                }
                final java.util.Map<String, String> found = new java.util.LinkedHashMap<>();
                for (int i = 2; i < args.length; i++)
                {
                    for (final String[] p : configValues())
                    {
                        if (matches(new String(args[i], StandardCharsets.ISO_8859_1), p[0]))
                        {
                            found.put(p[0], p[1]);
                        }
                    }
                }
                out.mapHeader(found.size());
                for (final java.util.Map.Entry<String, String> e : found.entrySet())
                {
                    out.bulk(e.getKey()).bulk(e.getValue());
                }
            }
            case "SET" -> configSet(args);
            case "RESETSTAT" -> out.simple("OK");
            default -> out.error("ERR unknown subcommand '" + printable(args[1]) + "'. Try CONFIG HELP.");
        }
    }

    /** CONFIG SET name value [name value ...]: all or none, as in Redis. */
    private void configSet(final byte[][] args)
    {
        if (args.length < 4 || args.length % 2 != 0)
        {
            out.error("ERR wrong number of arguments for 'config|set' command");
            return;
        }
        final ClientLimits limits = nic.limits();
        final List<String> nicNames = List.of(ClientLimits.NAMES);
        // Check every pair before setting any.
        for (int i = 2; i < args.length; i += 2)
        {
            final String name = new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            final String value = new String(args[i + 1], StandardCharsets.UTF_8);
            if (nicNames.contains(name))
            {
                continue;
            }
            String fixed = name.equals("port") ? Integer.toString(settings.port()) : null;
            for (final String[] p : CONFIG)
            {
                fixed = p[0].equals(name) ? p[1] : fixed;
            }
            if (fixed == null)
            {
                out.error("ERR Unknown option or number of arguments for CONFIG SET - '" + printable(args[i]) + "'");
                return;
            }
            if (!fixed.equalsIgnoreCase(value))
            {
                out.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - the Shoal " +
                    "appliance has only " + name + " '" + fixed + "'");
                return;
            }
        }
        for (int i = 2; i < args.length; i += 2)
        {
            final String name = new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            if (nicNames.contains(name))
            {
                final String problem = limits.set(name, new String(args[i + 1], StandardCharsets.UTF_8));
                if (problem != null)
                {
                    out.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + problem);
                    return;
                }
            }
        }
        out.simple("OK");
    }

    /** CONFIG GET's matching: Redis's glob, ignoring case. */
    static boolean matches(final String pattern, final String name)
    {
        return Glob.matches(pattern.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1),
            name.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void command(final byte[][] args)
    {
        if (args.length == 1)
        {
            out.arrayHeader(Command.values().length);
            for (final Command c : Command.values())
            {
                commandInfo(c);
            }
            return;
        }
        final String sub = new String(args[1], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        switch (sub)
        {
            case "COUNT" ->
            {
                if (args.length != 2)
                {
                    out.error("ERR wrong number of arguments for 'command|count' command");
                    return;
                }
                out.integer(Command.values().length);
            }
            case "DOCS" -> out.arrayHeader(0);
            case "INFO" ->
            {
                out.arrayHeader(args.length - 2);
                for (int i = 2; i < args.length; i++)
                {
                    final Command c = Command.of(args[i], 0, args[i].length);
                    if (c == null)
                    {
                        out.nullBulk();
                    }
                    else
                    {
                        commandInfo(c);
                    }
                }
            }
            default -> out.error("ERR unknown subcommand '" + printable(args[1]) + "'. Try COMMAND HELP.");
        }
    }

    private void commandInfo(final Command c)
    {
        out.arrayHeader(6).bulk(c.name().toLowerCase(Locale.ROOT)).integer(c.arity).arrayHeader(0)
            .integer(c.firstKey).integer(c.lastKey).integer(c.firstKey == 0 ? 0 : c.step);
    }

    private void client(final byte[][] args, final int connection)
    {
        final String sub = new String(args[1], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        switch (sub)
        {
            case "SETNAME", "SETINFO" -> out.simple("OK");
            case "GETNAME" -> out.nullBulk();
            case "ID" -> out.integer(connection);
            default -> out.error("ERR unknown subcommand '" + printable(args[1]) + "'. Try CLIENT HELP.");
        }
    }

    /** A decimal long of the whole array (Redis's string2ll), or Long.MIN_VALUE. */
    static long parseLong(final byte[] b)
    {
        if (b.length == 0 || b.length > 20)
        {
            return Long.MIN_VALUE;
        }
        try
        {
            final String s = new String(b, StandardCharsets.US_ASCII);
            if (s.startsWith("+") || (s.length() > 1 && s.charAt(0) == '0') || s.startsWith("-0"))
            {
                return Long.MIN_VALUE;
            }
            return Long.parseLong(s);
        }
        catch (final NumberFormatException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    private static String printable(final byte[] b)
    {
        final String s = new String(b, 0, Math.min(b.length, 128), StandardCharsets.ISO_8859_1);
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static String argsPreview(final byte[][] args)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 1; i < args.length && sb.length() < 128; i++)
        {
            sb.append('\'').append(printable(args[i])).append("' ");
        }
        return sb.toString();
    }

}
