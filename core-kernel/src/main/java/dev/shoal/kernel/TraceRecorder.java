package dev.shoal.kernel;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Records an exact run's events: a 64-bit hash of them and, optionally, a line per event.
 *
 * <p>The hash is a merge of per-core hashes: each core folds its own events, in the order it handled them, into a
 * 64-bit hash of its own (FNV-1a over 64-bit words, each product folded with its high half); the run's hash folds each core's (core, event count, hash) in core order. So it
 * does not depend on how the cores were spread over host threads, only on what each core did.
 *
 * <p>File format (line-oriented, UTF-8): comment lines start with {@code #} (the first is {@link #HEADER},
 * then {@code # key: value} lines naming the run, e.g. {@code # args: ...}); every other line is one event:
 * {@code <sequence> <cycle> <core> <EVENT> <a> <b>}, fields separated by one space, numbers in decimal. The event
 * kinds and the meaning of {@code a} and {@code b} are {@link Trace.Event}'s, except that names stand for codes: a
 * message type as {@code Operation.Type} ({@code SEND 5 AgreementOperation.Prepare}, once {@link #messageNames}
 * was given the protocol's names; a code it does not know stays a number) and a capability operation by its name
 * ({@code CAPABILITY mark 1234}). The hash is over the codes, so names change no hash. Lines are sorted by cycle, then core,
 * then the core's own order, so the file too is the same whatever the number of host threads: the engine writes
 * each line once no event can come before it any more ({@link #flushBefore}).
 *
 * <p>Threading: {@link #record} is called by the partition thread that carries the recording core; the engine
 * calls {@link #layout} and {@link #endWindow} while every partition is paused. Read the results after the machine
 * stopped. One recorder may serve several machines in turn (a sweep).
 */
public final class TraceRecorder implements Trace
{
    /** The first line of a trace file: version 2 names message types and capability operations. */
    public static final String HEADER = "# shoal trace v2";
    /** Names of {@link Trace.Event#CAPABILITY}'s operation codes, by code. */
    private static final String[] CAPABILITY_NAMES = {"0", "send", "install", "mark", "sweep", "revoke", "delete",
        "retype"};

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final BufferedWriter out;
    /** A worker of a partitioned machine whose coordinator writes the file: keeps lines to ship ({@link #drainLines}). */
    private final boolean shipsLines;
    /** A worker's recorder: notes which cores recorded events since its last report ({@link #drainChangedCores}). */
    private final boolean tracksChanges;
    private boolean[] changed = new boolean[0];
    private int[] changedCores = new int[16];
    private int changedCount;
    private long[] coreHash = new long[0];
    private long[] coreEvents = new long[0];
    private int[] partitionOfCore = new int[0];
    private List<List<Line>> pending = List.of(new ArrayList<>());
    /** Lines gathered but not yet written: they may still have earlier lines to come. */
    private final List<Line> held = new ArrayList<>();
    private long written;
    private volatile java.util.function.IntFunction<String> messageNames = Integer::toUnsignedString;

    /** One buffered event line. */
    private record Line(long cycle, int core, long sequence, Event event, long a, long b)
    {
    }

    private static final Comparator<Line> ORDER = Comparator.comparingLong(Line::cycle).thenComparingInt(Line::core)
        .thenComparingLong(Line::sequence);

    /** @param out where event lines go, or null to keep only the hash. */
    public TraceRecorder(final BufferedWriter out)
    {
        this(out, false);
    }

    /**
     * A recorder of a partitioned machine's worker: keeps only the hash, or ({@code shipsLines}) also the event
     * lines, which the engine ships to the coordinator at every barrier ({@link #drainLines}).
     */
    public static TraceRecorder forWorker(final boolean shipsLines)
    {
        return new TraceRecorder(null, shipsLines, true);
    }

    private TraceRecorder(final BufferedWriter out, final boolean shipsLines)
    {
        this(out, shipsLines, false);
    }

    private TraceRecorder(final BufferedWriter out, final boolean shipsLines, final boolean tracksChanges)
    {
        this.out = out;
        this.shipsLines = shipsLines;
        this.tracksChanges = tracksChanges;
    }

    /**
     * A worker's cores that recorded events since the last call, in the order they first did; each is then
     * reported once ({@link #coreEvents}, {@link #coreHash}) and the coordinator {@link #absorb}s the values. Only a
     * recorder {@link #forWorker} tracks them (others return none). The engine's partition thread, at a barrier.
     */
    public int[] drainChangedCores()
    {
        final int[] cores = Arrays.copyOf(changedCores, changedCount);
        for (int i = 0; i < changedCount; i++)
        {
            changed[changedCores[i]] = false;
        }
        changedCount = 0;
        return cores;
    }

    /** Whether this recorder writes or ships event lines (a partitioned machine's workers then ship theirs). */
    public boolean keepsLines()
    {
        return out != null || shipsLines;
    }

    /** Bytes of one line in {@link #drainLines}: cycle, core, sequence, event, a, b. */
    public static final int LINE_BYTES = 8 + 4 + 8 + 4 + 8 + 8;

    /**
     * A worker's lines gathered since the last call, {@link #LINE_BYTES} each (little-endian), for the coordinator's
     * {@link #absorbLines}. The engine's partition thread, at a barrier.
     */
    public byte[] drainLines()
    {
        int n = 0;
        for (final List<Line> buffer : pending)
        {
            n += buffer.size();
        }
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(n * LINE_BYTES)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (final List<Line> buffer : pending)
        {
            for (final Line line : buffer)
            {
                bytes.putLong(line.cycle).putInt(line.core).putLong(line.sequence).putInt(line.event.ordinal())
                    .putLong(line.a).putLong(line.b);
            }
            buffer.clear();
        }
        return bytes.array();
    }

    /**
     * Lines another JVM's cores recorded ({@link #drainLines}), written with this JVM's in the file's order at the
     * next {@link #flushBefore}. The engine's partition thread, at a barrier.
     */
    public void absorbLines(final byte[] lines, final int offset, final int length)
    {
        if (out == null)
        {
            return;
        }
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(lines, offset, length)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final Event[] events = Event.values();
        while (bytes.remaining() >= LINE_BYTES)
        {
            held.add(new Line(bytes.getLong(), bytes.getInt(), bytes.getLong(), events[bytes.getInt()],
                bytes.getLong(), bytes.getLong()));
        }
    }

    /**
     * How the file names message types ({@code SEND}'s and {@code RECEIVE}'s {@code b}): by message id, null for an
     * id without a name (which the file then shows as the unsigned number). Set by whoever builds the protocol,
     * before the machine starts (a sweep sets it per machine).
     */
    public void messageNames(final java.util.function.IntFunction<String> names)
    {
        this.messageNames = id ->
        {
            final String name = names.apply(id);
            return name == null ? Integer.toUnsignedString(id) : name;
        };
    }

    @Override
    public boolean enabled()
    {
        return true;
    }

    /**
     * A machine of {@code cores} cores starts, carried by {@code partitions} threads. Keeps what earlier machines
     * recorded. Called by the engine before any core runs.
     */
    synchronized void layout(final int cores, final int[] partitionOf, final int partitions)
    {
        if (cores > coreHash.length)
        {
            final int old = coreHash.length;
            coreHash = Arrays.copyOf(coreHash, cores);
            coreEvents = Arrays.copyOf(coreEvents, cores);
            Arrays.fill(coreHash, old, cores, FNV_OFFSET);
            if (tracksChanges)
            {
                changed = Arrays.copyOf(changed, cores);
            }
        }
        partitionOfCore = partitionOf.clone();
        final List<List<Line>> buffers = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++)
        {
            buffers.add(new ArrayList<>());
        }
        pending = buffers;
    }

    @Override
    public void record(final int core, final long cycle, final Event event, final long a, final long b)
    {
        if (core >= coreHash.length)
        {
            layout(core + 1, Arrays.copyOf(partitionOfCore, core + 1), pending.size());
        }
        final long n = ++coreEvents[core];
        coreHash[core] = mix(mix(mix(mix(mix(coreHash[core], cycle), core), event.ordinal()), a), b);
        if (tracksChanges && !changed[core])
        {
            changed[core] = true;
            if (changedCount == changedCores.length)
            {
                changedCores = Arrays.copyOf(changedCores, changedCount * 2);
            }
            changedCores[changedCount++] = core;
        }
        if (out != null || shipsLines)
        {
            pending.get(partitionOfCore[core]).add(new Line(cycle, core, n, event, a, b));
        }
    }

    /**
     * Writes, in (cycle, core, core's order), every gathered line earlier than {@code bound}: the engine calls it at
     * a barrier where no event before {@code bound} can happen any more ({@link Long#MAX_VALUE}: all). Engine only.
     */
    void flushBefore(final long bound)
    {
        if (out == null)
        {
            return;
        }
        for (final List<Line> buffer : pending)
        {
            held.addAll(buffer);
            buffer.clear();
        }
        held.sort(ORDER);
        int n = 0;
        while (n < held.size() && held.get(n).cycle < bound)
        {
            n++;
        }
        try
        {
            for (final Line line : held.subList(0, n))
            {
                out.write(Long.toString(++written));
                out.write(' ');
                out.write(Long.toString(line.cycle));
                out.write(' ');
                out.write(Integer.toString(line.core));
                out.write(' ');
                out.write(line.event.name());
                out.write(' ');
                out.write(line.event == Event.CAPABILITY && line.a >= 0 && line.a < CAPABILITY_NAMES.length ?
                    CAPABILITY_NAMES[(int)line.a] : Long.toString(line.a));
                out.write(' ');
                out.write(line.event == Event.SEND || line.event == Event.RECEIVE ?
                    messageNames.apply((int)line.b) : Long.toString(line.b));
                out.write('\n');
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the trace: " + ex.getMessage(), ex);
        }
        held.subList(0, n).clear();
    }

    private static long mix(final long h, final long value)
    {
        final long x = (h ^ value) * FNV_PRIME;
        return x ^ (x >>> 29);
    }

    /** The hash of every event so far, as 16 hex digits. */
    public synchronized String hash()
    {
        long h = FNV_OFFSET;
        for (int c = 0; c < coreHash.length; c++)
        {
            if (coreEvents[c] != 0)
            {
                h = mix(mix(mix(h, c), coreEvents[c]), coreHash[c]);
            }
        }
        return String.format("%016x", h);
    }

    /** Events core {@code core} recorded in this JVM. */
    public synchronized long coreEvents(final int core)
    {
        return core < coreEvents.length ? coreEvents[core] : 0;
    }

    /** The hash of core {@code core}'s events recorded in this JVM. */
    public synchronized long coreHash(final int core)
    {
        return core < coreHash.length ? coreHash[core] : FNV_OFFSET;
    }

    /** Takes a core's events and hash recorded in another JVM of a partitioned machine (docs/partitions.md). */
    public synchronized void absorb(final int core, final long events, final long hash)
    {
        if (core >= coreHash.length)
        {
            layout(core + 1, Arrays.copyOf(partitionOfCore, core + 1), pending.size());
        }
        coreEvents[core] = events;
        coreHash[core] = hash;
    }

    /** Events recorded so far. */
    public synchronized long events()
    {
        long n = 0;
        for (final long e : coreEvents)
        {
            n += e;
        }
        return n;
    }
}
