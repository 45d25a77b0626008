package dev.shoal.skb;

import java.util.Objects;

/**
 * An immutable snapshot of a machine's shape and latencies, built once from the SKB's Prolog answers by
 * {@link Skb#topology()}. Thread-safe: every core may read it concurrently, so hot paths (charging a message's
 * link latency) never touch the single-threaded Prolog engine.
 *
 * <p>A latency is answered from small tables, not an N x N matrix: each core's package and cache group, a
 * P x P table of package hops, and the machine's latency classes, combined exactly as the rule
 * {@code core_latency/3} combines them (same core 0; same cache group; same package; else by hops). For
 * {@code numa:64x64} that is 4096 + 4096 + 64 x 64 entries instead of 16 million.
 *
 * <p>The hop table comes from Prolog, one enumeration of {@code package_hops/3} over all package pairs (the
 * arithmetic torus rule for generated machines): about 50 ms for the 16,384 pairs of {@code numa:128x8} on a
 * warm JVM, and about 80 ms for opening that machine and building this snapshot together. That is fast enough
 * that the table is not recomputed in Java from the interconnect facts.
 */
public final class Topology {

    /** A latency class the machine does not declare. */
    static final long NO_LATENCY = -1;
    /** A core in no shared-cache group. */
    static final int NO_CACHE_GROUP = -1;

    private final String machineName;
    private final int clockMhz;
    private final long lrpcCycles;
    private final int[] packageOfCore;
    private final int[] numaNodeOfCore;
    private final int[] cacheGroupOfCore;
    private final int packageCount;
    private final int[] packageHops;
    private final long sharedCacheCycles;
    private final long samePackageCycles;
    private final long[] cyclesByHops;
    private final long sharedCacheTransfer;
    private final long samePackageTransfer;
    private final long[] transferByHops;
    private final boolean transfersDescribed;
    private final int missBuffers;
    private final long homeOccupancyCycles;
    private final long linkBandwidthMBps;
    private final long busBandwidthMBps;

    /** A description without {@code dram_bandwidth/1}: its homes have no memory-controller occupancy. */
    static final long NO_DRAM_BANDWIDTH = 0;
    /** Bytes of one cache line, the unit a coherence transaction moves. */
    public static final int LINE_BYTES = 64;
    /** A description without {@code link_bandwidth/1} or {@code bus_bandwidth/1}: its links are pure delay. */
    static final long NO_BANDWIDTH = 0;
    /**
     * Bytes of a probe on a HyperTransport link: a request control packet that carries an address, 8 bytes in the
     * HyperTransport I/O Link Specification (control packets are 4 or 8 bytes, requests with an address 8;
     * MindShare's "HyperTransport System Architecture", ch. 4). Coherent HyperTransport, which the Opterons speak
     * between sockets, is AMD's own and unpublished: its probes are taken to be the published request's size.
     */
    public static final int PROBE_PACKET_BYTES = 8;
    /** Bytes of a probe's answer: a response control packet, 4 bytes in the HyperTransport specification. */
    public static final int RESPONSE_PACKET_BYTES = 4;
    /** Bytes of a line sent over a link: a 4-byte read response and its 64-byte data packet (the spec's largest). */
    public static final int DATA_PACKET_BYTES = RESPONSE_PACKET_BYTES + LINE_BYTES;

    /**
     * Line fetches a core can have outstanding at once when its description does not say ({@code miss_buffers/1}):
     * eight, an assumption of the order of the miss buffers of the processors of the Multikernel paper's
     * generation, not taken from a datasheet.
     */
    public static final int DEFAULT_MISS_BUFFERS = 8;

    /**
     * Software cycles of one UMP message outside its two line transfers (the sender's store of the slot, the
     * receiver's poll check and copy): the calibrated figure of the cost model ({@code CostModel.UMP_SEND_SOFTWARE +
     * CostModel.UMP_RECEIVE_SOFTWARE}). Used only to derive line transfers for a description without
     * {@code line_transfer/2} facts: half of what its published URPC latency leaves after the software.
     */
    public static final long UMP_SOFTWARE_CYCLES = 60;

    /**
     * Takes ownership of the arrays: the caller must not keep or change them.
     *
     * @param packageHops row-major {@code packageCount x packageCount} hop counts
     * @param cyclesByHops latency by hop count; {@link #NO_LATENCY} where the machine has no such class
     */
    Topology(String machineName, int clockMhz, long lrpcCycles, int[] packageOfCore, int[] numaNodeOfCore,
            int[] cacheGroupOfCore, int packageCount, int[] packageHops, long sharedCacheCycles, long samePackageCycles,
            long[] cyclesByHops, long sharedCacheTransfer, long samePackageTransfer, long[] transferByHops,
            int missBuffers, long dramBandwidthMBps, long linkBandwidthMBps, long busBandwidthMBps) {
        this.missBuffers = missBuffers;
        this.linkBandwidthMBps = linkBandwidthMBps;
        this.busBandwidthMBps = busBandwidthMBps;
        this.homeOccupancyCycles = dramBandwidthMBps == NO_DRAM_BANDWIDTH ? 0
                : Math.ceilDiv((long) LINE_BYTES * clockMhz, dramBandwidthMBps);
        this.machineName = machineName;
        this.clockMhz = clockMhz;
        this.lrpcCycles = lrpcCycles;
        this.packageOfCore = packageOfCore;
        this.numaNodeOfCore = numaNodeOfCore;
        this.cacheGroupOfCore = cacheGroupOfCore;
        this.packageCount = packageCount;
        this.packageHops = packageHops;
        this.sharedCacheCycles = sharedCacheCycles;
        this.samePackageCycles = samePackageCycles;
        this.cyclesByHops = cyclesByHops;
        boolean described = samePackageTransfer != NO_LATENCY;
        this.transfersDescribed = described;
        this.sharedCacheTransfer = sharedCacheTransfer != NO_LATENCY ? sharedCacheTransfer : derived(sharedCacheCycles);
        this.samePackageTransfer = described ? samePackageTransfer : derived(samePackageCycles);
        this.transferByHops = new long[cyclesByHops.length];
        for (int h = 0; h < cyclesByHops.length; h++) {
            long given = h < transferByHops.length ? transferByHops[h] : NO_LATENCY;
            this.transferByHops[h] = given != NO_LATENCY ? given : derived(cyclesByHops[h]);
        }
    }

    private static long derived(long urpcCycles) {
        return urpcCycles == NO_LATENCY ? NO_LATENCY : Math.max(1, (urpcCycles - UMP_SOFTWARE_CYCLES) / 2);
    }

    /**
     * How many independent line fetches one core can have outstanding at once (its miss buffers): the
     * description's {@code miss_buffers/1}, else {@link #DEFAULT_MISS_BUFFERS}. A core polling several rings
     * overlaps their fetches up to this many; one ring's slots are still fetched in order.
     */
    public int missBuffers() {
        return missBuffers;
    }

    /**
     * Cycles one coherence transaction occupies the memory controller of the node that is its line's home: one
     * 64-byte line at the node's peak DRAM bandwidth (the description's {@code dram_bandwidth/1}, in 10^6 bytes a
     * second), rounded up to whole cycles of the machine's clock; 0 when the description gives no bandwidth. On
     * these Opterons the home starts the DRAM read of every transaction in parallel with its probe broadcast (the
     * latency is the longer of the two: McCalpin's Opteron latency chart, its notes), so every transaction it
     * serves takes one line's worth of the controller, whatever cache answers.
     */
    public long homeOccupancyCycles() {
        return homeOccupancyCycles;
    }

    /**
     * Whether the home of a line broadcasts a probe to every other package with each coherence transaction and
     * sends it over links that serve one packet at a time: the description gives {@code link_bandwidth/1} (the
     * AMD machines, whose parts have no probe filter) and has more than one package.
     */
    public boolean broadcastsProbes() {
        return linkBandwidthMBps != NO_BANDWIDTH && packageCount > 1;
    }

    /**
     * Cycles one direction of an interconnect link is busy sending {@code bytes}: at the description's
     * {@code link_bandwidth/1} (10^6 bytes a second each way), rounded up to whole cycles of the machine's clock;
     * 0 when the description gives none.
     */
    public long linkCycles(int bytes) {
        return occupancy(bytes, linkBandwidthMBps);
    }

    /** Whether each package reaches the others over a front-side bus of its own ({@code bus_bandwidth/1}). */
    public boolean hasFrontSideBuses() {
        return busBandwidthMBps != NO_BANDWIDTH;
    }

    /**
     * Cycles a package's front-side bus is busy moving {@code bytes}: at the description's {@code bus_bandwidth/1},
     * rounded up to whole cycles; 0 when the description gives none.
     */
    public long busCycles(int bytes) {
        return occupancy(bytes, busBandwidthMBps);
    }

    private long occupancy(int bytes, long mbps) {
        return mbps == NO_BANDWIDTH ? 0 : Math.ceilDiv((long) bytes * clockMhz, mbps);
    }

    /**
     * The package a packet from package {@code from} to package {@code to} crosses its first link to: the
     * lowest-numbered neighbour of {@code from} on a shortest path (the descriptions give no routing tables, so
     * the choice is fixed and the same both ways); {@code to} itself when the two are linked, {@code from} when
     * they are one package. Allocation-free.
     */
    public int firstHop(int from, int to) {
        int distance = packageHops(from, to);
        if (distance == 0) {
            return from;
        }
        for (int n = 0; n < packageCount; n++) {
            if (packageHops[from * packageCount + n] == 1 && packageHops[n * packageCount + to] == distance - 1) {
                return n;
            }
        }
        throw new IllegalStateException("no link from package " + from + " toward " + to);
    }

    /**
     * Extra cycles of a line fetch for each HyperTransport hop between the fetching core's package and the package
     * whose memory the line lives in (its home node: every coherence transaction of these Opterons goes to the
     * line's home first, which then probes the caches): the machine's own step from a same-package to a one-hop
     * line transfer ({@code line_transfer(hops(1))} less {@code line_transfer(same_package)}), 0 on a machine of
     * one package or whose one-hop transfer is no dearer (a front-side bus, where memory sits behind the chipset
     * at equal distance from every package).
     */
    public long homeHopCycles() {
        if (transferByHops.length < 2 || transferByHops[1] == NO_LATENCY || samePackageTransfer == NO_LATENCY) {
            return 0;
        }
        return Math.max(0, transferByHops[1] - samePackageTransfer);
    }

    /**
     * Cycles from when a coherence transaction's line reaches core {@code requester} until the home node of core
     * {@code homeCore}'s memory may start the next transaction for the same line: the requester's unblock (the
     * Hammer protocol's source-done) travelling back to the home, one response packet ({@link #RESPONSE_PACKET_BYTES})
     * at the link's bandwidth and one {@link #homeHopCycles hop step} for each hop between their packages. The home
     * keeps the line blocked until then (gem5's MOESI_hammer directory, an AMD-contributed model of the protocol:
     * a request puts the line in a blocked state, NO_B or O_B, that only the requester's Unblock ends). Only on
     * machines that {@link #broadcastsProbes broadcast probes} (the Opteron descriptions); 0 elsewhere, and 0 when the
     * two share a package (the unblock crosses no link). Allocation-free.
     */
    public long unblockCycles(int requester, int homeCore) {
        if (!broadcastsProbes()) {
            return 0;
        }
        return packageHops(packageOf(requester), packageOf(homeCore)) *
            (linkCycles(RESPONSE_PACKET_BYTES) + homeHopCycles());
    }

    /**
     * Cycles core {@code reader} stalls to fetch one line that core {@code writer} wrote and whose memory belongs to
     * core {@code homeCore}'s node: {@link #lineTransfer} plus {@link #homeHopCycles} for each hop from the reader's
     * package to the home's. Allocation-free.
     *
     * @throws IndexOutOfBoundsException unless the three cores exist
     */
    public long lineFetch(int reader, int writer, int homeCore) {
        long transfer = lineTransfer(reader, writer);
        if (reader == writer) {
            return transfer;
        }
        return transfer + homeHopCycles() * packageHops(packageOf(reader), packageOf(homeCore));
    }

    /**
     * Cycles core {@code core} stalls to read a line from the DRAM of core {@code homeCore}'s node (a miss to memory:
     * a line none of its caches holds): the description's same-package line transfer, plus {@link #homeHopCycles}
     * for each hop from the core's package to the home's. Derived, not fitted: on these Opterons without a probe
     * filter every transaction waits for the snoop answers of all sockets, so a line from a neighbouring cache costs
     * about a memory access, and the calibrated same-package transfers lie within -8 % to +16 % of the local memory
     * latencies J. D. McCalpin published for the same processor families ("AMD Opteron Local Memory Latency Chart",
     * 2010; docs/cost-model.md, "The calibrated transfers against published measurements"). A description without
     * {@code line_transfer/2} gets the transfer derived as {@link #lineTransfer} does; one without a same-package
     * class at all uses its one-hop transfer (with no hop step), and one with neither has no memory figure: 0. On a
     * front-side bus ({@code intel-2x4}) the hop step is 0: memory sits behind the chipset. Allocation-free.
     *
     * @throws IndexOutOfBoundsException unless both cores exist
     */
    public long memoryLatency(int core, int homeCore) {
        int hops = packageHops(packageOf(core), packageOf(homeCore));
        if (samePackageTransfer != NO_LATENCY) {
            return samePackageTransfer + homeHopCycles() * hops;
        }
        return transferByHops.length > 1 && transferByHops[1] != NO_LATENCY ? transferByHops[1] : 0;
    }

    /** Whether the description gives its line transfers ({@code line_transfer/2}) rather than derived ones. */
    public boolean transfersDescribed() {
        return transfersDescribed;
    }

    /**
     * Cycles to move one 64-byte cache line between the caches of cores {@code a} and {@code b} (a coherence
     * transaction: the writer's invalidation of the reader's copy, or the reader's fetch of the written line),
     * by where the two caches are: 0 on one core, else the machine's {@code line_transfer/2} for a shared cache,
     * the same package, or the hop count. Symmetric. Allocation-free.
     *
     * @throws IndexOutOfBoundsException unless both cores exist
     */
    public long lineTransfer(int a, int b) {
        return byPlacement(a, b, sharedCacheTransfer, samePackageTransfer, transferByHops);
    }

    /**
     * A cost by where cores {@code a} and {@code b} are: 0 for one core, {@code sharedCache} within a cache group,
     * {@code samePackage} within a package, else {@code byHops} at their packages' distance.
     */
    private long byPlacement(int a, int b, long sharedCache, long samePackage, long[] byHops) {
        int pa = packageOf(a);
        int pb = packageOf(b);
        if (a == b) {
            return 0;
        }
        int group = cacheGroupOfCore[a];
        if (group != NO_CACHE_GROUP && group == cacheGroupOfCore[b]) {
            return sharedCache;
        }
        if (pa == pb) {
            return samePackage;
        }
        return byHops[packageHops[pa * packageCount + pb]];
    }

    /** Whether two distinct cores share a last-level cache (the description's {@code shared_cache/2}). */
    public boolean sharesCache(int a, int b) {
        int group = cacheGroupOfCore[Objects.checkIndex(a, cacheGroupOfCore.length)];
        return a != b && group != NO_CACHE_GROUP && group == cacheGroupOfCore[Objects.checkIndex(b, cacheGroupOfCore.length)];
    }

    public String machineName() {
        return machineName;
    }

    public int clockMhz() {
        return clockMhz;
    }

    /** Same-core LRPC round trip, in cycles. */
    public long lrpcCycles() {
        return lrpcCycles;
    }

    public int coreCount() {
        return packageOfCore.length;
    }

    public int packageCount() {
        return packageCount;
    }

    /** @throws IndexOutOfBoundsException unless {@code 0 <= core < coreCount()} */
    public int packageOf(int core) {
        return packageOfCore[Objects.checkIndex(core, packageOfCore.length)];
    }

    /** @throws IndexOutOfBoundsException unless {@code 0 <= core < coreCount()} */
    public int numaNodeOf(int core) {
        return numaNodeOfCore[Objects.checkIndex(core, numaNodeOfCore.length)];
    }

    /** Fewest interconnect links between two packages; 0 for the same package. */
    public int packageHops(int packageA, int packageB) {
        Objects.checkIndex(packageA, packageCount);
        Objects.checkIndex(packageB, packageCount);
        return packageHops[packageA * packageCount + packageB];
    }

    /**
     * The published one-way URPC latency from core {@code a} to core {@code b} in cycles (the description's
     * {@code urpc_latency/2}, the same answer as the rule {@code core_latency(A, B, Cycles)}): what the paper
     * measured, kept for routing (the NUMA-aware tree orders by it) and for validation. The transport does not
     * charge it: messages pay {@link #lineTransfer} and the cost model's software. Allocation-free.
     *
     * @throws IndexOutOfBoundsException unless both cores exist
     */
    public long latency(int a, int b) {
        return byPlacement(a, b, sharedCacheCycles, samePackageCycles, cyclesByHops);
    }

    @Override
    public String toString() {
        return "Topology[" + machineName + ", " + coreCount() + " cores, " + packageCount + " packages]";
    }
}
