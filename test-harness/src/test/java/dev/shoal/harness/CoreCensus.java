package dev.shoal.harness;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;

/**
 * A user-defined monitor operation, written against the extension API only (this is the README's example): core 0
 * asks every monitor, down the boot tree, how many cores it sees below it and how late its clock is; the answers
 * are combined on the way back up. A child that does not answer in time (a halted core) is reported as missing,
 * with its whole subtree, instead of hanging the census: core 0 waits {@link #TIMEOUT_CYCLES} of simulated time,
 * each level below half as long as its parent.
 */
public final class CoreCensus implements MonitorOperation
{
    /** Well above a census round trip across 64 cores (a few thousand cycles per tree level). */
    public static final long TIMEOUT_CYCLES = 500_000;

    /** Parent → children: count yourselves, and answer within {@code budget} cycles. */
    public record Count(int round, long budget)
    {
    }

    /** Child → parent: my subtree has this many cores; the latest clock among them; who did not answer. */
    public record Counted(int round, int cores, long latestCycle, int[] missing)
    {
    }

    /** What core 0 learns. */
    public record Result(int cores, long latestCycle, List<Integer> missing)
    {
    }

    /** Each monitor's own progress, kept in its core-local state. */
    static final class Tally
    {
        int round;
        int cores;
        long latest;
        final Set<Integer> waitingFor = new HashSet<>();
        final List<Integer> missing = new ArrayList<>();
        boolean finished;
        CompletableFuture<Result> done;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Count.class, (monitor, from, count) -> start(monitor, count.round(), count.budget()));
        protocol.message(Counted.class, (monitor, from, counted) ->
        {
            final Tally t = monitor.local(Tally.class, Tally::new);
            if (t.finished || t.round != counted.round() || !t.waitingFor.remove(from))
            {
                return;
            }
            t.cores += counted.cores();
            t.latest = Math.max(t.latest, counted.latestCycle());
            for (final int m : counted.missing())
            {
                t.missing.add(m);
            }
            finishIfDone(monitor);
        });
    }

    /**
     * Starts counting this subtree; children get half the budget, so a core gives up on a silent child before its
     * own parent gives up on it, and the report names the halted core itself, not its ancestor.
     */
    private static void start(final Monitor monitor, final int round, final long budget)
    {
        final Tally t = monitor.local(Tally.class, Tally::new);
        t.round = round;
        t.finished = false;
        t.waitingFor.clear();
        t.waitingFor.addAll(monitor.children());
        t.missing.clear();
        t.cores = 1;
        t.latest = monitor.now();
        for (final int child : monitor.children())
        {
            monitor.send(child, new Count(round, budget / 2));
        }
        if (!t.waitingFor.isEmpty())
        {
            monitor.after(budget, () ->
            {
                if (!t.finished && t.round == round)
                {
                    t.missing.addAll(t.waitingFor);
                    t.waitingFor.clear();
                    finishIfDone(monitor);
                }
            });
        }
        finishIfDone(monitor);
    }

    private static void finishIfDone(final Monitor monitor)
    {
        final Tally t = monitor.local(Tally.class, Tally::new);
        if (!t.waitingFor.isEmpty() || t.finished)
        {
            return;
        }
        t.finished = true;
        t.latest = Math.max(t.latest, monitor.now());
        if (monitor.parent() == -1)
        {
            t.done.complete(new Result(t.cores, t.latest, List.copyOf(t.missing)));
        }
        else
        {
            monitor.send(monitor.parent(), new Counted(t.round, t.cores, t.latest,
                t.missing.stream().mapToInt(Integer::intValue).toArray()));
        }
    }

    /** Host side: runs one census from core 0. */
    public static CompletableFuture<Result> run(final MonitorSystem system)
    {
        final CompletableFuture<Result> done = new CompletableFuture<>();
        system.onCore(0, monitor ->
        {
            final Tally t = monitor.local(Tally.class, Tally::new);
            t.done = done;
            start(monitor, t.round + 1, TIMEOUT_CYCLES);
            return null;
        });
        return done;
    }
}
