package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The command table: each command with Redis's arity (negative: at least) and key positions, as COMMAND reports
 * them, and where it runs. The NIC's filter ({@link #filter()}), the session's checks of queued commands and the
 * cores' executor ({@link Commands}) all read it here, so a command is declared once.
 */
enum Command
{
    GET(2, 1, 1, 1), SET(-3, 1, 1, 1), SETNX(3, 1, 1, 1), SETEX(4, 1, 1, 1), PSETEX(4, 1, 1, 1),
    GETDEL(2, 1, 1, 1), DEL(-2, 1, -1, 1, Route.KEY, Span.KEYS), UNLINK(-2, 1, -1, 1, Route.KEY, Span.KEYS),
    EXISTS(-2, 1, -1, 1, Route.KEY, Span.KEYS), INCR(2, 1, 1, 1), DECR(2, 1, 1, 1), INCRBY(3, 1, 1, 1),
    DECRBY(3, 1, 1, 1), APPEND(3, 1, 1, 1), STRLEN(2, 1, 1, 1), TYPE(2, 1, 1, 1),
    MGET(-2, 1, -1, 1, Route.KEY, Span.KEYS), MSET(-3, 1, -1, 2, Route.KEY, Span.KEYS), EXPIRE(-3, 1, 1, 1),
    PEXPIRE(-3, 1, 1, 1), EXPIREAT(-3, 1, 1, 1), PEXPIREAT(-3, 1, 1, 1), TTL(2, 1, 1, 1), PTTL(2, 1, 1, 1),
    PERSIST(2, 1, 1, 1), GETEX(-2, 1, 1, 1), GETSET(3, 1, 1, 1), MSETNX(-3, 1, -1, 2, Route.KEY, Span.KEYS),
    INCRBYFLOAT(3, 1, 1, 1), SETRANGE(4, 1, 1, 1), GETRANGE(4, 1, 1, 1), SETBIT(4, 1, 1, 1), GETBIT(3, 1, 1, 1),
    BITCOUNT(-2, 1, 1, 1), RENAME(3, 1, 2, 1, Route.KEY, Span.KEYS), RENAMENX(3, 1, 2, 1, Route.KEY, Span.KEYS),
    COPY(-3, 1, 2, 1, Route.KEY, Span.KEYS), EXPIRETIME(2, 1, 1, 1), PEXPIRETIME(2, 1, 1, 1),
    /** OBJECT ENCODING key: routed by its key, argument 2. */
    OBJECT(-2, 2, 2, 1), RANDOMKEY(1, 0, 0, 0, Route.CONNECTION, Span.ALL), TIME(1, 0, 0, 0, Route.CONNECTION),
    DBSIZE(1, 0, 0, 0, Route.CORE0, Span.ALL), KEYS(2, 0, 0, 0, Route.CONNECTION, Span.ALL),
    SCAN(-2, 0, 0, 0, Route.CONNECTION, Span.ALL), FLUSHALL(-1, 0, 0, 0, Route.CORE0, Span.ALL),
    FLUSHDB(-1, 0, 0, 0, Route.CORE0, Span.ALL), INFO(-1, 0, 0, 0, Route.CORE0, Span.ALL),
    PING(-1, 0, 0, 0, Route.CONNECTION), ECHO(2, 0, 0, 0, Route.CONNECTION),
    /** On core 0 with INFO: both read the NIC's registers, which a partitioned machine has in partition 0 only. */
    CONFIG(-2, 0, 0, 0, Route.CORE0), COMMAND(-1, 0, 0, 0, Route.CONNECTION),
    SELECT(2, 0, 0, 0, Route.CONNECTION),
    /** FUNCTION FLUSH and LIST only: the appliance has no functions (Redis's test suite flushes them first). */
    FUNCTION(-2, 0, 0, 0, Route.CONNECTION),
    /** A connection's transaction state lives on one core, its home (the connection id modulo the cores). */
    WATCH(-2, 1, -1, 1, Route.CONNECTION, Span.KEYS), UNWATCH(1, 0, 0, 0, Route.CONNECTION),
    MULTI(1, 0, 0, 0, Route.NIC), EXEC(1, 0, 0, 0, Route.CONNECTION, Span.KEYS),
    DISCARD(1, 0, 0, 0, Route.CONNECTION),
    HELLO(-1, 0, 0, 0, Route.NIC), AUTH(-2, 0, 0, 0, Route.NIC), CLIENT(-2, 0, 0, 0, Route.NIC),
    QUIT(-1, 0, 0, 0, Route.CONNECTION), SHUTDOWN(-1, 0, 0, 0, Route.CORE0);

    /** Where the NIC sends a command. */
    enum Route
    {
        /** The owner of its first key (argument 1): the filter's default. */
        KEY,
        /** Any core, spread by connection; a connection's always to the same one. */
        CONNECTION,
        /** Core 0, which reaches the others itself. */
        CORE0,
        /** The NIC's session answers it ({@link NicSession}). */
        NIC
    }

    /** Which shards a command touches besides its first key's. */
    enum Span
    {
        NONE, KEYS, ALL
    }

    final int arity;
    final int firstKey;
    final int lastKey;
    final int step;
    final Route route;
    final Span span;

    Command(final int arity, final int firstKey, final int lastKey, final int step)
    {
        this(arity, firstKey, lastKey, step, Route.KEY, Span.NONE);
    }

    Command(final int arity, final int firstKey, final int lastKey, final int step, final Route route)
    {
        this(arity, firstKey, lastKey, step, route, Span.NONE);
    }

    Command(final int arity, final int firstKey, final int lastKey, final int step, final Route route,
        final Span span)
    {
        this.arity = arity;
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.step = step;
        this.route = route;
        this.span = span;
    }

    private static final NameTable<Command> BY_NAME;

    /** True for the commands that may touch other shards than their first key's ({@link Peers}). */
    boolean spansShards()
    {
        return span != Span.NONE;
    }

    /** True when {@code argc} arguments (the name included) are a valid count for it. */
    boolean arityAllows(final int argc)
    {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** True for the commands a transaction may not queue (they answer at once or end the connection). */
    boolean notInTransaction()
    {
        return this == SHUTDOWN || route == Route.NIC || this == WATCH;
    }

    static
    {
        final java.util.Map<String, Command> names = new java.util.HashMap<>();
        for (final Command c : values())
        {
            names.put(c.name(), c);
        }
        BY_NAME = new NameTable<>(names);
    }

    /** The command named by {@code b[offset, offset + length)}, in any letter case, or null. */
    static Command of(final byte[] b, final int offset, final int length)
    {
        return BY_NAME.get(b, offset, length);
    }

    /**
     * The filter the appliance installs in the NIC, from the table: commands with a key go to its owner (the
     * default action), the others by connection or to core 0; QUIT is its connection's last request, so that, as
     * in Redis, nothing a client pipelines after it runs. The session's own commands need no rule.
     */
    static NicFilter filter()
    {
        final List<NicFilter.Rule> rules = new ArrayList<>();
        for (final Command c : values())
        {
            switch (c.route)
            {
                case CONNECTION -> rules.add(new NicFilter.Rule(c.name(), NicFilter.Action.byConnection(),
                    c == QUIT));
                case CORE0 -> rules.add(new NicFilter.Rule(c.name(), NicFilter.Action.toQueue(0)));
                case KEY ->
                {
                    if (c.firstKey > 1)
                    {
                        rules.add(new NicFilter.Rule(c.name(), NicFilter.Action.byArgument(c.firstKey)));
                    }
                }
                default ->
                {
                    // NIC: the session answers it before the filter is asked.
                }
            }
        }
        return new NicFilter(rules, NicFilter.Action.byArgument(1));
    }

    /** Redis's reply to an unknown command. */
    static String unknown(final byte[][] args)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 1; i < args.length && sb.length() < 128; i++)
        {
            sb.append('\'').append(printable(args[i])).append("' ");
        }
        return "ERR unknown command '" + printable(args[0]) + "', with args beginning with: " + sb;
    }

    /** Redis's reply to a wrong number of arguments. */
    String wrongArity()
    {
        return "ERR wrong number of arguments for '" + name().toLowerCase(java.util.Locale.ROOT) + "' command";
    }

    static String printable(final byte[] b)
    {
        final String s = new String(b, 0, Math.min(b.length, 128), StandardCharsets.ISO_8859_1);
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
