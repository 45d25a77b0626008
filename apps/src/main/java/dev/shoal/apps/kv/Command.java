package dev.shoal.apps.kv;

/** The commands, with Redis's arity (negative: at least) and key positions, as COMMAND reports them. */
enum Command
{
    GET(2, 1, 1, 1), SET(-3, 1, 1, 1), SETNX(3, 1, 1, 1), SETEX(4, 1, 1, 1), PSETEX(4, 1, 1, 1),
    GETDEL(2, 1, 1, 1), DEL(-2, 1, -1, 1), UNLINK(-2, 1, -1, 1), EXISTS(-2, 1, -1, 1), INCR(2, 1, 1, 1),
    DECR(2, 1, 1, 1), INCRBY(3, 1, 1, 1), DECRBY(3, 1, 1, 1), APPEND(3, 1, 1, 1), STRLEN(2, 1, 1, 1),
    TYPE(2, 1, 1, 1), MGET(-2, 1, -1, 1), MSET(-3, 1, -1, 2), EXPIRE(3, 1, 1, 1), PEXPIRE(3, 1, 1, 1),
    EXPIREAT(3, 1, 1, 1), PEXPIREAT(3, 1, 1, 1), TTL(2, 1, 1, 1), PTTL(2, 1, 1, 1), PERSIST(2, 1, 1, 1),
    DBSIZE(1, 0, 0, 0), KEYS(2, 0, 0, 0), SCAN(-2, 0, 0, 0), FLUSHALL(-1, 0, 0, 0), FLUSHDB(-1, 0, 0, 0),
    PING(-1, 0, 0, 0), ECHO(2, 0, 0, 0), INFO(-1, 0, 0, 0), CONFIG(-2, 0, 0, 0), COMMAND(-1, 0, 0, 0), SELECT(2, 0, 0, 0), CLIENT(-2, 0, 0, 0),
    QUIT(-1, 0, 0, 0), SHUTDOWN(-1, 0, 0, 0);

    final int arity;
    final int firstKey;
    final int lastKey;
    final int step;

    Command(final int arity, final int firstKey, final int lastKey, final int step)
    {
        this.arity = arity;
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.step = step;
    }

    private static final NameTable<Command> BY_NAME;

    /** True for the commands that may touch other shards than their first key's ({@link Peers}). */
    boolean spansShards()
    {
        return switch (this)
        {
            case DEL, UNLINK, EXISTS, MGET, MSET, DBSIZE, KEYS, SCAN, FLUSHALL, FLUSHDB, INFO -> true;
            default -> false;
        };
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
}
