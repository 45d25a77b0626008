package dev.shoal.apps.kv;

/**
 * Finds RESP request frames in a connection's input, as the NIC must to apply its filter: arrays of bulk strings
 * ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}, what clients send) and inline commands ({@code GET k\r\n}, what a
 * person types into {@code nc}, with Redis's quoting). It records where each argument lies; it copies nothing
 * (an inline argument with quotes or escapes is unescaped in place, never longer than it was).
 *
 * <p>What it refuses, and how the NIC answers:
 * <ul>
 *   <li>{@link #ERROR}: a malformed frame, a header line or inline request over 64 KiB without its end, a bulk length
 *       over {@code proto-max-bulk-len}. Redis's text in {@link #error}; the NIC answers it once and closes the
 *       connection, because the frame's end is unknown and the bytes after it cannot be trusted as requests;</li>
 *   <li>{@link #TOO_BIG}: a well-formed frame so far, but larger than {@code maxFrame} (a shard's memory, or less
 *       while the NIC's input budget is spent): the NIC
 *       answers it with an error and discards the rest of the frame as it arrives ({@link #skip}), so that its
 *       payload is never read as requests and never buffered whole;</li>
 *   <li>{@link #OVER_LIMIT}: the frame declares more than {@code client-query-buffer-limit} bytes: the NIC closes
 *       the connection without a reply, as Redis does.</li>
 * </ul>
 * All sizes are counted in {@code long}s: no declared length can overflow the arithmetic.
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
    static final int TOO_BIG = 4;
    static final int OVER_LIMIT = 5;

    /** Redis's PROTO_INLINE_MAX_SIZE: the longest inline request or header line. */
    static final int MAX_INLINE = 64 << 10;
    /** What a request costs in a ring message besides its arguments, and each argument besides its bytes. */
    static final int REQUEST_OVERHEAD = RingDescriptor.ARGUMENTS_OFFSET;
    static final int ARGUMENT_OVERHEAD = 4;

    /** Redis's limits for a client that has yet to authenticate: arguments, and bytes of one. */
    static final int UNAUTHENTICATED_ARGS = 10;
    static final long UNAUTHENTICATED_BULK = 16384;

    /** The most ring bytes a request may take now; the NIC lowers it while its input budget is spent. */
    long maxFrame;
    /** The client must authenticate first: Redis's tighter limits apply ({@link #UNAUTHENTICATED_ARGS}). */
    boolean unauthenticated;
    int argc;
    int[] argOffset = new int[16];
    int[] argLength = new int[16];
    /** Where the frame ended (FRAME, EMPTY), or where the bytes to skip start (TOO_BIG). */
    int end;
    /** ERROR's text, Redis's: "ERR Protocol error: ...". */
    String error;

    /** The rest of a frame being discarded (after TOO_BIG): kept by the NIC per connection. */
    static final class Skip
    {
        /** Bytes of the current argument (and its CRLF) still to discard. */
        long bytes;
        /** Arguments after the current one. */
        long args;
        /** Bytes the frame has declared so far, for the query-buffer limit. */
        long frameBytes;

        boolean active()
        {
            return bytes > 0 || args > 0;
        }
    }

    /** @param maxFrame the most ring bytes a request may take ({@link #REQUEST_OVERHEAD} and arguments). */
    RespReader(final int maxFrame)
    {
        this.maxFrame = maxFrame;
    }

    /**
     * Parses one frame of {@code buf[from, to)}.
     *
     * @param skip set up for {@link #skip} when the result is TOO_BIG.
     */
    int parse(final byte[] buf, final int from, final int to, final long maxBulk, final long queryLimit,
        final Skip skip)
    {
        argc = 0;
        if (from >= to)
        {
            return NEED_MORE;
        }
        return buf[from] == '*' ? parseArray(buf, from, to, maxBulk, queryLimit, skip) : parseInline(buf, from, to);
    }

    private int parseArray(final byte[] buf, final int from, final int to, final long maxBulk, final long queryLimit,
        final Skip skip)
    {
        int p = from + 1;
        final int lineEnd = lineEnd(buf, p, to);
        if (lineEnd < 0)
        {
            return to - from > MAX_INLINE ? fail("too big mbulk count string") : NEED_MORE;
        }
        final long n = number(buf, p, lineEnd);
        if (n == Long.MIN_VALUE || n > Integer.MAX_VALUE)
        {
            return fail("invalid multibulk length");
        }
        if (unauthenticated && n > UNAUTHENTICATED_ARGS)
        {
            return fail("unauthenticated multibulk length");
        }
        p = lineEnd + 2;
        if (n <= 0)
        {
            end = p;
            return EMPTY;
        }
        long frameBytes = p - from;
        long ringBytes = REQUEST_OVERHEAD;
        for (long i = 0; i < n; i++)
        {
            if (p >= to)
            {
                return NEED_MORE;
            }
            final int le = bulkHeader(buf, p, to, maxBulk);
            if (le < 0)
            {
                return le == -1 ? NEED_MORE : ERROR;
            }
            final long len = bulkLength;
            final int data = le + 2;
            frameBytes += data - p + len + 2;
            ringBytes += ARGUMENT_OVERHEAD + len;
            if (frameBytes > queryLimit)
            {
                return OVER_LIMIT;
            }
            if (ringBytes > maxFrame)
            {
                argc = 0;
                end = data;
                skip.bytes = len + 2;
                skip.args = n - i - 1;
                skip.frameBytes = frameBytes;
                return TOO_BIG;
            }
            if (data + len + 2 > to)
            {
                return NEED_MORE;
            }
            if (buf[data + (int)len] != '\r' || buf[data + (int)len + 1] != '\n')
            {
                return fail("bulk string not followed by CRLF");
            }
            add(data, (int)len);
            p = data + (int)len + 2;
        }
        end = p;
        return FRAME;
    }

    /** Set by {@link #bulkHeader}. */
    private long bulkLength;

    /**
     * Reads a {@code $len\r\n} line at {@code p}: its length in {@link #bulkLength}.
     *
     * @return the index of the line's CR; -1 when the line is not all here yet; -2 on a protocol error.
     */
    private int bulkHeader(final byte[] buf, final int p, final int to, final long maxBulk)
    {
        if (buf[p] != '$')
        {
            fail("expected '$', got '" + printable(buf[p]) + "'");
            return -2;
        }
        final int le = lineEnd(buf, p + 1, to);
        if (le < 0)
        {
            if (to - p > MAX_INLINE)
            {
                fail("too big bulk count string");
                return -2;
            }
            return -1;
        }
        final long len = number(buf, p + 1, le);
        if (len < 0 || len > maxBulk)
        {
            fail("invalid bulk length");
            return -2;
        }
        if (unauthenticated && len > UNAUTHENTICATED_BULK)
        {
            fail("unauthenticated bulk length");
            return -2;
        }
        bulkLength = len;
        return le;
    }

    /**
     * Discards what is left of a refused frame in {@code buf[from, to)}; {@link #end} is where it stopped.
     *
     * @return NEED_MORE (all of the input was the frame's), FRAME (the frame is over), ERROR or OVER_LIMIT.
     */
    int skip(final byte[] buf, final int from, final int to, final long maxBulk, final long queryLimit,
        final Skip skip)
    {
        int p = from;
        while (true)
        {
            if (skip.bytes > 0)
            {
                final long n = Math.min(skip.bytes, to - p);
                p += (int)n;
                skip.bytes -= n;
                if (skip.bytes > 0)
                {
                    end = p;
                    return NEED_MORE;
                }
            }
            if (skip.args == 0)
            {
                end = p;
                return FRAME;
            }
            if (p >= to)
            {
                end = p;
                return NEED_MORE;
            }
            final int le = bulkHeader(buf, p, to, maxBulk);
            if (le == -1)
            {
                end = p;
                return NEED_MORE;
            }
            if (le < 0)
            {
                return ERROR;
            }
            skip.frameBytes += le + 2 - p + bulkLength + 2;
            if (skip.frameBytes > queryLimit)
            {
                return OVER_LIMIT;
            }
            skip.args--;
            skip.bytes = bulkLength + 2;
            p = le + 2;
        }
    }

    /** A line split into arguments as Redis splits it (sdssplitargs): blanks between them, "..." and '...'. */
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
            return to - from > MAX_INLINE ? fail("too big inline request") : NEED_MORE;
        }
        end = nl + 1;
        final int stop = nl > from && buf[nl - 1] == '\r' ? nl - 1 : nl;
        int p = from;
        while (true)
        {
            while (p < stop && isSpace(buf[p]))
            {
                p++;
            }
            if (p >= stop)
            {
                break;
            }
            final int start = p;
            int w = p;
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (p >= stop)
                    {
                        return fail("unbalanced quotes in request");
                    }
                    final byte c = buf[p];
                    if (c == '\\' && p + 3 < stop && buf[p + 1] == 'x' && hex(buf[p + 2]) >= 0 && hex(buf[p + 3]) >= 0)
                    {
                        buf[w++] = (byte)(hex(buf[p + 2]) * 16 + hex(buf[p + 3]));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < stop)
                    {
                        p++;
                        buf[w++] = switch (buf[p])
                        {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> buf[p];
                        };
                    }
                    else if (c == '"')
                    {
                        // A closing quote must be followed by a blank or the end.
                        if (p + 1 < stop && !isSpace(buf[p + 1]))
                        {
                            return fail("unbalanced quotes in request");
                        }
                        done = true;
                    }
                    else
                    {
                        buf[w++] = c;
                    }
                }
                else if (inSingle)
                {
                    if (p >= stop)
                    {
                        return fail("unbalanced quotes in request");
                    }
                    final byte c = buf[p];
                    if (c == '\\' && p + 1 < stop && buf[p + 1] == '\'')
                    {
                        p++;
                        buf[w++] = '\'';
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < stop && !isSpace(buf[p + 1]))
                        {
                            return fail("unbalanced quotes in request");
                        }
                        done = true;
                    }
                    else
                    {
                        buf[w++] = c;
                    }
                }
                else if (p >= stop || isSpace(buf[p]) || buf[p] == 0)
                {
                    done = true;
                }
                else if (buf[p] == '"')
                {
                    inDouble = true;
                }
                else if (buf[p] == '\'')
                {
                    inSingle = true;
                }
                else
                {
                    buf[w++] = buf[p];
                }
                if (p < stop)
                {
                    p++;
                }
            }
            add(start, w - start);
        }
        return argc == 0 ? EMPTY : FRAME;
    }

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    private static int hex(final byte b)
    {
        return Character.digit(b, 16);
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

    private int fail(final String message)
    {
        error = "ERR Protocol error: " + message;
        argc = 0;
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
