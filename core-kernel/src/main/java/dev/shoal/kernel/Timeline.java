package dev.shoal.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.agrona.collections.Long2LongHashMap;

/**
 * A run's timeline in the Chrome Trace Event format (JSON), which Perfetto (ui.perfetto.dev) and chrome://tracing
 * open: a track per core (pid = package, tid = core), slices for the messages a core handles, its dispatcher runs
 * and timer firings, flow arrows from each send to its receipt, fault instants, a workload's phases and (exact
 * mode) counters of each core's queue: the messages that arrived and wait, and the ring slots they fill.
 * Timestamps are simulated cycles converted to microseconds at the machine's clock rate.
 *
 * <p>An observer outside the model, like {@link TraceRecorder}: recording reads clocks and never advances one, so
 * cycles and the trace hash are the same with or without it.
 *
 * <p>Order and threading. Each core records into a lane of its own, touched only by the thread that carries the
 * core (its live carrier, or the exact engine's partition thread). Exact mode: the engine calls {@link #flushBefore}
 * while no core can record anything earlier than the bound (at a settled barrier, or from a partition running alone
 * between two events); the writer then writes every gathered event earlier than the bound sorted by (cycle, core,
 * the core's own order). So the file is the same whatever the number of host threads and wherever the flushes fell,
 * and memory holds only what is not yet settled. Live mode: a lane writes its events itself, in the core's order,
 * when it holds a few thousand and no slice is open; each track's timestamps are then monotonic (the core's clock),
 * the file as a whole is not sorted (Perfetto sorts).
 *
 * <p>A machine partitioned over JVMs (docs/partitions.md): each worker records its cores into a timeline made by
 * {@link #forWorker}, which writes nothing and hands its events as bytes to the engine before every barrier vote
 * ({@link #drainEvents}); the coordinator's timeline takes them ({@link #absorbEvents}) and writes them with its own
 * cores' in the same order, so the file is the single JVM's.
 */
public final class Timeline
{
    /** Records nothing. */
    public static final Timeline OFF = new Timeline();

    /** Tracks of a core's phases are this far above the core's own tid. */
    static final int PHASE_TID = 1 << 20;
    /** A lane writes its events itself (live mode) once it holds this many. */
    private static final int LANE_FLUSH = 4096;
    /** Exact mode: a partition running alone flushes between events once this many events are pending. */
    private static final int PENDING_FLUSH = 1 << 16;
    /** Cycles left between two machines of one file (a sweep boots one machine per step). */
    private static final long MACHINE_GAP = 10_000;

    /** Bytes of one message of {@link #drainEvents} at most (whole events; the link's messages have a bound). */
    public static final int SHIP_CHUNK = 1 << 18;

    private final Writer out;
    /** A worker of a partitioned machine: its events are shipped to the coordinator, never written here. */
    private final boolean ships;
    private final int coreFrom;
    private final int coreTo;
    private final long cycleFrom;
    private final long cycleTo;

    private Lane[] lanes = new Lane[0];
    /** Host threads (fault injection from outside any core) record here, under its lock. */
    private final Lane hostLane = new Lane();
    private int[] packageOf = new int[0];
    private int describedCores;
    private final java.util.Set<Integer> describedPackages = new java.util.HashSet<>();
    private long clockMhz = 1000;
    private String machineName = "";
    private int machines;
    /** Added to every cycle of the current machine: the end of the machines before it. */
    private long offset;
    private boolean exact;
    private volatile long pending;
    /** Exact mode: events gathered from the lanes and not yet written. */
    private final List<Rec> held = new ArrayList<>();
    private boolean firstEvent = true;
    private long written;
    private long lastCycle;
    /**
     * Exact mode, per core: messages that arrived and wait, the slots they fill, and the values last written (the
     * counters are written when they change, once per instant).
     */
    private long[] waiting = new long[0];
    private long[] slots = new long[0];
    private long[] writtenWaiting = new long[0];
    private long[] writtenSlots = new long[0];
    private final java.util.TreeSet<Integer> changed = new java.util.TreeSet<>();
    /** Exact mode: every instant before this was written (the last flush's bound, this machine). */
    private volatile long writtenBefore = Long.MIN_VALUE;
    private volatile long late;
    private boolean closed;
    /** Cleared when the run that wrote the file ended in a failure ({@link #closeIncomplete}). */
    private boolean complete = true;
    private IOException failure;

    /** One event, formatted when written. */
    private static final class Rec
    {
        final char phase;
        final int tid;
        final long cycle;
        final int lane;
        final long seq;
        String name;
        long end;
        long id;
        Object[] args;

        Rec(final char phase, final int tid, final long cycle, final int lane, final long seq)
        {
            this.phase = phase;
            this.tid = tid;
            this.cycle = cycle;
            this.lane = lane;
            this.seq = seq;
        }
    }

    private static final Comparator<Rec> ORDER = Comparator.<Rec>comparingLong(r -> r.cycle)
        .thenComparingInt(r -> r.lane).thenComparingLong(r -> r.seq);

    /** A core's recording state; its carrier's only. */
    private static final class Lane
    {
        final ArrayList<Rec> events = new ArrayList<>();
        long seq;
        int openSlices;
        /** Messages sent to and received from each channel (a peer's monitor, an application's ring). */
        final Long2LongHashMap sent = new Long2LongHashMap(0);
        final Long2LongHashMap received = new Long2LongHashMap(0);
    }

    private Timeline()
    {
        this.out = null;
        this.ships = false;
        this.coreFrom = 0;
        this.coreTo = -1;
        this.cycleFrom = 0;
        this.cycleTo = -1;
    }

    /**
     * A timeline written to {@code out} (which it closes in {@link #close}), keeping the tracks of cores
     * {@code coreFrom..coreTo} and the events from cycle {@code cycleFrom} to {@code cycleTo} (both inclusive).
     */
    public Timeline(final Writer out, final int coreFrom, final int coreTo, final long cycleFrom, final long cycleTo)
        throws IOException
    {
        this(out, false, coreFrom, coreTo, cycleFrom, cycleTo);
        out.write("{\"traceEvents\":[");
        out.flush();
    }

    private Timeline(final Writer out, final boolean ships, final int coreFrom, final int coreTo,
        final long cycleFrom, final long cycleTo)
    {
        this.out = out;
        this.ships = ships;
        this.coreFrom = coreFrom;
        this.coreTo = coreTo;
        this.cycleFrom = cycleFrom;
        this.cycleTo = cycleTo;
    }

    /**
     * The timeline of a partitioned machine's worker, keeping what the coordinator's keeps ({@code filter}, its
     * {@link #filter}): it writes nothing and ships its events ({@link #drainEvents}).
     */
    public static Timeline forWorker(final String filter)
    {
        final String[] f = filter.split(" ");
        if (f.length != 4)
        {
            throw new IllegalArgumentException("a timeline filter is four numbers: " + filter);
        }
        return new Timeline(Writer.nullWriter(), true, Integer.parseInt(f[0]), Integer.parseInt(f[1]),
            Long.parseLong(f[2]), Long.parseLong(f[3]));
    }

    /** The cores and cycles this timeline keeps, as {@link #forWorker} reads them. */
    public String filter()
    {
        return coreFrom + " " + coreTo + " " + cycleFrom + " " + cycleTo;
    }

    /** Whether anything is recorded (callers skip their work when not). */
    public boolean enabled()
    {
        return out != null;
    }

    // ---------------------------------------------------------------- set-up, by the host

    /**
     * A machine of {@code cores} cores was made: its cycles are placed after the end of the machines recorded before
     * it (a sweep boots one per step), and its cores start with fresh lanes. Called by {@link Machine}'s
     * constructor, before any core starts.
     */
    synchronized void newMachine(final int cores)
    {
        if (out == null)
        {
            return;
        }
        if (machines > 0)
        {
            offset = lastCycle + MACHINE_GAP;
        }
        machines++;
        exact = false;
        final Lane[] fresh = new Lane[Math.max(cores, lanes.length)];
        for (int c = 0; c < fresh.length; c++)
        {
            fresh[c] = new Lane();
        }
        lanes = fresh;
        writtenBefore = Long.MIN_VALUE;
        waiting = new long[fresh.length];
        slots = new long[fresh.length];
        writtenWaiting = new long[fresh.length];
        writtenSlots = new long[fresh.length];
        java.util.Arrays.fill(writtenWaiting, -1);
    }

    /**
     * Names the machine's tracks: each core's package and the clock rate that converts cycles to time. Host
     * thread, after the machine was made and before its first core starts.
     */
    public synchronized void describe(final String name, final int[] packageOfCore, final int clockMhz)
    {
        if (out == null)
        {
            return;
        }
        this.machineName = name;
        this.clockMhz = Math.max(1, clockMhz);
        if (packageOfCore.length > packageOf.length)
        {
            packageOf = packageOfCore.clone();
        }
        final int cores = packageOfCore.length;
        for (int c = describedCores; c < cores; c++)
        {
            if (keepsCore(c))
            {
                final int pkg = packageOfCore[c];
                if (describedPackages.add(pkg))
                {
                    meta("process_name", pkg, c, "name", "package " + pkg);
                    meta("process_sort_index", pkg, c, "sort_index", pkg);
                }
                meta("thread_name", pkg, c, "name", "core " + c + " (package " + pkg + ")");
                meta("thread_sort_index", pkg, c, "sort_index", 2L * c);
                meta("thread_name", pkg, c + PHASE_TID, "name", "core " + c + " phases");
                meta("thread_sort_index", pkg, c + PHASE_TID, "sort_index", 2L * c + 1);
            }
        }
        describedCores = Math.max(describedCores, cores);
    }

    /** The exact engine starts a machine: its events are sorted before they are written. Engine only. */
    synchronized void layout()
    {
        exact = true;
    }

    /** Whether {@link #flushBefore} is due: enough events pending. Any partition thread. */
    boolean wantsFlush()
    {
        return !ships && pending >= PENDING_FLUSH;
    }

    /**
     * Exact mode: writes, in (cycle, core, core's order), every event recorded so far that is earlier than
     * {@code bound}. The engine calls it only when no core can record anything earlier any more, and while no other
     * thread records.
     */
    synchronized void flushBefore(final long bound)
    {
        if (out == null || ships)
        {
            return;
        }
        for (final Lane lane : lanes)
        {
            if (!lane.events.isEmpty())
            {
                held.addAll(lane.events);
                lane.events.clear();
            }
        }
        synchronized (hostLane)
        {
            held.addAll(hostLane.events);
            hostLane.events.clear();
        }
        pending = 0;
        if (bound != Long.MAX_VALUE)
        {
            writtenBefore = Math.max(writtenBefore, bound);
        }
        held.sort(ORDER);
        int n = 0;
        while (n < held.size() && held.get(n).cycle < bound)
        {
            n++;
        }
        // An instant at a time: its arrivals and departures first, as counters of the cores whose queue changed,
        // then its events. No instant is split between two flushes: nothing earlier than the bound comes later.
        for (int i = 0; i < n; )
        {
            final long cycle = held.get(i).cycle;
            int j = i;
            for (; j < n && held.get(j).cycle == cycle; j++)
            {
                final Rec r = held.get(j);
                if (r.phase == '+' || r.phase == '-')
                {
                    final int sign = r.phase == '+' ? 1 : -1;
                    waiting[r.tid] += sign;
                    slots[r.tid] += sign * r.id;
                    changed.add(r.tid);
                }
            }
            for (final int core : changed)
            {
                if ((waiting[core] != writtenWaiting[core] || slots[core] != writtenSlots[core]) &&
                    keeps(core, cycle))
                {
                    final Rec c = new Rec('C', core, cycle, core, 0);
                    c.args = new Object[] {"messages waiting", waiting[core], "ring slots in use", slots[core]};
                    write(c);
                    writtenWaiting[core] = waiting[core];
                    writtenSlots[core] = slots[core];
                }
            }
            changed.clear();
            for (; i < j; i++)
            {
                final Rec r = held.get(i);
                if (r.phase != '+' && r.phase != '-')
                {
                    write(r);
                }
            }
        }
        held.subList(0, n).clear();
    }

    /** The machine stopped (its carriers joined): everything it recorded is written. Host thread. */
    public synchronized void machineClosed()
    {
        if (out == null)
        {
            return;
        }
        if (exact)
        {
            flushBefore(Long.MAX_VALUE);
        }
        else
        {
            for (final Lane lane : lanes)
            {
                writeLane(lane);
            }
            synchronized (hostLane)
            {
                writeLane(hostLane);
            }
        }
        try
        {
            out.flush();
        }
        catch (final IOException ex)
        {
            failed(ex);
        }
    }

    /**
     * Ends the file of a run that failed: the same trailer, with {@code "complete":false} in its metadata, so that the
     * events written so far still open as valid JSON. Host thread.
     */
    public synchronized void closeIncomplete()
    {
        complete = false;
        close();
    }

    /** Ends the file: the trailer with the clock rate, and closes the writer. Host thread, after the last machine. */
    public synchronized void close()
    {
        if (out == null || closed)
        {
            return;
        }
        closed = true;
        try
        {
            out.write("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"format\":\"shoal timeline v1\",\"machine\":");
            out.write(quote(machineName));
            out.write(",\"clockMHz\":" + clockMhz + ",\"cyclesPerMicrosecond\":" + clockMhz +
                ",\"machines\":" + machines + ",\"events\":" + written + ",\"cores\":\"" + coreFrom + "-" +
                (coreTo == Integer.MAX_VALUE ? "" : coreTo) + "\",\"fromCycle\":" + cycleFrom + ",\"toCycle\":" +
                (cycleTo == Long.MAX_VALUE ? "null" : Long.toString(cycleTo)) + ",\"complete\":" + complete + "}}\n");
            out.close();
        }
        catch (final IOException ex)
        {
            failed(ex);
        }
        if (failure != null)
        {
            throw new UncheckedIOException("cannot write the timeline: " + failure.getMessage(), failure);
        }
    }

    /**
     * Exact mode: events recorded at an instant that was already written (so out of order in the file). Always 0
     * unless the engine's flushes or a recorder's timestamps break the rule that nothing comes before the bound; for
     * tests. Read after the machine closed.
     */
    public long lateEvents()
    {
        return late;
    }

    /**
     * A worker's events recorded since the last call, encoded, in messages of at most {@link #SHIP_CHUNK} bytes
     * of whole events, each handed to {@code ship}, for the coordinator's {@link #absorbEvents}. The engine's
     * partition thread, before its barrier vote (every core of this JVM paused).
     */
    public synchronized void drainEvents(final java.util.function.Consumer<byte[]> ship)
    {
        if (!ships)
        {
            return;
        }
        final java.io.ByteArrayOutputStream chunk = new java.io.ByteArrayOutputStream();
        final java.io.ByteArrayOutputStream one = new java.io.ByteArrayOutputStream(128);
        final java.io.DataOutputStream data = new java.io.DataOutputStream(one);
        try
        {
            for (final Lane lane : lanes)
            {
                drain(lane, chunk, one, data, ship);
            }
            synchronized (hostLane)
            {
                drain(hostLane, chunk, one, data, ship);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // in memory: not expected
        }
        if (chunk.size() > 0)
        {
            ship.accept(chunk.toByteArray());
        }
        pending = 0;
    }

    private static void drain(final Lane lane, final java.io.ByteArrayOutputStream chunk,
        final java.io.ByteArrayOutputStream one, final java.io.DataOutputStream data,
        final java.util.function.Consumer<byte[]> ship) throws IOException
    {
        for (final Rec r : lane.events)
        {
            one.reset();
            data.writeByte(r.phase);
            data.writeInt(r.tid);
            data.writeLong(r.cycle);
            data.writeInt(r.lane);
            data.writeLong(r.seq);
            data.writeLong(r.end);
            data.writeLong(r.id);
            data.writeBoolean(r.name != null);
            if (r.name != null)
            {
                data.writeUTF(r.name);
            }
            data.writeInt(r.args == null ? -1 : r.args.length);
            if (r.args != null)
            {
                for (final Object a : r.args)
                {
                    // Written as Timeline#value writes them: whole numbers bare, anything else as its string.
                    if (a instanceof Long || a instanceof Integer || a instanceof Short)
                    {
                        data.writeByte('L');
                        data.writeLong(((Number)a).longValue());
                    }
                    else
                    {
                        data.writeByte('S');
                        data.writeUTF(String.valueOf(a));
                    }
                }
            }
            data.flush();
            if (chunk.size() > 0 && chunk.size() + one.size() > SHIP_CHUNK)
            {
                ship.accept(chunk.toByteArray());
                chunk.reset();
            }
            one.writeTo(chunk);
        }
        lane.events.clear();
    }

    /**
     * Events another JVM's cores recorded ({@link #drainEvents}), written with this JVM's in the file's order at the
     * next {@link #flushBefore}. The engine's partition thread, at a barrier.
     */
    public synchronized void absorbEvents(final byte[] bytes, final int offset, final int length)
    {
        if (out == null || ships)
        {
            return;
        }
        final java.io.DataInputStream in =
            new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes, offset, length));
        try
        {
            while (in.available() > 0)
            {
                final Rec r = new Rec((char)in.readUnsignedByte(), in.readInt(), in.readLong(), in.readInt(),
                    in.readLong());
                r.end = in.readLong();
                r.id = in.readLong();
                r.name = in.readBoolean() ? in.readUTF() : null;
                final int n = in.readInt();
                if (n >= 0)
                {
                    r.args = new Object[n];
                    for (int i = 0; i < n; i++)
                    {
                        r.args[i] = in.readUnsignedByte() == 'L' ? (Object)in.readLong() : in.readUTF();
                    }
                }
                if (r.cycle < writtenBefore)
                {
                    late++;
                }
                held.add(r);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("malformed timeline events from another partition: " + ex, ex);
        }
    }

    /** Events written so far. */
    public synchronized long written()
    {
        return written;
    }

    // ---------------------------------------------------------------- recording, on the recording core

    /**
     * Reserves the place of a slice that starts now on {@code core}, so that what happens inside it sorts after it.
     * Pass the token to {@link #slice}. The core's carrier only.
     */
    public long open(final int core)
    {
        final Lane lane = lanes[core];
        lane.openSlices++;
        return ++lane.seq;
    }

    /**
     * A slice ("X") on {@code core}'s track from {@code start} to {@code end}, opened with {@link #open}; {@code args}
     * alternate names and values (numbers or strings). The core's carrier only.
     */
    public void slice(final int core, final long token, final long start, final long end, final String name,
        final Object... args)
    {
        final Lane lane = lanes[core];
        lane.openSlices--;
        if (keeps(core, start))
        {
            final Rec r = new Rec('X', core, start, core, token);
            r.end = end;
            r.name = name;
            r.args = args;
            add(lane, r);
        }
        else
        {
            maybeFlushLane(lane);
        }
    }

    /**
     * A message leaves {@code from} for {@code to} at {@code cycle}: the start of its flow arrow. {@code channel} is
     * {@link #MONITOR} for the monitors' messages (which keep their order per pair of cores, whatever the route) or
     * a key both ends of an application's channel know (the address of its ring). The receiver finds the same
     * flow by counting. The sending core's carrier only.
     */
    public void sent(final int from, final int to, final long channel, final long cycle)
    {
        final Lane lane = lanes[from];
        final long key = channel == MONITOR ? -1L - to : channel;
        final long k = lane.sent.get(key);
        lane.sent.put(key, k + 1);
        if (keeps(from, cycle) && keepsCore(to))
        {
            final Rec r = new Rec('s', from, cycle, from, ++lane.seq);
            r.id = flowId(from, to, channel, k);
            add(lane, r);
        }
    }

    /**
     * {@code to} handles, in a slice that starts at {@code start}, the next message from {@code from} on
     * {@code channel}: the end of its flow arrow. Call after {@link #open} and before {@link #slice}, so that it
     * binds to that slice. The receiving core's carrier only.
     */
    public void received(final int to, final int from, final long channel, final long start)
    {
        final Lane lane = lanes[to];
        final long key = channel == MONITOR ? -1L - from : channel;
        final long k = lane.received.get(key);
        lane.received.put(key, k + 1);
        if (keeps(to, start) && keepsCore(from))
        {
            final Rec r = new Rec('f', to, start, to, ++lane.seq);
            r.id = flowId(from, to, channel, k);
            add(lane, r);
        }
    }

    /**
     * Exact mode: a message queued for {@code core} arrives at {@code cycle}, filling {@code slots} ring slots (0 for a
     * monitor's message to itself). Told by the transport when it queues the message (outside simulated time, never
     * after the arrival's instant was written); with {@link #handled} it makes the core's queue counters. The core's
     * carrier only.
     */
    public void arrived(final int core, final long cycle, final long slots)
    {
        if (exact)
        {
            final Rec r = new Rec('+', core, cycle, core, 0);
            r.id = slots;
            add(lanes[core], r);
        }
    }

    /** Exact mode: {@code core} takes a queued message at {@code cycle}, freeing its {@code slots}. Its carrier only. */
    public void handled(final int core, final long cycle, final long slots)
    {
        if (exact)
        {
            final Rec r = new Rec('-', core, cycle, core, 0);
            r.id = slots;
            add(lanes[core], r);
        }
    }

    /**
     * A fault hit {@code target} (halt, restart, delay): an instant on its track, at the clock of the core that
     * injects it (the harness injects faults from a core), or of the target when a host thread does. Any thread.
     */
    public void fault(final Core target, final String name, final Object... args)
    {
        if (out == null)
        {
            return;
        }
        final Core caller = target.machine().currentCore();
        final long cycle = (caller != null ? caller : target).clock().now();
        if (!keeps(target.id(), cycle))
        {
            return;
        }
        if (caller == null)
        {
            synchronized (hostLane)
            {
                final Rec r = new Rec('i', target.id(), cycle, Integer.MAX_VALUE, ++hostLane.seq);
                r.name = name;
                r.args = args;
                hostLane.events.add(r);
            }
            return;
        }
        final Lane lane = lanes[caller.id()];
        final Rec r = new Rec('i', target.id(), cycle, caller.id(), ++lane.seq);
        r.name = name;
        r.args = args;
        add(lane, r);
    }

    /**
     * Marks the start of a phase of work on {@code core} (an operation's round, a workload's step): with the
     * matching {@link #endPhase} it shows as a slice on the core's phase track. Phases nest. On {@code core} only.
     */
    public static void beginPhase(final Core core, final String name)
    {
        core.machine().timeline().phase(core, 'B', name);
    }

    /** Ends the phase {@code name} begun on {@code core} with {@link #beginPhase}. On {@code core} only. */
    public static void endPhase(final Core core, final String name)
    {
        core.machine().timeline().phase(core, 'E', name);
    }

    private void phase(final Core core, final char phase, final String name)
    {
        final long cycle = core.clock().now();
        if (out == null || !keeps(core.id(), cycle))
        {
            return;
        }
        final Lane lane = lanes[core.id()];
        final Rec r = new Rec(phase, core.id() + PHASE_TID, cycle, core.id(), ++lane.seq);
        r.name = name;
        add(lane, r);
    }

    // ---------------------------------------------------------------- internals

    private boolean keepsCore(final int core)
    {
        return core >= coreFrom && core <= coreTo;
    }

    private boolean keeps(final int core, final long cycle)
    {
        return core >= coreFrom && core <= coreTo && cycle >= cycleFrom && cycle <= cycleTo;
    }

    /**
     * A flow's id, the same at both ends: the pair of cores (monitor channels, per pair in order) or the channel's
     * key (an application binding) and the message's number on it. Below 2^53, so JavaScript readers keep it exact.
     */
    private static long flowId(final int from, final int to, final long channel, final long k)
    {
        if (channel == MONITOR && from < 4096 && to < 4096)
        {
            return 1 + (((long)from << 12 | to) << 28 | (k & 0xFFFFFFFL));
        }
        long x = channel * 0x9e3779b97f4a7c15L + k;
        x = (x ^ (x >>> 31)) * 0xbf58476d1ce4e5b9L;
        x ^= (long)from << 32 | to;
        x = (x ^ (x >>> 29)) * 0x94d049bb133111ebL;
        return (1L << 52) | (x & ((1L << 52) - 1));
    }

    /** The channel of {@link #sent} and {@link #received} that stands for every monitor channel of a pair of cores. */
    public static final long MONITOR = Long.MIN_VALUE;

    private void add(final Lane lane, final Rec r)
    {
        if (exact && r.cycle < writtenBefore)
        {
            late++; // a bug: the engine flushed past this instant (see lateEvents); racy, but never 0 when it happens
        }
        lane.events.add(r);
        if (exact)
        {
            pending++; // a racy count: it only decides when a lone partition flushes
        }
        else
        {
            maybeFlushLane(lane);
        }
    }

    private void maybeFlushLane(final Lane lane)
    {
        if (!exact && lane.openSlices == 0 && lane.events.size() >= LANE_FLUSH)
        {
            synchronized (this)
            {
                writeLane(lane);
            }
        }
    }

    private void writeLane(final Lane lane)
    {
        for (final Rec r : lane.events)
        {
            write(r);
        }
        lane.events.clear();
    }

    private void meta(final String name, final int pid, final int tid, final String key, final Object value)
    {
        final StringBuilder b = new StringBuilder(96);
        b.append("{\"ph\":\"M\",\"name\":\"").append(name).append("\",\"pid\":").append(pid).append(",\"tid\":")
            .append(tid).append(",\"args\":{").append(quote(key)).append(':');
        value(b, value);
        b.append("}}");
        emit(b);
    }

    private void write(final Rec r)
    {
        final int core = r.tid >= PHASE_TID ? r.tid - PHASE_TID : r.tid;
        final int pid = core < packageOf.length ? packageOf[core] : 0;
        final long cycle = r.cycle + offset;
        lastCycle = Math.max(lastCycle, Math.max(cycle, r.phase == 'X' ? r.end + offset : cycle));
        final StringBuilder b = new StringBuilder(128);
        b.append("{\"ph\":\"").append(r.phase).append("\",\"pid\":").append(pid).append(",\"tid\":").append(r.tid)
            .append(",\"ts\":");
        micros(b, cycle);
        switch (r.phase)
        {
            case 'X' ->
            {
                b.append(",\"dur\":");
                final long startNs = nanos(cycle);
                final long endNs = nanos(r.end + offset);
                appendMicros(b, endNs - startNs);
                b.append(",\"name\":").append(quote(r.name)).append(",\"cat\":\"").append(category(r.name))
                    .append('"');
                args(b, r.args, "cycle", r.cycle, "cycles", r.end - r.cycle);
            }
            case 's', 'f' ->
            {
                b.append(",\"name\":\"message\",\"cat\":\"flow\",\"id\":").append(r.id);
                if (r.phase == 'f')
                {
                    b.append(",\"bp\":\"e\"");
                }
            }
            case 'C' ->
            {
                b.append(",\"name\":\"core ").append(core).append('"');
                args(b, r.args);
            }
            case 'i' ->
            {
                b.append(",\"s\":\"t\",\"name\":").append(quote(r.name)).append(",\"cat\":\"fault\"");
                args(b, r.args, "cycle", r.cycle);
            }
            default -> b.append(",\"name\":").append(quote(r.name)).append(",\"cat\":\"phase\"");
        }
        b.append('}');
        emit(b);
    }

    private static String category(final String name)
    {
        return switch (name)
        {
            case "dispatch" -> "dispatch";
            case "timer" -> "timer";
            default -> "message";
        };
    }

    private void emit(final CharSequence event)
    {
        try
        {
            out.write(firstEvent ? "\n" : ",\n");
            firstEvent = false;
            out.append(event);
            written++;
        }
        catch (final IOException ex)
        {
            failed(ex);
        }
    }

    private void failed(final IOException ex)
    {
        // Reported once, by close: the run itself goes on (the timeline only observes it).
        if (failure == null)
        {
            failure = ex;
        }
    }

    private long nanos(final long cycle)
    {
        // cycles * 1000 / MHz, without overflow for any cycle count a run reaches.
        return Math.multiplyHigh(cycle, 1000) == 0 ? cycle * 1000 / clockMhz :
            java.math.BigInteger.valueOf(cycle).multiply(java.math.BigInteger.valueOf(1000))
                .divide(java.math.BigInteger.valueOf(clockMhz)).longValueExact();
    }

    private void micros(final StringBuilder b, final long cycle)
    {
        appendMicros(b, nanos(cycle));
    }

    private static void appendMicros(final StringBuilder b, final long nanos)
    {
        b.append(nanos / 1000).append('.');
        final long frac = nanos % 1000;
        if (frac < 100)
        {
            b.append('0');
        }
        if (frac < 10)
        {
            b.append('0');
        }
        b.append(frac);
    }

    private static void args(final StringBuilder b, final Object[] args, final Object... more)
    {
        b.append(",\"args\":{");
        boolean first = true;
        for (final Object[] list : new Object[][] {args == null ? new Object[0] : args, more})
        {
            for (int i = 0; i + 1 < list.length; i += 2)
            {
                if (!first)
                {
                    b.append(',');
                }
                first = false;
                b.append(quote(String.valueOf(list[i]))).append(':');
                value(b, list[i + 1]);
            }
        }
        b.append('}');
    }

    private static void value(final StringBuilder b, final Object v)
    {
        if (v instanceof Long || v instanceof Integer || v instanceof Short)
        {
            b.append(v);
        }
        else
        {
            b.append(quote(String.valueOf(v)));
        }
    }

    /** A JSON string literal. */
    static String quote(final String s)
    {
        final StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029)
                    {
                        b.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
