package dev.shoal.apps.kv;

/**
 * Finds RESP request frames in a connection's input, as the NIC must to apply its filter: arrays of bulk strings
 * ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}, what clients send) and inline commands ({@code GET k\r\n}, what a
 * person types into {@code nc}). It records where each argument lies; it copies nothing.
 *
 * <p>Used only by the NIC's thread.
 */
final class RespReader
{
    static final int NEED_MORE = 0;
    static final int FRAME = 1;
    static final int ERROR = 2;
    /** An empty frame ({@code *0}, a blank inline line): consumed, nothing to answer. */
    static final int EMPTY = 3;

    static final int MAX_ARGS = 1 << 20;
    static final int MAX_INLINE = 64 << 10;

    private final int maxBulk;
    int argc;
    int[] argOffset = new int[16];
    int[] argLength = new int[16];
    /** Where the frame (or the bytes skipped after an error) ended. */
    int end;
    String error;

    RespReader(final int maxBulk)
    {
        this.maxBulk = maxBulk;
    }

    /** Parses one frame of {@code buf[from, to)}. */
    int parse(final byte[] buf, final int from, final int to)
    {
        argc = 0;
        if (from >= to)
        {
            return NEED_MORE;
        }
        return buf[from] == '*' ? parseArray(buf, from, to) : parseInline(buf, from, to);
    }

    private int parseArray(final byte[] buf, final int from, final int to)
    {
        int p = from + 1;
        final int lineEnd = lineEnd(buf, p, to);
        if (lineEnd < 0)
        {
            return to - from > MAX_INLINE ? fail(buf, from, to, "too big multibulk header") : NEED_MORE;
        }
        final long n = number(buf, p, lineEnd);
        if (n == Long.MIN_VALUE || n > MAX_ARGS)
        {
            return fail(buf, from, to, "invalid multibulk length");
        }
        p = lineEnd + 2;
        if (n <= 0)
        {
            end = p;
            return EMPTY;
        }
        for (int i = 0; i < n; i++)
        {
            if (p >= to)
            {
                return NEED_MORE;
            }
            if (buf[p] != '$')
            {
                return fail(buf, p, to, "expected '$', got '" + printable(buf[p]) + "'");
            }
            final int le = lineEnd(buf, p + 1, to);
            if (le < 0)
            {
                return to - p > 64 ? fail(buf, p, to, "invalid bulk length") : NEED_MORE;
            }
            final long len = number(buf, p + 1, le);
            if (len < 0 || len > maxBulk)
            {
                return fail(buf, p, to, "invalid bulk length");
            }
            final int data = le + 2;
            if ((long)data + len + 2 > to)
            {
                return NEED_MORE;
            }
            if (buf[data + (int)len] != '\r' || buf[data + (int)len + 1] != '\n')
            {
                return fail(buf, data + (int)len, to, "bulk string not followed by CRLF");
            }
            add(data, (int)len);
            p = data + (int)len + 2;
        }
        end = p;
        return FRAME;
    }

    private int parseInline(final byte[] buf, final int from, final int to)
    {
        int nl = -1;
        for (int i = from; i < to; i++)
        {
            if (buf[i] == '\n')
            {
                nl = i;
                break;
            }
        }
        if (nl < 0)
        {
            return to - from > MAX_INLINE ? fail(buf, from, to, "too big inline request") : NEED_MORE;
        }
        end = nl + 1;
        int stop = nl > from && buf[nl - 1] == '\r' ? nl - 1 : nl;
        int i = from;
        while (i < stop)
        {
            while (i < stop && (buf[i] == ' ' || buf[i] == '\t'))
            {
                i++;
            }
            final int start = i;
            while (i < stop && buf[i] != ' ' && buf[i] != '\t')
            {
                i++;
            }
            if (i > start)
            {
                add(start, i - start);
            }
        }
        return argc == 0 ? EMPTY : FRAME;
    }

    private void add(final int offset, final int length)
    {
        if (argc == argOffset.length)
        {
            argOffset = java.util.Arrays.copyOf(argOffset, argc * 2);
            argLength = java.util.Arrays.copyOf(argLength, argc * 2);
        }
        argOffset[argc] = offset;
        argLength[argc] = length;
        argc++;
    }

    /** Reports an error and skips to just past the next newline at or after {@code at} (or all input). */
    private int fail(final byte[] buf, final int at, final int to, final String message)
    {
        error = "ERR Protocol error: " + message;
        argc = 0;
        end = to;
        for (int i = at; i < to; i++)
        {
            if (buf[i] == '\n')
            {
                end = i + 1;
                break;
            }
        }
        return ERROR;
    }

    /** Index of the '\r' of the CRLF ending the line that starts at {@code from}, or -1 when not all read. */
    private static int lineEnd(final byte[] buf, final int from, final int to)
    {
        for (int i = from; i + 1 < to; i++)
        {
            if (buf[i] == '\r' && buf[i + 1] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    /** A decimal integer of {@code buf[from, to)}, or Long.MIN_VALUE when it is not one. */
    private static long number(final byte[] buf, final int from, final int to)
    {
        if (from >= to || to - from > 18)
        {
            return Long.MIN_VALUE;
        }
        int i = from;
        final boolean negative = buf[i] == '-';
        if (negative && ++i == to)
        {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < to; i++)
        {
            final int d = buf[i] - '0';
            if (d < 0 || d > 9)
            {
                return Long.MIN_VALUE;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private static String printable(final byte b)
    {
        return b >= 32 && b < 127 ? String.valueOf((char)b) : String.format("\\x%02x", b & 0xFF);
    }
}
