package dev.shoal.apps.examples;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.shoal.kernel.Timers;
import dev.shoal.libos.Os;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;

/**
 * A monitor operation written against the extension API only — the example of README.md and docs/extending.md:
 * core 0 asks every monitor, down the boot tree, how many cores it sees below it and how late its clock is; the
 * answers are combined on the way back up. A child that does not answer in time (a halted core) is reported as
 * missing, with its whole subtree, instead of hanging the census: core 0 waits {@link #TIMEOUT_CYCLES} of
 * simulated time, each level below half as long as its parent. A level that hears from every child in time
 * cancels its timer: a timer left behind would fire later and move that core's clock to its deadline.
 *
 * <p>Started by the host ({@link #run(MonitorSystem)}, on core 0 through {@link MonitorSystem#onCore}) or by a
 * dispatcher on any core ({@link #ask(Os)}, a {@link Monitor#call} to core 0's monitor). One census at a time.
 */
public final class CoreCensus implements MonitorOperation
{
    /** Well above a census round trip across 64 cores (a few thousand cycles per tree level). */
    public static final long TIMEOUT_CYCLES = 500_000;

    // tag::records[]
    /** Parent → children: count yourselves, and answer within {@code budget} cycles. */
    public record Count(int round, long budget)
    {
    }

    /** Child → parent: my subtree has this many cores; the latest clock among them; who did not answer. */
    public record Counted(int round, int cores, long latestCycle, int[] missing)
    {
    }

    /** A dispatcher's monitor → core 0: run a census and answer request {@code requestId}. */
    public record Ask(long requestId)
    {
    }

    /** Core 0 → the asking core: the census's result, completing its pending call. */
    public record Answer(long requestId, int cores, long cycles, long latestCycle, int[] missing)
    {
    }

    /** What core 0 learns: cores counted, cycles the census took on core 0, the latest clock, who did not answer. */
    public record Result(int cores, long cycles, long latestCycle, List<Integer> missing)
    {
    }

    /** Each monitor's own progress, kept in its core-local state. */
    static final class Tally
    {
        int round;
        int cores;
        long started;
        long latest;
        final Set<Integer> waitingFor = new HashSet<>();
        final List<Integer> missing = new ArrayList<>();
        boolean finished;
        Timers.Timer timeout;
        CompletableFuture<Result> done;
    }
    // end::records[]

    // tag::register[]
    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Count.class, (monitor, from, count) -> start(monitor, count.round(), count.budget()));
        protocol.message(Counted.class, (monitor, from, counted) ->
        {
            final Tally t = monitor.local(Tally.class, Tally::new);
            if (t.finished || t.round != counted.round() || !t.waitingFor.remove(from))
            {
                return; // late, duplicate, or from an abandoned round
            }
            t.cores += counted.cores();
            t.latest = Math.max(t.latest, counted.latestCycle());
            for (final int m : counted.missing())
            {
                t.missing.add(m);
            }
            finishIfDone(monitor);
        });
        protocol.message(Ask.class, (monitor, from, ask) -> begin(monitor).thenAccept(r -> monitor.send(from,
            new Answer(ask.requestId(), r.cores(), r.cycles(), r.latestCycle(),
                r.missing().stream().mapToInt(Integer::intValue).toArray()))));
        protocol.message(Answer.class, (monitor, from, answer) -> monitor.complete(answer.requestId(), answer));
    }
    // end::register[]

    // tag::start[]
    /** Host side, any thread: runs one census from core 0; the future completes on core 0's carrier. */
    public static CompletableFuture<Result> run(final MonitorSystem system)
    {
        final CompletableFuture<Result> done = new CompletableFuture<>();
        system.onCore(0, monitor -> begin(monitor).whenComplete((r, failure) ->
        {
            if (failure != null)
            {
                done.completeExceptionally(failure);
            }
            else
            {
                done.complete(r);
            }
        }));
        return done;
    }

    /** From a dispatcher of any core: asks core 0's monitor for a census and waits (the dispatcher parks). */
    public static Result ask(final Os os)
    {
        final Answer a = (Answer)os.monitor().call(0, Ask::new);
        return new Result(a.cores(), a.cycles(), a.latestCycle(),
            java.util.Arrays.stream(a.missing()).boxed().toList());
    }
    // end::start[]

    // tag::rounds[]
    /** On core 0: starts a new round; the future completes when every child answered or timed out. */
    private static CompletableFuture<Result> begin(final Monitor monitor)
    {
        final Tally t = monitor.local(Tally.class, Tally::new);
        t.done = new CompletableFuture<>();
        t.started = monitor.now();
        final CompletableFuture<Result> done = t.done;
        start(monitor, t.round + 1, TIMEOUT_CYCLES);
        return done;
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
            t.timeout = monitor.after(budget, () ->
            {
                t.timeout = null;
                t.missing.addAll(t.waitingFor);
                t.waitingFor.clear();
                finishIfDone(monitor);
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
        if (t.timeout != null)
        {
            t.timeout.cancel(); // every child answered in time
            t.timeout = null;
        }
        t.latest = Math.max(t.latest, monitor.now());
        if (monitor.parent() == -1)
        {
            t.done.complete(new Result(t.cores, monitor.now() - t.started, t.latest, List.copyOf(t.missing)));
        }
        else
        {
            monitor.send(monitor.parent(), new Counted(t.round, t.cores, t.latest,
                t.missing.stream().mapToInt(Integer::intValue).toArray()));
        }
    }
    // end::rounds[]
}
