package dev.shoal.monitor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import dev.shoal.kernel.CostModel;
import dev.shoal.kernel.Timers;
import dev.shoal.kernel.paging.PagingCosts;
import dev.shoal.skb.Topology;

/**
 * TLB shootdown: after a mapping changed, every core that may cache it drops its TLB entries for the range, and
 * the initiator returns only when all have acknowledged. Four strategies ({@link ShootdownStrategy}).
 *
 * <p>Timing is plain code: each core charges what it does to its own clock, and the exact engine hands every core
 * its messages in arrival order, so a core that collects acknowledgements handles them one after another, each
 * paying its receive and dispatch. The latency is the initiator's clock when the last acknowledgement has been
 * handled, less its clock at the start. Costs: the transport's line transfers ({@code Topology.lineTransfer}: the
 * sender's store buffer commits one line at a time, a receiver stalls on each fetch), the slot software
 * {@link CostModel#umpSendSlot()} / {@link CostModel#umpReceiveSlot()}, a monitor dispatch
 * {@link CostModel#monitorHandler()}, and dropping one page from a TLB {@link #INVLPG_CYCLES}. The broadcast's one
 * line serves its readers one transaction at a time, each ending when the reader's unblock is back at the line's
 * home ({@code Topology.unblockCycles}).
 *
 * <p>Faults: the initiator waits {@code timeoutCycles} of simulated time (default {@value #DEFAULT_TIMEOUT_CYCLES})
 * for the acknowledgements. If they are not all in by then, the shootdown completes with {@link Result#timedOut()}
 * set and {@link Result#cores()} counting the cores known to have invalidated (a forwarding leader waiting for a
 * silent core answers for none of its package); the caller must treat the others' TLBs as possibly stale. Leaders
 * keep no timers; late acknowledgements are ignored. As with every timer, it fires once the initiator's clock moves
 * on or the whole machine is idle (in both modes, see {@link dev.shoal.kernel.Timers}).
 */
public final class ShootdownOperation implements MonitorOperation
{
    /** Cycles to drop one page's translation (an INVLPG): the paging cost model's figure, see {@link PagingCosts}. */
    public static final long INVLPG_CYCLES = PagingCosts.DEFAULT.invalidatePage();
    private static final long PAGE = 4096;
    /** A forwarding core keys a round by (initiator, round): the initiator's core above these bits. */
    private static final int ROUND_BITS = 40;
    private static final long ROUND_MASK = (1L << ROUND_BITS) - 1;

    /** Drop translations of [vaddr, vaddr+bytes) in address space asid; forward to {@code forwardTo} first. */
    public record Invalidate(long round, int asid, long vaddr, long bytes, int[] forwardTo)
    {
    }

    /** {@code cores} cores (the sender and those it forwarded to) dropped the translations. */
    public record Acknowledge(long round, int cores, int messages)
    {
    }

    /** What the initiator learns. */
    public record Result(ShootdownStrategy strategy, int cores, long latencyCycles, int messages, boolean timedOut)
    {
    }

    /** Simulated cycles the initiator waits for every acknowledgement by default. */
    public static final long DEFAULT_TIMEOUT_CYCLES = 50_000_000L;

    /** What a core does to its own TLB; the kernel's software TLB by default (see {@link Monitor}). */
    @FunctionalInterface
    public interface LocalInvalidation
    {
        void invalidate(Monitor monitor, int asid, long vaddr, long bytes);
    }

    /** A round in progress on one core (initiator or forwarding leader). */
    private static final class Round
    {
        int replyTo = -1;
        int waiting;
        int cores = 1;
        int messages;
        long startCycle;
        ShootdownStrategy strategy;
        CompletableFuture<Result> done;
        Timers.Timer timeout;
    }

    private static final class Rounds
    {
        final Map<Long, Round> byId = new HashMap<>();
        long next = 1;
    }

    private final LocalInvalidation local;
    private final long timeoutCycles;

    /** A shootdown that invalidates each core's kernel TLB. */
    public ShootdownOperation()
    {
        this((monitor, asid, vaddr, bytes) -> monitor.core().tlb().invalidate(asid, vaddr, bytes));
    }

    public ShootdownOperation(final LocalInvalidation local)
    {
        this(local, DEFAULT_TIMEOUT_CYCLES);
    }

    /**
     * @param timeoutCycles simulated cycles the initiator waits for the acknowledgements, positive.
     * @throws IllegalArgumentException when {@code timeoutCycles} is not positive.
     */
    public ShootdownOperation(final LocalInvalidation local, final long timeoutCycles)
    {
        if (timeoutCycles <= 0)
        {
            throw new IllegalArgumentException("shootdown timeout must be positive, not " + timeoutCycles);
        }
        this.local = local;
        this.timeoutCycles = timeoutCycles;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Invalidate.class, this::onInvalidate);
        protocol.message(Acknowledge.class, this::onAcknowledge);
    }

    /**
     * Starts a shootdown from {@code initiator}'s core to {@code targets} (cores that may cache the mapping; the
     * initiator's own TLB is always invalidated). Called on the initiator's core; the future completes there when
     * every target has acknowledged.
     */
    public CompletableFuture<Result> start(final Monitor initiator, final ShootdownStrategy strategy, final int asid,
        final long vaddr, final long bytes, final int[] targets)
    {
        final Topology topology = initiator.system().topology();
        final List<Hop> plan = plan(topology, initiator.coreId(), targets, strategy);
        for (final Hop hop : plan)
        {
            // Each message travels on a channel of its own, set up by the first round. The NUMA-aware multicast
            // leaves the channel to another package's leader to the leader, which opens it from its own memory
            // (onInvalidate): its rings then live on the leader's node, where the leader fetches the requests.
            if (strategy != ShootdownStrategy.NUMA_MULTICAST ||
                topology.packageOf(hop.core()) == topology.packageOf(initiator.coreId()))
            {
                initiator.ensureLink(hop.core());
            }
        }
        final Rounds rounds = initiator.local(Rounds.class, Rounds::new);
        final long id = rounds.next++;
        final Round round = new Round();
        round.strategy = strategy;
        round.done = new CompletableFuture<>();
        round.startCycle = initiator.now();
        rounds.byId.put(id, round);
        // One round at a time per initiator in the workloads: the phase nests on the core's timeline.
        dev.shoal.kernel.Timeline.beginPhase(initiator.core(), "shootdown " + strategy.cliName());

        invalidateHere(initiator, asid, vaddr, bytes);
        round.waiting = plan.size();
        final CostModel costs = initiator.core().costs();
        if (strategy == ShootdownStrategy.BROADCAST)
        {
            // One slot write; the line then serves its readers one transaction at a time: its home (the
            // initiator's node) takes a reader's fetch once the previous reader's unblock is back, that reader's
            // transfer done (sendStamped adds this reader's own transfer).
            long lineFree = initiator.core().clock().advance(costs.umpSendSlot());
            for (int k = 0; k < plan.size(); k++)
            {
                final Hop hop = plan.get(k);
                initiator.sendStamped(hop.core(), new Invalidate(id, asid, vaddr, bytes, hop.forwardTo()), lineFree);
                lineFree += topology.lineTransfer(initiator.coreId(), hop.core()) +
                    topology.unblockCycles(hop.core(), initiator.coreId());
            }
        }
        else
        {
            for (final Hop hop : plan)
            {
                initiator.send(hop.core(), new Invalidate(id, asid, vaddr, bytes, hop.forwardTo()));
            }
        }
        round.messages = plan.size();
        if (round.waiting > 0)
        {
            round.timeout = initiator.after(timeoutCycles, () ->
            {
                if (rounds.byId.remove(id) == round)
                {
                    dev.shoal.kernel.Timeline.endPhase(initiator.core(), "shootdown " + round.strategy.cliName());
                    round.done.complete(new Result(round.strategy, round.cores, initiator.now() - round.startCycle,
                        round.messages, true));
                }
            });
        }
        finishIfDone(initiator, id, round);
        return round.done;
    }

    /**
     * Host side: a shootdown from core 0 to every booted core, as the unmap benchmarks run it. Any host thread; the
     * future completes when core 0 holds every acknowledgement.
     */
    public CompletableFuture<Result> startFromCoreZero(final MonitorSystem system, final ShootdownStrategy strategy,
        final int asid, final long vaddr, final long bytes)
    {
        final int[] all = java.util.stream.IntStream.range(0, system.cores()).toArray();
        return system.onCore(0, m -> start(m, strategy, asid, vaddr, bytes, all)).thenCompose(result -> result);
    }

    /**
     * Host side, blocking: the steady-state figure of {@code strategy} on {@code system}: a shootdown of one page from
     * core 0 to every core that sets the channels up, then the one measured (the paper's Figure 6 averages many
     * rounds). Not for a core's thread.
     */
    public Result steadyFromCoreZero(final MonitorSystem system, final ShootdownStrategy strategy,
        final java.time.Duration timeout) throws Exception
    {
        startFromCoreZero(system, strategy, 1, 0x4000_0000L, 4096).get(timeout.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
        return startFromCoreZero(system, strategy, 1, 0x4000_0000L, 4096).get(timeout.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void onInvalidate(final Monitor monitor, final int from, final Invalidate request)
    {
        // A request that came along the routing tree: open the direct channel for the reply and the next rounds,
        // from this core's memory (the NUMA-aware multicast's leaders; see start).
        monitor.ensureLink(from);
        invalidateHere(monitor, request.asid(), request.vaddr(), request.bytes());
        if (request.forwardTo().length == 0)
        {
            monitor.send(from, new Acknowledge(request.round(), 1, 1));
            return;
        }
        final Rounds rounds = monitor.local(Rounds.class, Rounds::new);
        final long id = ((long)from << ROUND_BITS) | request.round();
        final Round round = new Round();
        round.replyTo = from;
        round.waiting = request.forwardTo().length;
        rounds.byId.put(id, round);
        for (final int core : request.forwardTo())
        {
            monitor.ensureLink(core);
        }
        for (final int core : request.forwardTo())
        {
            monitor.send(core, new Invalidate(id, request.asid(), request.vaddr(), request.bytes(), new int[0]));
        }
        round.messages = request.forwardTo().length;
    }

    private void onAcknowledge(final Monitor monitor, final int from, final Acknowledge ack)
    {
        final Round round = monitor.local(Rounds.class, Rounds::new).byId.get(ack.round());
        if (round == null)
        {
            return;
        }
        round.cores += ack.cores();
        round.messages += ack.messages();
        round.waiting--;
        finishIfDone(monitor, ack.round(), round);
    }

    private static void finishIfDone(final Monitor monitor, final long id, final Round round)
    {
        if (round.waiting != 0)
        {
            return;
        }
        monitor.local(Rounds.class, Rounds::new).byId.remove(id);
        if (round.timeout != null)
        {
            round.timeout.cancel();
        }
        if (round.replyTo == -1)
        {
            dev.shoal.kernel.Timeline.endPhase(monitor.core(), "shootdown " + round.strategy.cliName());
            round.done.complete(new Result(round.strategy, round.cores, monitor.now() - round.startCycle,
                round.messages, false));
        }
        else
        {
            monitor.send(round.replyTo, new Acknowledge(id & ROUND_MASK, round.cores, round.messages + 1));
        }
    }

    private void invalidateHere(final Monitor monitor, final int asid, final long vaddr, final long bytes)
    {
        local.invalidate(monitor, asid, vaddr, bytes);
        monitor.core().clock().advance(INVLPG_CYCLES * Math.max(1, (bytes + PAGE - 1) / PAGE));
    }

    /** One message of the initiator: to {@code core}, which forwards to {@code forwardTo}. */
    record Hop(int core, int[] forwardTo)
    {
        @Override
        public String toString()
        {
            return core + "->" + Arrays.toString(forwardTo);
        }
    }

    /**
     * Who the initiator sends to, in order. Unicast and broadcast: every target, in core order. Multicast: the
     * initiator's own package directly, then the lowest-numbered target of each other package (its leader), which
     * forwards to the rest of its package; packages in order. NUMA-aware multicast: the same leaders, but all sends
     * ordered by decreasing latency from the initiator (furthest first, ties by core), so the longest subtrees
     * start first — the rule the SKB's {@code multicast_children} implements.
     */
    static List<Hop> plan(final Topology topology, final int initiator, final int[] targets,
        final ShootdownStrategy strategy)
    {
        final int[] others = Arrays.stream(targets).filter(c -> c != initiator).distinct().sorted().toArray();
        final List<Hop> hops = new ArrayList<>();
        if (strategy == ShootdownStrategy.UNICAST || strategy == ShootdownStrategy.BROADCAST)
        {
            for (final int c : others)
            {
                hops.add(new Hop(c, new int[0]));
            }
            return hops;
        }
        final int home = topology.packageOf(initiator);
        final TreeMap<Integer, List<Integer>> byPackage = new TreeMap<>();
        for (final int c : others)
        {
            byPackage.computeIfAbsent(topology.packageOf(c), p -> new ArrayList<>()).add(c);
        }
        for (final Map.Entry<Integer, List<Integer>> e : byPackage.entrySet())
        {
            final List<Integer> members = e.getValue();
            if (e.getKey() == home)
            {
                members.forEach(c -> hops.add(new Hop(c, new int[0])));
            }
            else
            {
                hops.add(new Hop(members.get(0), members.subList(1, members.size()).stream()
                    .mapToInt(Integer::intValue).toArray()));
            }
        }
        if (strategy == ShootdownStrategy.NUMA_MULTICAST)
        {
            hops.sort(Comparator.comparingLong((Hop h) -> -topology.latency(initiator, h.core()))
                .thenComparingInt(Hop::core));
        }
        else
        {
            hops.sort(Comparator.comparingInt(Hop::core));
        }
        return hops;
    }
}
