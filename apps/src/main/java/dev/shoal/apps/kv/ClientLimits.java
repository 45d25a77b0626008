package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The NIC's per-client limits and the password, named and written as Redis names and writes them: device
 * registers that the NIC reads for every connection and a core sets for {@code CONFIG SET} (as a core installs the
 * filter). Values are single volatile words, so a core's write is seen by the NIC's next read and nothing else is
 * shared.
 *
 * <ul>
 *   <li>{@code proto-max-bulk-len} (default 512 MB, at least 1 MB): a longer bulk string is a protocol error;</li>
 *   <li>{@code client-query-buffer-limit} (default 1 GB, at least 1 MB): a request frame declaring more bytes closes
 *       its connection without a reply, as Redis closes a client whose query buffer passes it;</li>
 *   <li>{@code client-output-buffer-limit} for normal clients (default {@code normal 64mb 0 0}, where Redis has no
 *       limit): a client whose unsent replies pass the hard limit, or stay above the soft limit for the soft
 *       seconds, is closed, so that a client that does not read cannot exhaust the NIC's memory;</li>
 *   <li>{@code requirepass} (default none): clients must AUTH first.</li>
 * </ul>
 */
final class ClientLimits
{
    static final long MB = 1L << 20;
    static final long DEFAULT_PROTO_MAX_BULK_LEN = 512 * MB;
    static final long DEFAULT_QUERY_BUFFER_LIMIT = 1024 * MB;
    static final long DEFAULT_OUTPUT_HARD_LIMIT = 64 * MB;
    /** The NIC's output buffers are int-indexed: no limit is taken above this. */
    static final long MAX_OUTPUT_LIMIT = 1024 * MB;

    /** The parameters, as CONFIG GET lists them. */
    static final String[] NAMES = {"proto-max-bulk-len", "client-query-buffer-limit", "client-output-buffer-limit",
        "requirepass"};

    volatile long protoMaxBulkLen = DEFAULT_PROTO_MAX_BULK_LEN;
    volatile long queryBufferLimit = DEFAULT_QUERY_BUFFER_LIMIT;
    private volatile OutputLimit normal = new OutputLimit(DEFAULT_OUTPUT_HARD_LIMIT, 0, 0);
    /** Kept only to be shown again: this appliance has no replicas and no pub/sub clients. */
    private volatile String otherClasses = "replica 268435456 67108864 60 pubsub 33554432 8388608 60";
    private volatile byte[] password;

    /** A class's limits: bytes, bytes, seconds; 0 means none. */
    record OutputLimit(long hard, long soft, long softSeconds)
    {
    }

    ClientLimits(final String requirepass)
    {
        password = requirepass == null || requirepass.isEmpty() ? null :
            requirepass.getBytes(StandardCharsets.UTF_8);
    }

    OutputLimit normal()
    {
        return normal;
    }

    /** True when clients must authenticate. */
    boolean passwordRequired()
    {
        return password != null;
    }

    /** Compares in time independent of where the first difference is. */
    boolean passwordMatches(final byte[] b, final int offset, final int length)
    {
        final byte[] p = password;
        if (p == null)
        {
            return false;
        }
        final byte[] given = java.util.Arrays.copyOfRange(b, offset, offset + length);
        return MessageDigest.isEqual(p, given);
    }

    /** The value CONFIG GET shows for {@code name} (one of {@link #NAMES}). */
    String get(final String name)
    {
        return switch (name)
        {
            case "proto-max-bulk-len" -> Long.toString(protoMaxBulkLen);
            case "client-query-buffer-limit" -> Long.toString(queryBufferLimit);
            case "client-output-buffer-limit" ->
            {
                final OutputLimit n = normal;
                yield "normal " + n.hard() + " " + n.soft() + " " + n.softSeconds() + " " + otherClasses;
            }
            case "requirepass" ->
            {
                final byte[] p = password;
                yield p == null ? "" : new String(p, StandardCharsets.UTF_8);
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * CONFIG SET {@code name value}.
     *
     * @return null when set, else the reason in Redis's words (the part after "argument '...' - ").
     */
    String set(final String name, final String value)
    {
        switch (name)
        {
            case "proto-max-bulk-len", "client-query-buffer-limit" ->
            {
                final long v = memory(value);
                if (v == Long.MIN_VALUE)
                {
                    return "argument must be a memory value";
                }
                if (v < MB)
                {
                    return "argument must be between " + MB + " and " + Long.MAX_VALUE + " inclusive";
                }
                if (name.equals("proto-max-bulk-len"))
                {
                    protoMaxBulkLen = v;
                }
                else
                {
                    queryBufferLimit = v;
                }
                return null;
            }
            case "client-output-buffer-limit" ->
            {
                return setOutputLimit(value);
            }
            case "requirepass" ->
            {
                password = value.isEmpty() ? null : value.getBytes(StandardCharsets.UTF_8);
                return null;
            }
            default -> throw new IllegalArgumentException(name);
        }
    }

    private String setOutputLimit(final String value)
    {
        final String[] w = value.trim().split("\\s+");
        if (w.length == 0 || w.length % 4 != 0)
        {
            return "Wrong number of arguments in buffer limit configuration.";
        }
        OutputLimit n = normal;
        final StringBuilder others = new StringBuilder();
        for (int i = 0; i < w.length; i += 4)
        {
            final String cls = w[i].toLowerCase(Locale.ROOT);
            final long hard = memory(w[i + 1]);
            final long soft = memory(w[i + 2]);
            final long seconds = memory(w[i + 3]);
            if (!cls.equals("normal") && !cls.equals("replica") && !cls.equals("slave") && !cls.equals("pubsub"))
            {
                return "Invalid client class specified in buffer limit configuration.";
            }
            if (hard < 0 || soft < 0 || seconds < 0)
            {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            }
            if (hard > MAX_OUTPUT_LIMIT || soft > MAX_OUTPUT_LIMIT)
            {
                return "the appliance takes buffer limits of at most " + MAX_OUTPUT_LIMIT + " bytes";
            }
            if (cls.equals("normal"))
            {
                n = new OutputLimit(hard, soft, seconds);
            }
            else
            {
                others.append(others.isEmpty() ? "" : " ").append(cls.equals("slave") ? "replica" : cls).append(' ')
                    .append(hard).append(' ').append(soft).append(' ').append(seconds);
            }
        }
        normal = n;
        if (!others.isEmpty())
        {
            otherClasses = others.toString();
        }
        return null;
    }

    /** Redis's memory values: bytes, or a number with k/kb/m/mb/g/gb (any case); Long.MIN_VALUE if not one. */
    static long memory(final String s)
    {
        final String v = s.toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < v.length() && (Character.isDigit(v.charAt(i)) || (i == 0 && v.charAt(i) == '-')))
        {
            i++;
        }
        final long unit = switch (v.substring(i))
        {
            case "" -> 1;
            case "b" -> 1;
            case "k" -> 1000;
            case "kb" -> 1024;
            case "m" -> 1000_000;
            case "mb" -> 1024 * 1024;
            case "g" -> 1000_000_000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> 0;
        };
        if (unit == 0 || i == 0 || i > 19)
        {
            return Long.MIN_VALUE;
        }
        try
        {
            return Math.multiplyExact(Long.parseLong(v.substring(0, i)), unit);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            return Long.MIN_VALUE;
        }
    }
}
