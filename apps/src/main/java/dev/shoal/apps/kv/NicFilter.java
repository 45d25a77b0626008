package dev.shoal.apps.kv;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The packet filter an application downloads into the {@link Nic} (the exokernel's downloadable filter role): a
 * small declarative table, not code, that the NIC validates when it is installed and then consults for every
 * request to pick the receive queue (core) it goes to.
 *
 * <p>A filter is a list of rules {@code command → action} plus a default action. The actions are
 * <ul>
 *   <li>{@code BY_ARGUMENT i}: the queue that owns argument {@code i} (1 = the first key), by
 *       {@link KeyHash#shardOf}; a request with fewer arguments goes to queue 0;</li>
 *   <li>{@code TO_QUEUE q}: always queue {@code q};</li>
 *   <li>{@code BY_CONNECTION}: the connection id modulo the queue count (spreads keyless commands).</li>
 * </ul>
 * A rule may also mark its command as the connection's last request ({@link Rule#endsConnection()}, Redis's QUIT):
 * the NIC then routes it as the action says and reads nothing more from that connection; what the client sent after
 * it is dropped, as Redis drops it, and the NIC closes the connection once that request's reply is sent.
 *
 * <p>Limits checked at installation: at most {@link #MAX_RULES} rules; command names of 1 to 32 letters, digits,
 * '-' or '_', each named once; argument indexes 1 to {@link #MAX_ARGUMENT}; queues below the NIC's queue count.
 * The NIC takes it as bytes ({@link #encode()} / {@link #decode(byte[], int)}), so nothing but data crosses from
 * the core to the device.
 */
public record NicFilter(List<Rule> rules, Action otherwise)
{
    public static final int MAX_RULES = 64;
    public static final int MAX_ARGUMENT = 16;
    private static final int MAGIC = 0x4B564631; // "KVF1"

    public enum Kind
    {
        BY_ARGUMENT, TO_QUEUE, BY_CONNECTION
    }

    public record Action(Kind kind, int value)
    {
        public static Action byArgument(final int index)
        {
            return new Action(Kind.BY_ARGUMENT, index);
        }

        public static Action toQueue(final int queue)
        {
            return new Action(Kind.TO_QUEUE, queue);
        }

        public static Action byConnection()
        {
            return new Action(Kind.BY_CONNECTION, 0);
        }
    }

    /** {@code command → action}; with {@code endsConnection}, the request is the last the NIC reads of its connection. */
    public record Rule(String command, Action action, boolean endsConnection)
    {
        public Rule(final String command, final Action action)
        {
            this(command, action, false);
        }
    }

    public NicFilter
    {
        rules = List.copyOf(rules);
    }

    /** The bytes the NIC installs. */
    public byte[] encode()
    {
        final ByteBuffer b = ByteBuffer.allocate(16 + rules.size() * 41);
        b.putInt(MAGIC).putShort((short)rules.size());
        for (final Rule r : rules)
        {
            final byte[] name = r.command().getBytes(StandardCharsets.US_ASCII);
            b.put((byte)name.length).put(name);
            put(b, r.action());
            b.put((byte)(r.endsConnection() ? 1 : 0));
        }
        put(b, otherwise);
        final byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void put(final ByteBuffer b, final Action a)
    {
        b.put((byte)a.kind().ordinal()).putShort((short)a.value());
    }

    /**
     * Decodes and validates filter bytes for a NIC of {@code queues} queues.
     *
     * @throws IllegalArgumentException naming the first problem.
     */
    public static NicFilter decode(final byte[] bytes, final int queues)
    {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        try
        {
            if (b.getInt() != MAGIC)
            {
                throw new IllegalArgumentException("filter: not a key-value filter (bad magic)");
            }
            final int n = b.getShort();
            if (n < 0 || n > MAX_RULES)
            {
                throw new IllegalArgumentException("filter: " + n + " rules, at most " + MAX_RULES);
            }
            final List<Rule> rules = new ArrayList<>(n);
            final Map<String, Boolean> seen = new HashMap<>();
            for (int i = 0; i < n; i++)
            {
                final int length = b.get();
                if (length < 1 || length > 32)
                {
                    throw new IllegalArgumentException("filter: rule " + i + " has a command name of " + length +
                        " bytes, 1..32");
                }
                final byte[] name = new byte[length];
                b.get(name);
                final String command = new String(name, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
                if (!command.matches("[A-Z0-9_-]+"))
                {
                    throw new IllegalArgumentException("filter: rule " + i + " names command '" + command +
                        "': letters, digits, '-' and '_' only");
                }
                if (seen.put(command, Boolean.TRUE) != null)
                {
                    throw new IllegalArgumentException("filter: command " + command + " has two rules");
                }
                final Action action = action(b, queues, "rule " + i);
                final int ends = b.get();
                if (ends != 0 && ends != 1)
                {
                    throw new IllegalArgumentException("filter: rule " + i + " has end-of-connection flag " + ends +
                        ", 0 or 1");
                }
                rules.add(new Rule(command, action, ends == 1));
            }
            final Action otherwise = action(b, queues, "the default action");
            if (b.hasRemaining())
            {
                throw new IllegalArgumentException("filter: " + b.remaining() + " bytes after the default action");
            }
            return new NicFilter(rules, otherwise);
        }
        catch (final BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("filter: truncated (" + bytes.length + " bytes)");
        }
    }

    private static Action action(final ByteBuffer b, final int queues, final String where)
    {
        final int kind = b.get();
        final int value = b.getShort();
        if (kind < 0 || kind >= Kind.values().length)
        {
            throw new IllegalArgumentException("filter: " + where + " has unknown action kind " + kind);
        }
        final Action a = new Action(Kind.values()[kind], value);
        switch (a.kind())
        {
            case BY_ARGUMENT ->
            {
                if (value < 1 || value > MAX_ARGUMENT)
                {
                    throw new IllegalArgumentException("filter: " + where + " routes by argument " + value +
                        ", 1.." + MAX_ARGUMENT);
                }
            }
            case TO_QUEUE ->
            {
                if (value < 0 || value >= queues)
                {
                    throw new IllegalArgumentException("filter: " + where + " sends to queue " + value +
                        " of a NIC with " + queues + " queues");
                }
            }
            case BY_CONNECTION ->
            {
                if (value != 0)
                {
                    throw new IllegalArgumentException("filter: " + where + " has a value for BY_CONNECTION");
                }
            }
        }
        return a;
    }

    /** The rules as the NIC consults them: the rule for a command name given as bytes, in any case. */
    NameTable<Rule> table()
    {
        final Map<String, Rule> t = new HashMap<>();
        for (final Rule r : rules)
        {
            t.put(r.command().toUpperCase(Locale.ROOT), r);
        }
        return new NameTable<>(t);
    }
}
