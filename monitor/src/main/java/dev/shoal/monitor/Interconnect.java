package dev.shoal.monitor;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Stream;

import dev.shoal.kernel.Core;
import dev.shoal.skb.Topology;

/**
 * The machine's interconnect as shared hardware: every link direction between two packages, every package's
 * front-side bus and every node's memory controller is one resource that serves one packet at a time, whichever
 * home's transaction the packet belongs to, so concurrent transfers queue wherever their paths meet.
 *
 * <ul>
 *   <li><b>HyperTransport</b> (the description's {@code link_bandwidth/1}: the AMD machines). A coherence transaction
 *   is served by the line's home node. The requester's request ({@link Topology#PROBE_PACKET_BYTES}, a request with
 *   an address) travels to the home; the home's memory controller starts its line; having no probe filter, these
 *   Opterons then probe every other package (AMD's ccNUMA performance guidelines, publication 40555, A.2.1: the
 *   memory controller "sends probes to all other nodes", and answers the requester "once it receives the response
 *   from the nodes"); each response ({@link Topology#RESPONSE_PACKET_BYTES}) comes back; the line
 *   ({@link Topology#DATA_PACKET_BYTES}) then travels to the requester, whose unblock (a response packet) goes
 *   back to the home, which holds the line until it is in ({@link Topology#unblockCycles}). Every packet takes
 *   the route of {@link Topology#firstHop} link by link, holding each link direction for its bytes at the link's
 *   bandwidth and then taking one hop step ({@link Topology#homeHopCycles}) to reach the next package.</li>
 *   <li><b>Front-side buses</b> ({@code bus_bandwidth/1}: the Intel machine). Each package has a bus of its own to
 *   the chipset, which its two dies share. A line moved between dies of one package crosses that package's bus
 *   once; between packages it crosses the owner's bus and then the requester's; within a shared cache none.</li>
 *   <li><b>Memory controllers</b> ({@code dram_bandwidth/1}). Every transaction that reaches a home occupies its
 *   node's controller for one line at the node's DRAM bandwidth ({@link Topology#homeOccupancyCycles}); the
 *   transaction goes on when the controller takes it.</li>
 * </ul>
 *
 * <p>What a transaction pays is its <em>queueing</em> only: {@link #delay} and {@link #slotLine} return how much
 * later its last packet is done than it would be on an idle machine. The latency of an idle transaction, the
 * broadcast's wait for the farthest package included, is already in the description's line transfers, which were
 * set from the paper's Table 2.
 *
 * <p><b>Who may touch it.</b> It is hardware state of the whole machine, like the engine's calendar: it holds when
 * each wire and controller is busy, never anything a core's software wrote, so a core learns from it only what it
 * would learn on real hardware, its own transfers' timing. One instance per machine, made by {@link MonitorSystem}
 * on the exact engine only, where the machine then runs in one partition ({@link #modelled}), so one host thread
 * calls it, in the order the engine handles events. Live mode has none: queueing there would depend on host
 * timing (docs/engine.md). A booking may lie before the caller's clock (a fetch started while its core was busy),
 * so the resources keep every reservation that ends after the caller's {@linkplain Core#eventFloor event floor}
 * less two of the machine's longest line transfers: no later booking starts before that.
 */
public final class Interconnect
{
    private final Topology topology;
    private final int packages;
    private final boolean probes;
    private final boolean buses;
    /** Per core: its package. */
    private final int[] packageOf;
    /** Per (requester, home) package pair: how early a request sets out, {@link #earliest}. */
    private final long[] requestLead;
    private final long hopCycles;
    private final long requestCycles;
    private final long probeCycles;
    private final long responseCycles;
    private final long dataCycles;
    private final long busLineCycles;
    private final long controllerCycles;
    /** How far before a caller's event floor a booking may start: two of the machine's longest line transfers. */
    private final long lookback;
    private final Resources busy;
    /** The same resources idle, cleared for each transaction: what its packets take without other traffic. */
    private final Resources idle;
    /**
     * Per (requester, home) package pair on a machine that broadcasts probes (without buses), or null: what a
     * transaction books on resources that hold nothing from its request on.
     */
    private final Pattern[] patterns;
    /** What the invalidation of the last {@link #slotLine} queued. */
    private long writeQueueing;

    Interconnect(final Topology topology)
    {
        this.topology = topology;
        this.packages = topology.packageCount();
        this.probes = topology.broadcastsProbes();
        this.buses = topology.hasFrontSideBuses();
        this.packageOf = new int[topology.coreCount()];
        for (int core = 0; core < packageOf.length; core++)
        {
            packageOf[core] = topology.packageOf(core);
        }
        this.hopCycles = topology.homeHopCycles();
        this.requestCycles = topology.linkCycles(Topology.PROBE_PACKET_BYTES);
        this.requestLead = new long[packages * packages];
        for (int a = 0; a < packages; a++)
        {
            for (int b = 0; b < packages; b++)
            {
                requestLead[a * packages + b] = topology.packageHops(a, b) * (requestCycles + hopCycles);
            }
        }
        this.probeCycles = topology.linkCycles(Topology.PROBE_PACKET_BYTES);
        this.responseCycles = topology.linkCycles(Topology.RESPONSE_PACKET_BYTES);
        this.dataCycles = topology.linkCycles(Topology.DATA_PACKET_BYTES);
        this.busLineCycles = topology.busCycles(Topology.LINE_BYTES);
        this.controllerCycles = topology.homeOccupancyCycles();
        long longest = 0;
        for (int a = 0; a < topology.coreCount(); a++)
        {
            for (int b = 0; b < topology.coreCount(); b++)
            {
                longest = Math.max(longest, topology.lineTransfer(a, b));
            }
        }
        this.lookback = 2 * longest;
        this.busy = new Resources(topology, probes, buses, controllerCycles > 0);
        this.idle = new Resources(topology, probes, buses, controllerCycles > 0);
        if (probes && !buses)
        {
            this.patterns = new Pattern[packages * packages];
            final Resources scratch = new Resources(topology, probes, buses, controllerCycles > 0);
            for (int requester = 0; requester < packages; requester++)
            {
                for (int home = 0; home < packages; home++)
                {
                    scratch.clear();
                    final long done = probeTransaction(scratch, Long.MIN_VALUE, 0, home, requester);
                    patterns[requester * packages + home] = new Pattern(scratch, done);
                }
            }
        }
        else
        {
            this.patterns = null;
        }
    }

    /**
     * Whether anything of this machine's interconnect can queue: the description gives its links' bandwidth
     * (and has more than one package), its front-side buses' or its memory controllers'. Such a machine's
     * resources are shared by all its packages, so the exact engine runs it in one partition.
     */
    public static boolean modelled(final Topology topology)
    {
        return topology.broadcastsProbes() || topology.hasFrontSideBuses() || topology.homeOccupancyCycles() > 0;
    }

    /** Why a {@link #modelled} machine is not split into partitions, for the one-line error a request of several gets. */
    public static String whyOnePartition(final Topology topology)
    {
        return topology.machineName() + " models the occupancy of its links, buses or memory controllers, which all " +
            "its packages share, so it runs in one partition (docs/engine.md)";
    }

    /**
     * Reserves the resources for one coherence transaction that the home core {@code home} starts at {@code start},
     * moving a line from core {@code owner}'s cache to core {@code requester}'s, and returns the cycles by which
     * queueing delays its answer: 0 on an idle machine. Called from {@code caller}'s handler, which bounds how
     * early any later booking can start.
     */
    public long delay(final Core caller, final long start, final int home, final int requester, final int owner)
    {
        return delay(caller.eventFloor() - lookback, start, home, requester, owner);
    }

    /**
     * {@link #delay(Core, long, int, int, int)} with {@code now}, a time no later booking starts before
     * (reservations ending by then are forgotten): for tests, which call it without a core.
     */
    long delay(final long now, final long start, final int home, final int requester, final int owner)
    {
        if (requester == owner)
        {
            return 0;
        }
        if (busy.lastEnd <= earliest(start, home, requester))
        {
            transaction(busy, now, start, home, requester, owner); // as on an idle machine: nothing queues
            return 0;
        }
        idle.clear();
        return transaction(busy, now, start, home, requester, owner) -
            transaction(idle, now, start, home, requester, owner);
    }

    /**
     * Reserves the resources for one UMP slot line of a ring in the memory of core {@code home}, written by core
     * {@code writer} and read by core {@code reader} (one of the two is the home): the writer's invalidation of the
     * reader's copy, starting at {@code written}, then the reader's fetch, starting at {@code fetched} and never
     * before the invalidation's unblock is back at the home (on the idle machine too, so that the two transactions
     * of one line never queue behind each other). Returns the cycles by which queueing makes the line reach the
     * reader later: 0 on an idle machine; how much of that the invalidation alone took is then
     * {@link #writeQueueing}.
     */
    long slotLine(final Core caller, final long written, final long fetched, final int home, final int writer,
        final int reader)
    {
        return slotLine(caller.eventFloor() - lookback, written, fetched, home, writer, reader);
    }

    /** {@link #slotLine(Core, long, long, int, int, int)} with {@code now} given, as {@link #delay} takes it. */
    long slotLine(final long now, final long written, final long fetched, final int home, final int writer,
        final int reader)
    {
        writeQueueing = 0;
        if (busy.lastEnd <= earliest(written, home, writer))
        {
            // Nothing is held from the invalidation's first packet on, so both transactions go as on an idle
            // machine: the fetch starts after the invalidation. Saves the idle machine's half of the work.
            transaction(busy, now, written, home, writer, reader);
            transaction(busy, now, Math.max(fetched, busy.unblocked), home, reader, writer);
            return 0;
        }
        idle.clear();
        final long idleWritten = transaction(idle, now, written, home, writer, reader);
        final long busyWritten = transaction(busy, now, written, home, writer, reader);
        writeQueueing = busyWritten - idleWritten;
        return transaction(busy, now, Math.max(fetched, busy.unblocked), home, reader, writer) -
            transaction(idle, now, Math.max(fetched, idle.unblocked), home, reader, writer);
    }

    /** Of the queueing the last {@link #slotLine} returned, what the writer's invalidation took. */
    long writeQueueing()
    {
        return writeQueueing;
    }

    /** The earliest a transaction the home starts at {@code start} holds anything: when its request set out. */
    private long earliest(final long start, final int home, final int requester)
    {
        if (!probes)
        {
            return start;
        }
        return start - requestLead[packageOf[requester] * packages + packageOf[home]];
    }

    /** When a transaction's last packet is done on the given resources. */
    private long transaction(final Resources r, final long now, final long start, final int home,
        final int requester, final int owner)
    {
        if (buses)
        {
            r.unblocked = busTransfer(r, now, start, requester, owner);
            return r.unblocked;
        }
        if (probes)
        {
            // When nothing held ends after the request sets out, and that is no earlier than now (so nothing the
            // transaction books is forgotten during it), it books what it would on idle resources, shifted to its
            // start: its pattern, without searching.
            final long setOut = earliest(start, home, requester);
            if (r.lastEnd <= setOut && setOut >= now)
            {
                return patterns[packageOf[requester] * packages + packageOf[home]].book(r, now, start);
            }
            return probeTransaction(r, now, start, packageOf[home], packageOf[requester]);
        }
        long at = start;
        if (r.controllers != null)
        {
            at = r.reserve(r.controllers[packageOf[home]], now, at, controllerCycles);
        }
        r.unblocked = at;
        return at;
    }

    /** {@link #transaction} on a machine that broadcasts probes, between the home's and the requester's packages. */
    private long probeTransaction(final Resources r, final long now, final long start, final int homePackage,
        final int requesterPackage)
    {
        // The request set out so as to reach an idle home at start: what it queues on the way makes it later.
        final long setOut = start - requestLead[requesterPackage * packages + homePackage];
        long at = Math.max(start, travel(r, now, requesterPackage, homePackage, setOut, requestCycles));
        if (r.controllers != null)
        {
            at = r.reserve(r.controllers[homePackage], now, at, controllerCycles);
        }
        long answered = at;
        for (int p = 0; p < packages; p++)
        {
            if (p != homePackage)
            {
                final long probed = travel(r, now, homePackage, p, at, probeCycles);
                answered = Math.max(answered, travel(r, now, p, homePackage, probed, responseCycles));
            }
        }
        final long done = travel(r, now, homePackage, requesterPackage, answered, dataCycles);
        // The requester's unblock goes back to the home, which holds the line until it is in (unblockCycles).
        r.unblocked = travel(r, now, requesterPackage, homePackage, done, responseCycles);
        return done;
    }

    /**
     * When a packet of {@code cycles} per link that leaves package {@code from} at {@code at} reaches package
     * {@code to}: link by link on its route, each held for its cycles from when it is free, then a hop step on.
     */
    private long travel(final Resources r, final long now, final int from, final int to, final long at,
        final long cycles)
    {
        long t = at;
        for (final OccupancySchedule link : r.routes[from * packages + to])
        {
            t = r.reserve(link, now, t, cycles) + cycles + hopCycles;
        }
        return t;
    }

    /** When the line has crossed the buses between the owner's die and the requester's. */
    private long busTransfer(final Resources r, final long now, final long start, final int requester,
        final int owner)
    {
        if (topology.sharesCache(requester, owner))
        {
            return start;
        }
        final int from = packageOf[owner];
        final int to = packageOf[requester];
        final long first = r.reserve(r.buses[from], now, start, busLineCycles) + busLineCycles;
        return from == to ? first : r.reserve(r.buses[to], now, first, busLineCycles) + busLineCycles;
    }

    /** Reservations held on every resource (for tests). */
    int reservations()
    {
        return busy.reservations();
    }

    /**
     * What one transaction books on resources that hold nothing from its request on, relative to its start:
     * the intervals on each resource it occupies, and when its data is in, its unblock is back and its last
     * booking ends. A transaction on such resources books the same, shifted to its start: nothing held delays it.
     */
    private static final class Pattern
    {
        /** Of each resource occupied, its index in {@link Resources#all}. */
        final int[] schedules;
        /** Per resource occupied: where its intervals end in {@link #starts} and {@link #ends}. */
        final int[] bounds;
        final long[] starts;
        final long[] ends;
        final long done;
        final long unblocked;
        final long lastEnd;

        /** The pattern of what was booked on {@code scratch}, idle before the transaction started at 0. */
        Pattern(final Resources scratch, final long done)
        {
            int occupied = 0;
            int intervals = 0;
            for (final OccupancySchedule s : scratch.all)
            {
                occupied += s.reservations() > 0 ? 1 : 0;
                intervals += s.reservations();
            }
            schedules = new int[occupied];
            bounds = new int[occupied];
            starts = new long[intervals];
            ends = new long[intervals];
            int resource = 0;
            int interval = 0;
            for (int index = 0; index < scratch.all.length; index++)
            {
                final OccupancySchedule s = scratch.all[index];
                if (s.reservations() == 0)
                {
                    continue;
                }
                for (int i = 0; i < s.reservations(); i++)
                {
                    starts[interval] = s.start(i);
                    ends[interval] = s.end(i);
                    interval++;
                }
                schedules[resource] = index;
                bounds[resource] = interval;
                resource++;
            }
            this.done = done;
            this.unblocked = scratch.unblocked;
            this.lastEnd = scratch.lastEnd;
        }

        /** Books the pattern on {@code r} for a transaction that starts at {@code start}; returns when its data is in. */
        long book(final Resources r, final long now, final long start)
        {
            int from = 0;
            for (int resource = 0; resource < schedules.length; resource++)
            {
                r.all[schedules[resource]].book(now, start, starts, ends, from, bounds[resource]);
                from = bounds[resource];
            }
            if (lastEnd != Long.MIN_VALUE)
            {
                r.lastEnd = Math.max(r.lastEnd, start + lastEnd);
            }
            r.unblocked = start + unblocked;
            return start + done;
        }
    }

    /** One set of the machine's resources, with the latest end of anything reserved on them. */
    private static final class Resources
    {
        /** Link directions by (from, to) package pair, null where the two are not neighbours. */
        final OccupancySchedule[] links;
        /** Per (from, to) package pair: the link directions of {@link Topology#firstHop}'s route, in order. */
        final OccupancySchedule[][] routes;
        /** Front-side buses by package, or null. */
        final OccupancySchedule[] buses;
        /** Memory controllers by node (package), or null. */
        final OccupancySchedule[] controllers;
        /** Every one of them. */
        final OccupancySchedule[] all;
        long lastEnd = Long.MIN_VALUE;
        /** When the last transaction run on these resources let its home take the next one for its line. */
        long unblocked;

        Resources(final Topology topology, final boolean probes, final boolean buses, final boolean controllers)
        {
            final int packages = topology.packageCount();
            links = new OccupancySchedule[packages * packages];
            if (probes)
            {
                for (int a = 0; a < packages; a++)
                {
                    for (int b = 0; b < packages; b++)
                    {
                        if (topology.packageHops(a, b) == 1)
                        {
                            links[a * packages + b] = new OccupancySchedule();
                        }
                    }
                }
            }
            routes = new OccupancySchedule[packages * packages][];
            for (int a = 0; a < packages; a++)
            {
                for (int b = 0; b < packages; b++)
                {
                    final OccupancySchedule[] route = new OccupancySchedule[probes ? topology.packageHops(a, b) : 0];
                    int here = a;
                    for (int i = 0; i < route.length; i++)
                    {
                        final int next = topology.firstHop(here, b);
                        route[i] = links[here * packages + next];
                        here = next;
                    }
                    routes[a * packages + b] = route;
                }
            }
            this.buses = buses ? schedules(packages) : null;
            this.controllers = controllers ? schedules(packages) : null;
            this.all = Stream.of(links, this.buses, this.controllers).filter(Objects::nonNull)
                .flatMap(Arrays::stream).filter(Objects::nonNull).toArray(OccupancySchedule[]::new);
        }

        private static OccupancySchedule[] schedules(final int count)
        {
            final OccupancySchedule[] schedules = new OccupancySchedule[count];
            for (int i = 0; i < count; i++)
            {
                schedules[i] = new OccupancySchedule();
            }
            return schedules;
        }

        /** {@link OccupancySchedule#reserve}, noting the latest end. */
        long reserve(final OccupancySchedule schedule, final long now, final long ready, final long cycles)
        {
            final long start = schedule.reserve(now, ready, cycles);
            lastEnd = Math.max(lastEnd, start + cycles);
            return start;
        }

        void clear()
        {
            for (final OccupancySchedule s : all)
            {
                s.clear();
            }
            lastEnd = Long.MIN_VALUE;
        }

        int reservations()
        {
            int count = 0;
            for (final OccupancySchedule s : all)
            {
                count += s.reservations();
            }
            return count;
        }
    }
}
