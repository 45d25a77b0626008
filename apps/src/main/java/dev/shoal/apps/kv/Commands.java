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
 * <p>This class dispatches by the command table ({@link Command}) and holds the basic string and key commands;
 * the families are {@link StringCommands}, {@link KeyspaceCommands}, {@link TransactionCommands} and
 * {@link ServerCommands}.
 *
 * <p>Core-local.
 */
final class Commands
{
    private final RespWriter out;
    private final Shard shard;
    private final Peers peers;
    private final KvAppliance.Settings settings;
    private final NicRegisters nic;
    private final int shards;
    private final int self;
    private final StringCommands strings;
    private final KeyspaceCommands keyspace;
    private final ServerCommands server;
    private final TransactionCommands transactions;
    /** The latest device time seen (ms): the core's notion of wall time for expiry; set before each command. */
    long now;

    Commands(final RespWriter out, final Shard shard, final Peers peers, final KvAppliance.Settings settings,
        final NicRegisters nic, final int self, final int shards)
    {
        this.self = self;
        this.strings = new StringCommands(this, out, shard);
        this.keyspace = new KeyspaceCommands(this, out, peers, self, shards);
        this.server = new ServerCommands(this, out, peers, settings, nic, shards);
        this.transactions = new TransactionCommands(this, out, peers, self, shards);
        this.out = out;
        this.shard = shard;
        this.peers = peers;
        this.settings = settings;
        this.nic = nic;
        this.shards = shards;
    }

    /** The shard, and core, this executor runs on. */
    int self()
    {
        return self;
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
            case DBSIZE -> out.integer(server.stats()[0]);
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
            case INFO ->
            {
                if (!server.refusedWithoutNic(command))
                {
                    out.verbatim(server.info(args));
                }
            }
            case CONFIG ->
            {
                if (!server.refusedWithoutNic(command))
                {
                    server.config(args);
                }
            }
            case COMMAND -> server.command(args);
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
            case FUNCTION -> function(args);
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
            case WATCH -> transactions.watch(args, connection);
            case UNWATCH, DISCARD -> transactions.unwatch(connection);
            case EXEC -> transactions.exec(args, connection);
            case MULTI, HELLO, AUTH, CLIENT -> out.error("ERR " + command.name() + " reached a core: the NIC answers it");
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

    /** FUNCTION: the appliance runs no functions, so FLUSH has nothing to do and LIST nothing to show. */
    private void function(final byte[][] args)
    {
        final String sub = new String(args[1], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        if (sub.equals("FLUSH") && (args.length == 2 || args.length == 3 && java.util.List.of("ASYNC", "SYNC").contains(
            new String(args[2], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT))))
        {
            out.simple("OK");
        }
        else if (sub.equals("FLUSH"))
        {
            out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        }
        else if (sub.equals("LIST"))
        {
            out.arrayHeader(0);
        }
        else
        {
            out.error("ERR unknown subcommand '" + Command.printable(args[1]) +
                "'. Try FUNCTION HELP.");
        }
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
}
