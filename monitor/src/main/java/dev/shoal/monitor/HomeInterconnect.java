package dev.shoal.monitor;

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

    HomeInterconnect(final Topology topology, final int homeCore)
    {
        this.topology = topology;
        this.homePackage = topology.packageOf(homeCore);
        final int packages = topology.packageCount();
        out = new OccupancySchedule[packages];
        in = new OccupancySchedule[packages];
        idleOut = new OccupancySchedule[packages];
        idleIn = new OccupancySchedule[packages];
        for (int p = 0; p < packages; p++)
        {
            final boolean port = topology.broadcastsProbes() && topology.packageHops(homePackage, p) == 1;
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
            () -> new HomeInterconnect(home.system().topology(), home.coreId()));
    }

    /** Whether any transaction can queue here: the description gives its links' or buses' bandwidth. */
    public boolean modelled()
    {
        return topology.broadcastsProbes() || topology.hasFrontSideBuses();
    }

    /**
     * Reserves the ports for one transaction that the home starts at {@code start} (at least its clock {@code now}),
     * moving a line from core {@code owner}'s cache to core {@code requester}'s, and returns the cycles by which the
     * queueing at the ports delays its answer: 0 when they are idle. Called on the home core only.
     */
    public long delay(final long now, final long start, final int requester, final int owner)
    {
        if (!modelled() || requester == owner)
        {
            return 0;
        }
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
        final long idle;
        final long busy;
        if (topology.broadcastsProbes())
        {
            idle = broadcast(idleOut, idleIn, now, start, requester);
            busy = broadcast(out, in, now, start, requester);
        }
        else
        {
            idle = busTransfer(idleOut, now, start, requester, owner);
            busy = busTransfer(out, now, start, requester, owner);
        }
        return busy - idle;
    }

    /** When the line leaves the last port on its way to the requester: probes out, every response in, data out. */
    private long broadcast(final OccupancySchedule[] outPorts, final OccupancySchedule[] inPorts, final long now,
        final long start, final int requester)
    {
        final long probe = topology.linkCycles(Topology.PROBE_PACKET_BYTES);
        final long response = topology.linkCycles(Topology.RESPONSE_PACKET_BYTES);
        final long hop = topology.homeHopCycles();
        long answered = start;
        for (int p = 0; p < out.length; p++)
        {
            if (p == homePackage)
            {
                continue;
            }
            final int port = topology.firstHop(homePackage, p);
            final long sent = outPorts[port].reserve(now, start, probe) + probe;
            final long back = sent + 2L * topology.packageHops(homePackage, p) * hop;
            answered = Math.max(answered, inPorts[port].reserve(now, back, response) + response);
        }
        final int target = topology.packageOf(requester);
        if (target == homePackage)
        {
            return answered;
        }
        final long data = topology.linkCycles(Topology.DATA_PACKET_BYTES);
        return outPorts[topology.firstHop(homePackage, target)].reserve(now, answered, data) + data;
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
