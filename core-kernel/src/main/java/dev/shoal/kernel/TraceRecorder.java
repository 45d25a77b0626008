package dev.shoal.kernel;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Records a deterministic run's events: a 64-bit hash of all of them and, optionally, a line per event.
 *
 * <p>File format (line-oriented, UTF-8): comment lines start with {@code #} (the first is
 * {@code # shoal trace v1}, then {@code # key: value} lines naming the run, e.g. {@code # args: ...}); every other
 * line is one event: {@code <sequence> <cycle> <core> <EVENT> <a> <b>}, fields separated by one space, numbers in
 * decimal. The event kinds and the meaning of {@code a} and {@code b} are {@link Trace.Event}'s. The trace hash
 * is FNV-1a (64-bit) over the events' numbers in order.
 *
 * <p>Used by the one thread of a deterministic run; not thread-safe.
 */
public final class TraceRecorder implements Trace
{
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final BufferedWriter out;
    private long hash = FNV_OFFSET;
    private long events;

    /** @param out where event lines go, or null to keep only the hash. */
    public TraceRecorder(final BufferedWriter out)
    {
        this.out = out;
    }

    @Override
    public boolean enabled()
    {
        return true;
    }

    @Override
    public void record(final int core, final long cycle, final Event event, final long a, final long b)
    {
        events++;
        hash = mix(mix(mix(mix(mix(hash, cycle), core), event.ordinal()), a), b);
        if (out != null)
        {
            try
            {
                out.write(Long.toString(events));
                out.write(' ');
                out.write(Long.toString(cycle));
                out.write(' ');
                out.write(Integer.toString(core));
                out.write(' ');
                out.write(event.name());
                out.write(' ');
                out.write(Long.toString(a));
                out.write(' ');
                out.write(Long.toString(b));
                out.write('\n');
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write the trace: " + ex.getMessage(), ex);
            }
        }
    }

    private static long mix(final long h, final long value)
    {
        long x = h;
        for (int i = 0; i < 8; i++)
        {
            x ^= (value >>> (8 * i)) & 0xFF;
            x *= FNV_PRIME;
        }
        return x;
    }

    /** The hash of every event so far, as 16 hex digits. */
    public String hash()
    {
        return String.format("%016x", hash);
    }

    public long events()
    {
        return events;
    }
}
