package dev.shoal.apps.kv;

import java.util.List;

/**
 * WATCH, UNWATCH, DISCARD and EXEC on a connection's home core (the NIC sends them all there, by connection, and
 * queues MULTI's commands itself, {@link NicSession}). Part of {@link Commands}; core-local.
 */
final class TransactionCommands
{
    private final Commands commands;
    private final RespWriter out;
    private final Peers peers;
    private final int self;
    private final int shards;
    /** WATCH's keys and tokens, by connection. */
    private final java.util.Map<Integer, List<Watched>> watches = new java.util.HashMap<>();

    private record Watched(byte[] key, int shard, long token)
    {
    }

    TransactionCommands(final Commands commands, final RespWriter out, final Peers peers, final int self,
        final int shards)
    {
        this.commands = commands;
        this.out = out;
        this.peers = peers;
        this.self = self;
        this.shards = shards;
    }

    /** UNWATCH and DISCARD (the NIC dropped the queued commands): forgets the connection's watched keys. */
    void unwatch(final int connection)
    {
        watches.remove(connection);
        out.simple("OK");
    }

    /** WATCH key...: remembers each key's token ({@link Shard#token}), read under its shard's lock. */
    void watch(final byte[][] args, final int connection)
    {
        final byte[][] keys = java.util.Arrays.copyOfRange(args, 1, args.length);
        final int[][] where = new int[shards][];
        final Object[] results = peers.fanOut(Peers.TOKENS, commands.now, keys, 1, false, where);
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
    void exec(final byte[][] args, final int connection)
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
            final int n = (int)Commands.parseLong(args[i]);
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
            peers.lockAll(need, commands.now);
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
                    commands.execute(cmd, connection);
                }
                else
                {
                    out.raw(peers.run(owner, cmd, out.resp3(), commands.now));
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
        final Object[] results = peers.runLocked(Peers.TOKENS, commands.now, parts);
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
}
