package dev.shoal.apps.kv;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The string commands beyond GET and SET that touch one key on its shard: GETEX, GETSET, INCRBYFLOAT, SETRANGE,
 * GETRANGE, SETBIT, GETBIT, BITCOUNT, EXPIRETIME, PEXPIRETIME, OBJECT ENCODING; and TIME. Replies and error texts
 * are Redis 7's. Part of {@link Commands}, whose writer, shard and time they use; core-local.
 */
final class StringCommands
{
    /** Redis's largest string (512 MB): SETRANGE and SETBIT refuse to grow one past it. */
    private static final long MAX_STRING = 512L << 20;
    /** A decimal number; the exponent has at most four digits, so that no sum needs more than a few KiB. */
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,4})?");

    private final Commands commands;
    private final RespWriter out;
    private final Shard shard;

    StringCommands(final Commands commands, final RespWriter out, final Shard shard)
    {
        this.commands = commands;
        this.out = out;
        this.shard = shard;
    }

    private long now()
    {
        return commands.now;
    }

    private int find(final byte[] key)
    {
        return shard.find(key, KeyHash.fnv1a(key), now());
    }

    /** Writes {@code value} keeping the key's expiry; false (and the OOM error written) when memory is spent. */
    private boolean keep(final byte[] key, final byte[] value)
    {
        if (shard.set(key, KeyHash.fnv1a(key), value, 0, 0, true, now()) == Shard.NO_MEMORY)
        {
            commands.outOfMemory();
            return false;
        }
        return true;
    }

    /**
     * GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]. As in Redis, the options' syntax is checked first,
     * then the key looked up (a missing key answers null), then the time.
     */
    void getex(final byte[][] args)
    {
        String unit = null;
        byte[] time = null;
        boolean persist = false;
        for (int i = 2; i < args.length; i++)
        {
            final String opt = upper(args[i]);
            if (opt.equals("PERSIST") && unit == null && !persist)
            {
                persist = true;
                continue;
            }
            if (!(opt.equals("EX") || opt.equals("PX") || opt.equals("EXAT") || opt.equals("PXAT")) || unit != null ||
                persist || i + 1 >= args.length)
            {
                out.error("ERR syntax error");
                return;
            }
            unit = opt;
            time = args[++i];
        }
        final int slot = find(args[1]);
        if (slot < 0)
        {
            out.nullBulk();
            return;
        }
        long at = -1;
        if (unit != null)
        {
            final long v = Commands.parseLong(time);
            if (v == Long.MIN_VALUE)
            {
                out.error("ERR value is not an integer or out of range");
                return;
            }
            final boolean seconds = unit.equals("EX") || unit.equals("EXAT");
            final boolean relative = unit.equals("EX") || unit.equals("PX");
            if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000) || (relative &&
                (seconds ? v * 1000 : v) > Long.MAX_VALUE - now()))
            {
                out.error("ERR invalid expire time in 'getex' command");
                return;
            }
            at = (seconds ? v * 1000 : v) + (relative ? now() : 0);
        }
        out.bulk(shard.value(slot));
        if (persist)
        {
            shard.setExpiry(slot, 0);
        }
        else if (at >= 0 && at <= now())
        {
            shard.delete(args[1], KeyHash.fnv1a(args[1]), now());
        }
        else if (at >= 0)
        {
            shard.setExpiry(slot, at);
        }
    }

    /** GETSET key value: the old value; the new one without expiry. */
    void getset(final byte[][] args)
    {
        final int mark = out.length();
        commands.get(args[1]);
        if (commands.store(args[1], args[2], 0, 0, false) == Shard.NO_MEMORY)
        {
            out.truncate(mark);
            commands.outOfMemory();
        }
    }

    /**
     * INCRBYFLOAT key increment. Redis adds in a long double and prints 17 decimals without trailing zeros; here
     * the sum is exact decimal arithmetic on the two numbers as written, printed the same way, so that
     * {@code 1.5 + 0.1} is {@code 1.6} as in Redis. Where Redis's binary long double shows through (it answers
     * {@code 1001.59999999999999998} for {@code 1.6 + 1e3}), this answers the exact sum ({@code 1001.6}).
     */
    void incrByFloat(final byte[][] args)
    {
        final int slot = find(args[1]);
        final BigDecimal by = parseDecimal(args[2]);
        final BigDecimal value = slot < 0 ? BigDecimal.ZERO :
            shard.valueLength(slot) > 5000 ? null : parseDecimal(shard.value(slot));
        if (value == null || by == null)
        {
            out.error("ERR value is not a valid float");
            return;
        }
        if (value == INFINITE || by == INFINITE)
        {
            out.error("ERR increment would produce NaN or Infinity");
            return;
        }
        BigDecimal sum = value.add(by);
        if (sum.abs().compareTo(LARGEST) > 0)
        {
            out.error("ERR increment would produce NaN or Infinity");
            return;
        }
        if (sum.scale() > 17)
        {
            sum = sum.setScale(17, RoundingMode.HALF_EVEN);
        }
        String text = sum.signum() == 0 ? "0" : sum.stripTrailingZeros().toPlainString();
        final byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        if (keep(args[1], b))
        {
            out.bulk(b);
        }
    }

    /** SETRANGE key offset value: the new length. */
    void setrange(final byte[][] args)
    {
        final long offset = Commands.parseLong(args[2]);
        if (offset == Long.MIN_VALUE)
        {
            out.error("ERR value is not an integer or out of range");
            return;
        }
        if (offset < 0)
        {
            out.error("ERR offset is out of range");
            return;
        }
        final byte[] patch = args[3];
        final int slot = find(args[1]);
        final byte[] old = slot < 0 ? new byte[0] : shard.value(slot);
        if (patch.length == 0)
        {
            out.integer(old.length);
            return;
        }
        if (offset > MAX_STRING - patch.length)
        {
            out.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            return;
        }
        final byte[] value = Arrays.copyOf(old, (int)Math.max(old.length, offset + patch.length));
        System.arraycopy(patch, 0, value, (int)offset, patch.length);
        if (keep(args[1], value))
        {
            out.integer(value.length);
        }
    }

    /** GETRANGE key start end, with Redis's negative indexes and clamping. */
    void getrange(final byte[][] args)
    {
        long start = Commands.parseLong(args[2]);
        long end = Commands.parseLong(args[3]);
        if (start == Long.MIN_VALUE || end == Long.MIN_VALUE)
        {
            out.error("ERR value is not an integer or out of range");
            return;
        }
        final int slot = find(args[1]);
        final byte[] v = slot < 0 ? new byte[0] : shard.value(slot);
        final long len = v.length;
        if (start < 0 && end < 0 && start > end)
        {
            out.bulk(new byte[0]);
            return;
        }
        start = start < 0 ? Math.max(0, len + start) : start;
        end = end < 0 ? Math.max(0, len + end) : end;
        end = Math.min(end, len - 1);
        if (len == 0 || start > end)
        {
            out.bulk(new byte[0]);
            return;
        }
        out.bulk(v, (int)start, (int)(end - start + 1));
    }

    /** The bit offset of SETBIT/GETBIT, or -1 after writing Redis's error. */
    private long bitOffset(final byte[] arg)
    {
        final long offset = Commands.parseLong(arg);
        if (offset < 0 || offset >= MAX_STRING * 8)
        {
            out.error("ERR bit offset is not an integer or out of range");
            return -1;
        }
        return offset;
    }

    /** SETBIT key offset 0|1: the bit's old value. Bit 0 is the most significant bit of byte 0. */
    void setbit(final byte[][] args)
    {
        final long offset = bitOffset(args[2]);
        if (offset < 0)
        {
            return;
        }
        if (args[3].length != 1 || (args[3][0] != '0' && args[3][0] != '1'))
        {
            out.error("ERR bit is not an integer or out of range");
            return;
        }
        final int slot = find(args[1]);
        final byte[] old = slot < 0 ? new byte[0] : shard.value(slot);
        final int index = (int)(offset >>> 3);
        final byte[] value = old.length > index ? old : Arrays.copyOf(old, index + 1);
        final int mask = 0x80 >>> (int)(offset & 7);
        final int previous = (value[index] & mask) != 0 ? 1 : 0;
        value[index] = (byte)(args[3][0] == '1' ? value[index] | mask : value[index] & ~mask);
        if (keep(args[1], value))
        {
            out.integer(previous);
        }
    }

    /** GETBIT key offset. */
    void getbit(final byte[][] args)
    {
        final long offset = bitOffset(args[2]);
        if (offset < 0)
        {
            return;
        }
        final int slot = find(args[1]);
        final byte[] v = slot < 0 ? new byte[0] : shard.value(slot);
        final long index = offset >>> 3;
        out.integer(index < v.length && (v[(int)index] & (0x80 >>> (int)(offset & 7))) != 0 ? 1 : 0);
    }

    /** BITCOUNT key [start end [BYTE | BIT]]. */
    void bitcount(final byte[][] args)
    {
        if (args.length == 3 || args.length > 5)
        {
            out.error("ERR syntax error");
            return;
        }
        boolean bits = false;
        if (args.length == 5)
        {
            final String unit = upper(args[4]);
            if (!unit.equals("BYTE") && !unit.equals("BIT"))
            {
                out.error("ERR syntax error");
                return;
            }
            bits = unit.equals("BIT");
        }
        long start = 0;
        long end = -1;
        if (args.length >= 4)
        {
            start = Commands.parseLong(args[2]);
            end = Commands.parseLong(args[3]);
            if (start == Long.MIN_VALUE || end == Long.MIN_VALUE)
            {
                out.error("ERR value is not an integer or out of range");
                return;
            }
        }
        final int slot = find(args[1]);
        final byte[] v = slot < 0 ? new byte[0] : shard.value(slot);
        final long len = bits ? v.length * 8L : v.length;
        if (start < 0 && end < 0 && start > end)
        {
            out.integer(0);
            return;
        }
        start = start < 0 ? Math.max(0, len + start) : start;
        end = end < 0 ? Math.max(0, len + end) : end;
        end = Math.min(end, len - 1);
        long n = 0;
        for (long i = start; i <= end; i++)
        {
            n += bits ? ((v[(int)(i >>> 3)] & (0x80 >>> (int)(i & 7))) != 0 ? 1 : 0) : Integer.bitCount(v[(int)i] & 0xFF);
        }
        out.integer(n);
    }

    /** EXPIRETIME / PEXPIRETIME key: the absolute expiry, -1 without one, -2 without the key. */
    void expiretime(final byte[][] args, final boolean millis)
    {
        final int slot = find(args[1]);
        if (slot < 0)
        {
            out.integer(-2);
            return;
        }
        final long at = shard.expireAt(slot);
        out.integer(at == 0 ? -1 : millis ? at : at / 1000);
    }

    /** OBJECT ENCODING key (int, embstr or raw, as Redis would keep the string); OBJECT FREQ and the rest are not. */
    void object(final byte[][] args)
    {
        final String sub = upper(args[1]);
        if (!sub.equals("ENCODING"))
        {
            out.error("ERR unknown subcommand '" + Command.printable(args[1]) + "'. Try OBJECT HELP.");
            return;
        }
        if (args.length != 3)
        {
            out.error("ERR wrong number of arguments for 'object|encoding' command");
            return;
        }
        final int slot = find(args[2]);
        if (slot < 0)
        {
            out.nullBulk();
            return;
        }
        final int length = shard.valueLength(slot);
        if (length <= 20 && Commands.parseLong(shard.value(slot)) != Long.MIN_VALUE)
        {
            out.bulk("int");
        }
        else
        {
            out.bulk(length <= 44 ? "embstr" : "raw");
        }
    }

    /**
     * TIME: the device time the NIC stamped the request with (host wall time, read by the device, never by the
     * core), in seconds and microseconds; its resolution is the stamp's, a millisecond.
     */
    void time()
    {
        out.arrayHeader(2).bulk(Long.toString(now() / 1000)).bulk(Long.toString(now() % 1000 * 1000));
    }

    /** Stands for an infinite number ("inf", as strtold reads it). */
    private static final BigDecimal INFINITE = new BigDecimal("1e400000");
    /** Beyond this a long double's range ends too: Redis answers that the increment overflows. */
    private static final BigDecimal LARGEST = new BigDecimal("1e4932");

    /** A decimal number as Redis's string2ld takes it; {@link #INFINITE} for inf; null when it is not one. */
    private static BigDecimal parseDecimal(final byte[] b)
    {
        final String s = new String(b, StandardCharsets.ISO_8859_1);
        if (s.toLowerCase(Locale.ROOT).matches("[+-]?inf(inity)?"))
        {
            return INFINITE;
        }
        if (!FLOAT.matcher(s).matches())
        {
            return null;
        }
        try
        {
            final BigDecimal d = new BigDecimal(s.startsWith("+") ? s.substring(1) : s);
            return d.abs().compareTo(LARGEST) > 0 ? INFINITE : d;
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            return null;
        }
    }

    private static String upper(final byte[] b)
    {
        return new String(b, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }
}
