package dev.shoal.monitor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.agrona.collections.IntHashSet;

import dev.shoal.kernel.Timers;

/**
 * Agreement across every booted core by two-phase commit along the boot routing tree (the SKB's NUMA-aware tree:
 * one leader per package, sends ordered by decreasing latency).
 *
 * <pre>
 *   coordinator (tree root, core 0)      inner node (package leader)         leaf
 *   Prepare(a, proposal) ──────────────▶ votes, forwards Prepare ──────────▶ votes
 *                        ◀── Vote(a, all yes?, cores) ◀── Vote(a, yes?, 1) ──
 *   decides: commit iff every vote is yes
 *   Decide(a, commit) ─────────────────▶ learns, forwards Decide ──────────▶ learns
 *                        ◀── Decided(a, cores) ◀──────── Decided(a, 1) ──────
 *   the agreement completes when every core has learnt the outcome
 * </pre>
 *
 * <p>Each inner node combines its subtree's votes into one reply, so the coordinator handles one message per
 * child, not one per core, and no channel beyond the tree's is needed. A core that votes yes holds the proposal
 * prepared until the decision arrives; every core, whatever it voted, learns the outcome.
 *
 * <p>Timing: the ordinary monitor clocks. Every send charges its slot write, every receipt its link latency, slot
 * read and dispatch, so agreements in flight at the same time queue behind one another on each core. The
 * coordinator measures from the start call to the last {@code Decided} on its own clock. In deterministic mode
 * the same seed gives the same cycles; in live mode the figure can vary by the order in which a core happens to
 * handle replies that arrive together.
 *
 * <p>Faults: the coordinator gives each phase {@code timeoutCycles} of simulated time (default
 * {@value #DEFAULT_TIMEOUT_CYCLES}, far above the pipelined latency of 4096 cores). When the votes are not all in by
 * then, it aborts — a silent core counts as a NO — and tells the tree; when the acknowledgements of the decision are
 * not all in, it completes anyway, with {@link Result#timedOut()} set and {@link Result#cores()} counting the cores
 * known to have learnt the outcome. Late votes and acknowledgements are ignored. Timers run on the coordinator's
 * clock: a timeout fires when that clock reaches it, or when the whole machine is idle and idle time passes to it
 * (in both modes, see {@link dev.shoal.kernel.Timers}), never while a vote is still on its way.
 *
 * <p>Register it with {@link MonitorConfig.Builder#operation(MonitorOperation)}; it is not built in, so a machine
 * can be given its own {@link Voter}.
 */
public final class AgreementOperation implements MonitorOperation
{
    /** Phase one, from the parent: vote on {@code proposal} and ask the subtree. */
    public record Prepare(long agreement, long proposal)
    {
    }

    /** Phase one, to the parent: {@code yes} iff every one of the {@code cores} cores of the subtree voted yes. */
    public record Vote(long agreement, boolean yes, int cores)
    {
    }

    /**
     * Phase two, from the parent: the outcome, with the proposal again, so that a core whose monitor restarted (and
     * lost its record of the agreement) still learns it and passes it on to its subtree. {@code direct}: sent by the
     * coordinator straight to a core it could not reach along the tree; learnt there, neither passed on nor
     * acknowledged.
     */
    public record Decide(long agreement, boolean commit, long proposal, boolean direct)
    {
    }

    /** Phase two, to the parent: {@code cores} cores of the subtree learnt the outcome. */
    public record Decided(long agreement, int cores)
    {
    }

    /**
     * What the coordinator learns: the outcome, how many cores are known to have learnt it, cycles from start to the
     * last acknowledgement (or to the timeout), and whether a phase timed out.
     */
    public record Result(long agreement, boolean committed, int cores, long latencyCycles, boolean timedOut)
    {
    }

    /** Simulated cycles the coordinator waits for each phase's replies by default. */
    public static final long DEFAULT_TIMEOUT_CYCLES = 50_000_000L;

    /** What one core learnt about one agreement. */
    public record Outcome(long proposal, boolean committed)
    {
    }

    /** A core's vote on a proposal; called on that core's carrier, inside its monitor's duty cycle. */
    @FunctionalInterface
    public interface Voter
    {
        boolean vote(Monitor monitor, long proposal);
    }

    /** One agreement in progress on one core. */
    private static final class Pending
    {
        long proposal;
        boolean yes;
        boolean decided;
        boolean commit;
        int waiting;
        int cores = 1;
        long startCycle;
        boolean timedOut;
        /** The coordinator's timer for the current phase, cancelled when the phase ends in time. */
        Timers.Timer timeout;
        /** The coordinator's children whose subtrees acknowledged the decision; null until one has. */
        IntHashSet acknowledged;
        CompletableFuture<Result> done;
    }

    /** Core-local: agreements in progress, what this core prepared and learnt, the coordinator's next id. */
    private static final class State
    {
        final Map<Long, Pending> pending = new HashMap<>();
        final Map<Long, Outcome> learnt = new LinkedHashMap<>();
        long next = 1;
    }

    private final Voter voter;
    private final long timeoutCycles;

    /** An agreement in which every core votes yes. */
    public AgreementOperation()
    {
        this((monitor, proposal) -> true);
    }

    public AgreementOperation(final Voter voter)
    {
        this(voter, DEFAULT_TIMEOUT_CYCLES);
    }

    /**
     * @param timeoutCycles simulated cycles the coordinator waits for each phase's replies, positive.
     * @throws IllegalArgumentException when {@code timeoutCycles} is not positive.
     */
    public AgreementOperation(final Voter voter, final long timeoutCycles)
    {
        if (timeoutCycles <= 0)
        {
            throw new IllegalArgumentException("agreement timeout must be positive, not " + timeoutCycles);
        }
        this.voter = voter;
        this.timeoutCycles = timeoutCycles;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Prepare.class, this::onPrepare);
        protocol.message(Vote.class, this::onVote);
        protocol.message(Decide.class, AgreementOperation::onDecide);
        protocol.message(Decided.class, AgreementOperation::onDecided);
    }

    /**
     * Starts an agreement on {@code proposal}. Called on the routing tree's root (core 0); the future completes on
     * that core once every core has learnt whether it committed.
     */
    public CompletableFuture<Result> start(final Monitor coordinator, final long proposal)
    {
        if (coordinator.parent() != -1)
        {
            throw new IllegalStateException("an agreement runs from the routing tree's root, not from core " +
                coordinator.coreId());
        }
        final State state = state(coordinator);
        final long id = state.next++;
        final Pending p = new Pending();
        p.startCycle = coordinator.now();
        p.done = new CompletableFuture<>();
        prepare(coordinator, state, id, proposal, p);
        if (p.waiting == 0)
        {
            decide(coordinator, state, id, p);
        }
        else
        {
            p.timeout = coordinator.after(timeoutCycles, () -> onVoteTimeout(coordinator, state, id, p));
        }
        return p.done;
    }

    /** Host side: one agreement from core 0. Any host thread; the future completes on core 0. */
    public CompletableFuture<Result> startFromCoreZero(final MonitorSystem system, final long proposal)
    {
        return system.onCore(0, m -> start(m, proposal)).thenCompose(f -> f);
    }

    /** What {@code monitor}'s core learnt, by agreement id, in the order it learnt them. Called on that core. */
    public static Map<Long, Outcome> outcomes(final Monitor monitor)
    {
        return new LinkedHashMap<>(state(monitor).learnt);
    }

    /** Proposals this core voted yes on and holds until their decision. Called on that core. */
    public static List<Long> prepared(final Monitor monitor)
    {
        return state(monitor).pending.values().stream().filter(p -> p.yes && !p.decided).map(p -> p.proposal).toList();
    }

    private static State state(final Monitor monitor)
    {
        return monitor.local(State.class, State::new);
    }

    /** Votes here and sends Prepare to the children; leaves {@code p.waiting} at the votes still to come. */
    private void prepare(final Monitor monitor, final State state, final long id, final long proposal,
        final Pending p)
    {
        p.proposal = proposal;
        p.yes = voter.vote(monitor, proposal);
        state.pending.put(id, p);
        final List<Integer> children = monitor.children();
        p.waiting = children.size();
        for (final int child : children)
        {
            monitor.send(child, new Prepare(id, proposal));
        }
    }

    private void onPrepare(final Monitor monitor, final int from, final Prepare prepare)
    {
        final State state = state(monitor);
        final Pending p = new Pending();
        prepare(monitor, state, prepare.agreement(), prepare.proposal(), p);
        if (p.waiting == 0)
        {
            monitor.send(from, new Vote(prepare.agreement(), p.yes, 1));
        }
    }

    private void onVote(final Monitor monitor, final int from, final Vote vote)
    {
        final State state = state(monitor);
        final Pending p = state.pending.get(vote.agreement());
        if (p == null || p.decided)
        {
            return; // unknown, or late: the coordinator decided without this vote
        }
        p.yes &= vote.yes();
        p.cores += vote.cores();
        if (--p.waiting > 0)
        {
            return;
        }
        if (monitor.parent() == -1)
        {
            decide(monitor, state, vote.agreement(), p);
        }
        else
        {
            monitor.send(monitor.parent(), new Vote(vote.agreement(), p.yes, p.cores));
            p.cores = 1;
        }
    }

    /** The coordinator has every vote: commit iff all said yes; tell the tree. */
    private void decide(final Monitor monitor, final State state, final long id, final Pending p)
    {
        cancelTimeout(p);
        learn(monitor, state, id, p, p.yes);
        if (p.waiting == 0)
        {
            finish(monitor, state, id, p);
        }
        else
        {
            p.timeout = monitor.after(timeoutCycles, () ->
            {
                p.timeout = null;
                if (state.pending.get(id) == p)
                {
                    p.timedOut = true;
                    reachAround(monitor, id, p);
                    finish(monitor, state, id, p);
                }
            });
        }
    }

    /** Phase one's time is up on the coordinator: a vote still missing counts as NO. */
    private void onVoteTimeout(final Monitor monitor, final State state, final long id, final Pending p)
    {
        p.timeout = null;
        if (state.pending.get(id) == p && !p.decided)
        {
            p.yes = false;
            p.timedOut = true;
            decide(monitor, state, id, p);
        }
    }

    /**
     * Phase two's time is up on the coordinator: some subtree did not acknowledge, perhaps because a core on the way
     * halted and cut the cores below it off the tree. Every core of such a subtree gets the decision directly, over a
     * channel opened around the tree ({@link Monitor#openDirect}); a core that learnt it already ignores it, and a
     * halted one finds it if it ever runs again. So no live core holds the proposal prepared.
     */
    private static void reachAround(final Monitor monitor, final long id, final Pending p)
    {
        for (final int child : monitor.children())
        {
            if (p.acknowledged != null && p.acknowledged.contains(child))
            {
                continue;
            }
            for (final int core : monitor.subtreeOf(child))
            {
                monitor.openDirect(core);
                monitor.send(core, new Decide(id, p.commit, p.proposal, true));
            }
        }
    }

    private static void onDecide(final Monitor monitor, final int from, final Decide decide)
    {
        final State state = state(monitor);
        if (decide.direct())
        {
            if (!state.learnt.containsKey(decide.agreement()))
            {
                state.learnt.put(decide.agreement(), new Outcome(decide.proposal(), decide.commit()));
                state.pending.remove(decide.agreement()); // no longer prepared; later votes and decisions are stale
            }
            return;
        }
        Pending p = state.pending.get(decide.agreement());
        if (p == null)
        {
            if (state.learnt.containsKey(decide.agreement()))
            {
                return; // a duplicate: learnt and passed on already
            }
            // This monitor restarted since phase one and lost its record: the decision still reaches the subtree
            // below it, whose cores would otherwise hold the proposal prepared for ever.
            p = new Pending();
            p.proposal = decide.proposal();
            state.pending.put(decide.agreement(), p);
        }
        learn(monitor, state, decide.agreement(), p, decide.commit());
        if (p.waiting == 0)
        {
            state.pending.remove(decide.agreement());
            monitor.send(from, new Decided(decide.agreement(), 1));
        }
    }

    /** Records the outcome here and forwards it to the children; leaves {@code p.waiting} at their acks. */
    private static void learn(final Monitor monitor, final State state, final long id, final Pending p,
        final boolean commit)
    {
        state.learnt.put(id, new Outcome(p.proposal, commit));
        p.decided = true;
        p.commit = commit;
        p.cores = 1;
        final List<Integer> children = monitor.children();
        p.waiting = children.size();
        for (final int child : children)
        {
            monitor.send(child, new Decide(id, commit, p.proposal, false));
        }
    }

    private static void onDecided(final Monitor monitor, final int from, final Decided decided)
    {
        final State state = state(monitor);
        final Pending p = state.pending.get(decided.agreement());
        if (p == null)
        {
            return;
        }
        p.cores += decided.cores();
        if (monitor.parent() == -1)
        {
            if (p.acknowledged == null)
            {
                p.acknowledged = new IntHashSet();
            }
            p.acknowledged.add(from);
        }
        if (--p.waiting > 0)
        {
            return;
        }
        if (monitor.parent() == -1)
        {
            finish(monitor, state, decided.agreement(), p);
        }
        else
        {
            state.pending.remove(decided.agreement());
            monitor.send(monitor.parent(), new Decided(decided.agreement(), p.cores));
        }
    }

    private static void cancelTimeout(final Pending p)
    {
        if (p.timeout != null)
        {
            p.timeout.cancel();
            p.timeout = null;
        }
    }

    private static void finish(final Monitor monitor, final State state, final long id, final Pending p)
    {
        cancelTimeout(p);
        state.pending.remove(id);
        p.done.complete(new Result(id, p.commit, p.cores, monitor.now() - p.startCycle, p.timedOut));
    }
}
