package dev.shoal.harness;

import java.util.concurrent.CompletableFuture;

import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;

/**
 * A user-defined monitor operation, written against the extension API only (this is the README's example): core 0
 * asks every monitor, down the boot tree, how many cores it sees below it and how late its clock is; the answers
 * are combined on the way back up.
 */
public final class CoreCensus implements MonitorOperation
{
    /** Parent → children: count yourselves. */
    public record Count(int round)
    {
    }

    /** Child → parent: my subtree has this many cores; the latest clock among them. */
    public record Counted(int round, int cores, long latestCycle)
    {
    }

    /** What core 0 learns. */
    public record Result(int cores, long latestCycle)
    {
    }

    /** Each monitor's own progress, kept in its core-local state. */
    static final class Tally
    {
        int waiting;
        int cores;
        long latest;
        CompletableFuture<Result> done;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Count.class, (monitor, from, count) -> start(monitor, count.round()));
        protocol.message(Counted.class, (monitor, from, counted) ->
        {
            final Tally t = monitor.local(Tally.class, Tally::new);
            t.cores += counted.cores();
            t.latest = Math.max(t.latest, counted.latestCycle());
            t.waiting--;
            finishIfDone(monitor, counted.round());
        });
    }

    private static void start(final Monitor monitor, final int round)
    {
        final Tally t = monitor.local(Tally.class, Tally::new);
        t.waiting = monitor.children().size();
        t.cores = 1;
        t.latest = monitor.now();
        for (final int child : monitor.children())
        {
            monitor.send(child, new Count(round));
        }
        finishIfDone(monitor, round);
    }

    private static void finishIfDone(final Monitor monitor, final int round)
    {
        final Tally t = monitor.local(Tally.class, Tally::new);
        if (t.waiting != 0)
        {
            return;
        }
        t.latest = Math.max(t.latest, monitor.now());
        if (monitor.parent() == -1)
        {
            t.done.complete(new Result(t.cores, t.latest));
        }
        else
        {
            monitor.send(monitor.parent(), new Counted(round, t.cores, t.latest));
        }
    }

    /** Host side: runs one census from core 0. */
    public static CompletableFuture<Result> run(final MonitorSystem system)
    {
        final CompletableFuture<Result> done = new CompletableFuture<>();
        system.onCore(0, monitor ->
        {
            monitor.local(Tally.class, Tally::new).done = done;
            start(monitor, 1);
            return null;
        });
        return done;
    }
}
