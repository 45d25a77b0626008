package dev.shoal.apps.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The commands that may move or check keys on several shards at once: RENAME, RENAMENX, COPY, MSETNX, and
 * RANDOMKEY. Each takes the locks of the shards it touches for its whole run (strict two-phase locking,
 * {@link Peers#lockAll}), unless it runs inside a transaction that holds them already, so no client sees it half
 * done. Replies are Redis 7's. Part of {@link Commands}; core-local.
 */
final class KeyspaceCommands
{
    private final Commands commands;
    private final RespWriter out;
    private final Peers peers;
    private final int shards;
    /** RANDOMKEY's randomness: seeded by the core, never the host's. */
    private final SplittableRandom random;

    KeyspaceCommands(final Commands commands, final RespWriter out, final Peers peers, final int self,
        final int shards)
    {
        this.commands = commands;
        this.out = out;
        this.peers = peers;
        this.shards = shards;
        this.random = new SplittableRandom(0x5EED_0000L + self);
    }

    private static int shardOf(final int shards, final byte[] key)
    {
        return KeyHash.shardOf(KeyHash.fnv1a(key), shards);
    }

    /** Runs {@code body} holding the locks of the shards of {@code keys} (or inside the transaction's). */
    private void locked(final byte[][] keys, final Runnable body)
    {
        final boolean outer = peers.inTransaction();
        if (!outer)
        {
            final boolean[] need = new boolean[shards];
            for (final byte[] k : keys)
            {
                need[shardOf(shards, k)] = true;
            }
            peers.lockAll(need, commands.now);
        }
        try
        {
            body.run();
        }
        finally
        {
            if (!outer)
            {
                peers.unlockAll();
            }
        }
    }

    /** RENAME / RENAMENX source destination; the expiry moves with the value. */
    void rename(final byte[][] args, final boolean nx)
    {
        locked(new byte[][] {args[1], args[2]}, () ->
        {
            final byte[][] dump = (byte[][])peers.runOn(shardOf(shards, args[1]), Peers.DUMP, commands.now,
                new byte[][] {args[1]});
            if (dump.length == 0)
            {
                out.error("ERR no such key");
                return;
            }
            if (Arrays.equals(args[1], args[2]))
            {
                if (nx)
                {
                    out.integer(0);
                }
                else
                {
                    out.simple("OK");
                }
                return;
            }
            final long r = restore(args[2], dump, nx);
            if (r == 2)
            {
                out.integer(0);
                return;
            }
            if (r == 1)
            {
                commands.outOfMemory();
                return;
            }
            peers.runOn(shardOf(shards, args[1]), Peers.DEL, commands.now, new byte[][] {args[1]});
            if (nx)
            {
                out.integer(1);
            }
            else
            {
                out.simple("OK");
            }
        });
    }

    /** COPY source destination [DB 0] [REPLACE]. */
    void copy(final byte[][] args)
    {
        boolean replace = false;
        for (int i = 3; i < args.length; i++)
        {
            final String opt = new String(args[i], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
            if (opt.equals("REPLACE"))
            {
                replace = true;
            }
            else if (opt.equals("DB") && i + 1 < args.length)
            {
                final long db = Commands.parseLong(args[++i]);
                if (db == Long.MIN_VALUE)
                {
                    out.error("ERR value is not an integer or out of range");
                    return;
                }
                if (db != 0)
                {
                    out.error("ERR DB index is out of range");
                    return;
                }
            }
            else
            {
                out.error("ERR syntax error");
                return;
            }
        }
        if (Arrays.equals(args[1], args[2]))
        {
            out.error("ERR source and destination objects are the same");
            return;
        }
        final boolean overwrite = replace;
        locked(new byte[][] {args[1], args[2]}, () ->
        {
            final byte[][] dump = (byte[][])peers.runOn(shardOf(shards, args[1]), Peers.DUMP, commands.now,
                new byte[][] {args[1]});
            if (dump.length == 0)
            {
                out.integer(0);
                return;
            }
            final long r = restore(args[2], dump, !overwrite);
            if (r == 1)
            {
                commands.outOfMemory();
                return;
            }
            out.integer(r == 0 ? 1 : 0);
        });
    }

    private long restore(final byte[] key, final byte[][] dump, final boolean onlyIfAbsent)
    {
        return (Long)peers.runOn(shardOf(shards, key), Peers.RESTORE, commands.now,
            new byte[][] {key, dump[0], dump[1], {(byte)(onlyIfAbsent ? 1 : 0)}});
    }

    /** MSETNX key value...: all the keys are set, and only if none exists. */
    void msetnx(final byte[][] args)
    {
        if (args.length % 2 != 1)
        {
            out.error("ERR wrong number of arguments for 'msetnx' command");
            return;
        }
        final byte[][] pairs = Arrays.copyOfRange(args, 1, args.length);
        final byte[][] keys = new byte[pairs.length / 2][];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = pairs[2 * i];
        }
        locked(keys, () ->
        {
            long existing = 0;
            for (final Object r : peers.fanOut(Peers.EXISTS, commands.now, keys, 1, false, new int[shards][]))
            {
                existing += r == null ? 0 : (Long)r;
            }
            if (existing > 0)
            {
                out.integer(0);
                return;
            }
            long failed = 0;
            for (final Object r : peers.fanOut(Peers.MSET, commands.now, pairs, 2, false, new int[shards][]))
            {
                failed += r == null ? 0 : (Long)r;
            }
            if (failed > 0)
            {
                commands.outOfMemory();
            }
            else
            {
                out.integer(1);
            }
        });
    }

    /** RANDOMKEY: a key of a shard picked at random (trying the others if it has none), or null. */
    void randomKey()
    {
        final int start = random.nextInt(shards);
        for (int i = 0; i < shards; i++)
        {
            final byte[][] r = (byte[][])peers.runOn((start + i) % shards, Peers.RANDOM, commands.now,
                new byte[][] {ByteBuffer.allocate(8).putLong(random.nextLong()).array()});
            if (r.length > 0)
            {
                out.bulk(r[0]);
                return;
            }
        }
        out.nullBulk();
    }
}
