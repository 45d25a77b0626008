package dev.shoal.monitor;

import dev.shoal.kernel.Core;
import dev.shoal.skb.Topology;

/**
 * The interconnect as the home of a line sees it: the ports through which every leg of a coherence transaction the
 * home serves passes, each serving one packet at a time, so that concurrent transactions queue there.
 *
 * <ul>
 *   <li><b>HyperTransport</b> (the description's {@code link_bandwidth/1}: the AMD machines). The home's package
 *   has one port per link, each a resource in each direction. These Opterons have no probe filter: the home sends
 *   a probe ({@link Topology#PROBE_PACKET_BYTES}) to every other package, out of the port on its route, and the
 *   transaction is answered only when every package's response ({@link Topology#RESPONSE_PACKET_BYTES}) is back in
 *   (AMD's ccNUMA performance guidelines, publication 40555, A.2.1: the memory controller "sends probes to all other
 *   nodes", and answers the requester "once it receives the response from the nodes"). A probe's round trip to a
 *   package h hops away takes 2 h hop steps ({@link Topology#homeHopCycles}), so the farthest package answers last.
 *   The line then leaves ({@link Topology#DATA_PACKET_BYTES}) by the port toward the requester's package, unless
 *   the requester shares the home's package.</li>
 *   <li><b>Front-side buses</b> ({@code bus_bandwidth/1}: the Intel machine). Each package has a bus of its own
 *   to the chipset, which its two dies share and which carries one transfer at a time. A line moved between dies of
 *   one package crosses that package's bus once; between packages it crosses the owner's bus and then the
 *   requester's. A line moved within a shared cache crosses no bus.</li>
 * </ul>
 *
 * <p>What the transaction pays is its <em>queueing</em> only: {@link #delay} is how much later its last packet is
 * done than it would be on idle ports. The latency of an idle transaction, the broadcast's wait for the farthest
 * package included, is already in the description's line transfers, which were set from the paper's Table 2.
 *
 * <p>Core-local state of the home core's monitor ({@link #of}), like the directory and {@link HomeMemoryController}:
 * created on first use, called only from that core's handlers, never shared. It holds the ports of the home's own
 * package (and, on a front-side-bus machine, every package's bus, which only this home's transactions load): the
 * traffic of transactions that other homes serve does not reach it.
 *
 * <p>The same ports carry the lines of the UMP rings the home core's memory holds ({@link Monitor#commitSlots},
 * {@link Monitor#fetchSlots}): a slot line is the writer's invalidation of the reader's copy and the reader's fetch,
 * two transactions at the ring's home, booked by whichever end of the channel the home is. A fetch may have started
 * before the home's clock (while it was busy), so the ports keep every reservation that a later booking could still
 * meet: those ending after the home's {@linkplain Core#eventFloor event floor} less the longest line transfer.
 */
public final class HomeInterconnect
{
    private final Topology topology;
    private final int homePackage;
    /** Ports of the home's package by neighbouring package, null where no link; or buses by package. */
    private final OccupancySchedule[] out;
    private final OccupancySchedule[] in;
    /** The same ports idle, cleared for each transaction: what its packets take without other traffic. */
    private final OccupancySchedule[] idleOut;
    private final OccupancySchedule[] idleIn;
    /** The home core, whose event floor bounds what later bookings can meet; null in tests that give it. */
    private final Core core;
    /** The longest line transfer to the home's core: how far before its event floor a slot's invalidation lies. */
    private final long lookback;
    /** What the invalidation of the last {@link #slotLine} queued. */
    private long writeQueueing;
    /** Per package: the home's port toward it and its probe's round trip (2 hops x the hop step); the packets. */
    private final int[] portToward;
    private final long[] probeRoundTrip;
    private final long probeCycles;
    private final long responseCycles;
    private final long dataCycles;

    HomeInterconnect(final Topology topology, final int homeCore)
    {
        this(topology, homeCore, null);
    }

    private HomeInterconnect(final Topology topology, final int homeCore, final Core core)
    {
        this.topology = topology;
        this.core = core;
        long longest = 0;
        if (modelled(topology))
        {
            for (int c = 0; c < topology.coreCount(); c++)
            {
                longest = Math.max(longest, topology.lineTransfer(c, homeCore));
            }
        }
        this.lookback = longest;
        this.homePackage = topology.packageOf(homeCore);
        final int packages = topology.packageCount();
        out = new OccupancySchedule[packages];
        in = new OccupancySchedule[packages];
        idleOut = new OccupancySchedule[packages];
        idleIn = new OccupancySchedule[packages];
        portToward = new int[packages];
        probeRoundTrip = new long[packages];
        probeCycles = topology.linkCycles(Topology.PROBE_PACKET_BYTES);
        responseCycles = topology.linkCycles(Topology.RESPONSE_PACKET_BYTES);
        dataCycles = topology.linkCycles(Topology.DATA_PACKET_BYTES);
        for (int p = 0; p < packages; p++)
        {
            final boolean port = topology.broadcastsProbes() && topology.packageHops(homePackage, p) == 1;
            if (topology.broadcastsProbes())
            {
                portToward[p] = topology.firstHop(homePackage, p);
                probeRoundTrip[p] = 2L * topology.packageHops(homePackage, p) * topology.homeHopCycles();
            }
            if (port || topology.hasFrontSideBuses())
            {
                out[p] = new OccupancySchedule();
                idleOut[p] = new OccupancySchedule();
            }
            if (port)
            {
                in[p] = new OccupancySchedule();
                idleIn[p] = new OccupancySchedule();
            }
        }
    }

    /** The interconnect as core {@code home}'s transactions see it: core-local, created on first use. */
    public static HomeInterconnect of(final Monitor home)
    {
        return home.local(HomeInterconnect.class,
            () -> new HomeInterconnect(home.system().topology(), home.coreId(), home.core()));
    }

    /** Whether any transaction can queue here: the description gives its links' or buses' bandwidth. */
    public boolean modelled()
    {
        return modelled(topology);
    }

    static boolean modelled(final Topology topology)
    {
        return topology.broadcastsProbes() || topology.hasFrontSideBuses();
    }

    /**
     * {@link #delay(long, long, int, int)} for a transaction starting at {@code start}, no earlier than the home's
     * event floor less one line transfer: what a coherence transaction or a slot line booked on the home core
     * starts at. Only for an interconnect made by {@link #of}.
     */
    public long delay(final long start, final int requester, final int owner)
    {
        return delay(core.eventFloor() - lookback, start, requester, owner);
    }

    /**
     * Reserves the ports for one transaction that the home starts at {@code start}, moving a line from core
     * {@code owner}'s cache to core {@code requester}'s, and returns the cycles by which the queueing at the ports
     * delays its answer: 0 when they are idle. {@code now} is a time no later booking starts before (reservations
     * ending by then are forgotten); {@code start} is not before it. Called on the home core only.
     */
    public long delay(final long now, final long start, final int requester, final int owner)
    {
        if (!modelled() || requester == owner)
        {
            return 0;
        }
        if (freeFrom(start))
        {
            transaction(out, in, now, start, requester, owner); // as on idle ports: nothing queues
            return 0;
        }
        clearIdle();
        return transaction(out, in, now, start, requester, owner) -
            transaction(idleOut, idleIn, now, start, requester, owner);
    }

    /**
     * Reserves the ports for one UMP slot line of a ring in the home core's memory, written by core {@code writer}
     * and read by core {@code reader}: the writer's invalidation of the reader's copy, starting at {@code written},
     * then the reader's fetch, starting at {@code fetched} and never before the invalidation's last packet (on
     * idle ports too, so that the two transactions of one line never queue behind each other). Returns the cycles
     * by which queueing at the ports makes the line reach the reader later: 0 when they are idle; how much of that
     * the invalidation alone took is then {@link #writeQueueing}. Called on the home core only, from the
     * core-local interconnect of {@link #of}.
     */
    long slotLine(final long written, final long fetched, final int writer, final int reader)
    {
        return modelled() ? slotLine(core.eventFloor() - lookback, written, fetched, writer, reader) : 0;
    }

    /**
     * {@link #slotLine(long, long, int, int)} with {@code now}, a time no later booking starts before, given (as
     * {@link #delay(long, long, int, int)} takes it): for tests of an interconnect made without a core.
     */
    long slotLine(final long now, final long written, final long fetched, final int writer, final int reader)
    {
        writeQueueing = 0;
        if (!modelled())
        {
            return 0;
        }
        if (freeFrom(written))
        {
            // No port holds anything from the invalidation's start on, so both transactions go as on idle ports:
            // the fetch starts after every packet of the invalidation. Saves the idle ports' half of the work.
            final long busyWritten = transaction(out, in, now, written, writer, reader);
            transaction(out, in, now, Math.max(fetched, busyWritten), reader, writer);
            return 0;
        }
        clearIdle();
        final long idleWritten = transaction(idleOut, idleIn, now, written, writer, reader);
        final long busyWritten = transaction(out, in, now, written, writer, reader);
        writeQueueing = busyWritten - idleWritten;
        return transaction(out, in, now, Math.max(fetched, busyWritten), reader, writer) -
            transaction(idleOut, idleIn, now, Math.max(fetched, idleWritten), reader, writer);
    }

    /** Of the queueing the last {@link #slotLine} returned, what the writer's invalidation took. */
    long writeQueueing()
    {
        return writeQueueing;
    }

    /** Whether no port holds a reservation that ends after {@code time}: a transaction from then meets none. */
    private boolean freeFrom(final long time)
    {
        for (int p = 0; p < out.length; p++)
        {
            if (out[p] != null && out[p].lastEnd() > time || in[p] != null && in[p].lastEnd() > time)
            {
                return false;
            }
        }
        return true;
    }

    private void clearIdle()
    {
        for (int p = 0; p < out.length; p++)
        {
            if (idleOut[p] != null)
            {
                idleOut[p].clear();
            }
            if (idleIn[p] != null)
            {
                idleIn[p].clear();
            }
        }
    }

    /** When a transaction's last packet is done on the given ports. */
    private long transaction(final OccupancySchedule[] outPorts, final OccupancySchedule[] inPorts, final long now,
        final long start, final int requester, final int owner)
    {
        return topology.broadcastsProbes() ? broadcast(outPorts, inPorts, now, start, requester) :
            busTransfer(outPorts, now, start, requester, owner);
    }

    /** When the line leaves the last port on its way to the requester: probes out, every response in, data out. */
    private long broadcast(final OccupancySchedule[] outPorts, final OccupancySchedule[] inPorts, final long now,
        final long start, final int requester)
    {
        final long probe = probeCycles;
        final long response = responseCycles;
        long answered = start;
        for (int p = 0; p < out.length; p++)
        {
            if (p == homePackage)
            {
                continue;
            }
            final int port = portToward[p];
            final long sent = outPorts[port].reserve(now, start, probe) + probe;
            final long back = sent + probeRoundTrip[p];
            answered = Math.max(answered, inPorts[port].reserve(now, back, response) + response);
        }
        final int target = topology.packageOf(requester);
        if (target == homePackage)
        {
            return answered;
        }
        return outPorts[portToward[target]].reserve(now, answered, dataCycles) + dataCycles;
    }

    /** When the line has crossed the buses between the owner's die and the requester's. */
    private long busTransfer(final OccupancySchedule[] buses, final long now, final long start, final int requester,
        final int owner)
    {
        if (topology.sharesCache(requester, owner))
        {
            return start;
        }
        final long line = topology.busCycles(Topology.LINE_BYTES);
        final int from = topology.packageOf(owner);
        final int to = topology.packageOf(requester);
        final long first = buses[from].reserve(now, start, line) + line;
        return from == to ? first : buses[to].reserve(now, first, line) + line;
    }
}
