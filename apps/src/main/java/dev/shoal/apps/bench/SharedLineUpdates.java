package dev.shoal.apps.bench;

import java.util.concurrent.CompletableFuture;

import dev.shoal.monitor.Interconnect;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;
import dev.shoal.monitor.RecordCodec;
import dev.shoal.skb.Topology;

/**
 * The shared-memory side of the Multikernel paper's Figure 3: cores 0..n-1 each update the same {@code lines}
 * shared cache lines, one line after another, over and over, and the figure is the mean cycles of one update as the
 * updating core sees them.
 *
 * <p>Coherence is modelled as message passing, so that no mutable state is shared between simulated cores. The
 * lines live in core 0's memory (core 0 allocated them), so core 0's node is their home, and the home's directory —
 * each line's owner and when the line is next free — is core-local state of core 0's monitor. A core's access is a
 * coherence transaction of two legs, each priced as the cost model prices a line by distance:
 *
 * <pre>
 *   updating core c                           home (core 0): directory {owner, free}
 *   Acquire(line) ── lineTransfer(c, home) ─▶ ready = max(now, free[line])          (one transaction per line)
 *                                             arrival = ready + max(lineFetch(c, owner, home), lineTransfer(home, c))
 *                                                       + what it queues in the interconnect
 *   Grant(line) ◀──────── at arrival ──────── owner = c; free[line] = arrival + max(LINE_UPDATE_CYCLES,
 *                                                                             unblockCycles(c, home))
 *   update the line (LINE_UPDATE_CYCLES), Acquire the next line
 * </pre>
 *
 * On the exact engine every transaction that is not a hit also passes the machine's interconnect ({@link
 * Interconnect}): its request, the home node's memory controller (one line at the node's DRAM bandwidth), the
 * probes and responses, and the line, each queueing behind whatever else holds the same link, bus or controller,
 * so the transactions of different lines, and the slot lines of every message, queue with them. The answer leg is the line's fetch from its owner (the transfer and the hops to the home, {@link
 * Topology#lineFetch}) and never less than the home's answer reaching the core. Acquire and Grant are coherence
 * messages ({@link Monitor#sendCoherence}): bytes in a slot of a direct channel that charge no software; the home's
 * own accesses skip the request leg and take their grant from a timer. A core keeps no note of what it owns between
 * updates: every access asks the home, which answers at once (one leg) when the core still owns the line.
 *
 * <p>The cores are told to start by core 0 (ordinary monitor messages), each runs {@code warmUp + measured +
 * coolDown} updates, and reports the cycles of its {@code measured} middle ones back to core 0, which completes
 * the run's future: so the run needs the host only on core 0 and spans partitions. Core-local state only.
 */
public final class SharedLineUpdates implements MonitorOperation
{
    /**
     * A read-modify-write of one line already in the core's L1 cache: its load-to-use latency, 3 cycles on the
     * Opterons of the paper (AMD's Software Optimization Guide for Family 10h processors). So one core alone
     * updates 8 lines in 24 cycles, where the paper says "under 30".
     */
    public static final long LINE_UPDATE_CYCLES = 3;
    /** The core whose memory holds the shared lines: their home. */
    public static final int HOME = 0;

    public record Start(int lines, int warmUp, int measured, int coolDown) implements UpdateWorkload.Plan
    {
    }

    public record Acquire(int line)
    {
    }

    public record Grant(int line)
    {
    }

    public record Done(long cycles, long updates)
    {
    }

    /** The mean cycles of one update over every core's measured updates. */
    public record Result(double cyclesPerUpdate, long updates)
    {
    }

    /** The home's directory and the run's tally: core 0 only. */
    static final class Directory
    {
        long[] free;
        int[] owner;
        int pending;
        long cycles;
        long updates;
        CompletableFuture<Result> done;
    }

    /** One updating core's progress: core-local. */
    static final class Updater
    {
        Start plan;
        int update;
        int line;
        long updateStart;
        long cycles;
        long updates;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Start.class, (m, from, start) -> begin(m, start));
        protocol.message(Done.class, (m, from, done) -> tally(m, done));
        protocol.coherenceMessage(Acquire.class, RecordCodec.of(Acquire.class),
            (m, from, acquire) -> onAcquire(m, from, acquire.line()));
        protocol.coherenceMessage(Grant.class, RecordCodec.of(Grant.class), (m, from, grant) -> onGrant(m));
    }

    /**
     * Runs one experiment on cores {@code 0..cores-1} of {@code system}, which must have registered this operation.
     * Any host thread; the future completes on core 0's carrier when every core reported.
     */
    public static CompletableFuture<Result> run(final MonitorSystem system, final int cores, final int lines,
        final int warmUp, final int measured, final int coolDown)
    {
        if (cores < 1 || lines < 1 || measured < 1 || warmUp < 0 || coolDown < 0)
        {
            throw new IllegalArgumentException("a shared-memory run needs at least one core, line and measured update");
        }
        return UpdateWorkload.launch(system, HOME, cores, (m, done) ->
        {
            final Directory d = m.local(Directory.class, Directory::new);
            d.free = new long[lines];
            d.owner = new int[lines];
            java.util.Arrays.fill(d.owner, HOME);
            d.pending = cores;
            d.cycles = 0;
            d.updates = 0;
            d.done = done;
            final Start start = new Start(lines, warmUp, measured, coolDown);
            for (int c = 1; c < cores; c++)
            {
                m.send(c, start);
            }
            begin(m, start);
        });
    }

    private static void begin(final Monitor m, final Start start)
    {
        final Updater u = m.local(Updater.class, Updater::new);
        u.plan = start;
        u.update = 0;
        u.cycles = 0;
        u.updates = 0;
        beginUpdate(m, u);
    }

    private static void beginUpdate(final Monitor m, final Updater u)
    {
        u.updateStart = m.now();
        u.line = 0;
        acquire(m, 0);
    }

    private static void acquire(final Monitor m, final int line)
    {
        if (m.coreId() == HOME)
        {
            onAcquire(m, HOME, line);
            return;
        }
        m.sendCoherence(HOME, new Acquire(line), m.now() + m.system().topology().lineTransfer(m.coreId(), HOME));
    }

    /** The home's directory takes a transaction: one per line at a time, in the order they reach it. */
    private static void onAcquire(final Monitor home, final int requester, final int line)
    {
        final Directory d = home.local(Directory.class, Directory::new);
        final Topology topology = home.system().topology();
        final int owner = d.owner[line];
        final long ready = Math.max(home.now(), d.free[line]);
        // A line the requester still holds is a hit in its own cache: no transaction reaches the controller.
        final long fetch = owner == requester ? 0 : topology.lineFetch(requester, owner, HOME);
        // The home's memory controller, the links (or the buses) add what their queues delay the last packet.
        final Interconnect interconnect = home.system().interconnect();
        final long queued = owner == requester || interconnect == null ? 0 :
            interconnect.delay(home.core(), ready, HOME, requester, owner);
        final long arrival = ready + Math.max(fetch, topology.lineTransfer(HOME, requester)) + queued;
        d.owner[line] = requester;
        // The home takes the line's next transaction once the requester's unblock is back (and the update done).
        d.free[line] = arrival + Math.max(LINE_UPDATE_CYCLES, topology.unblockCycles(requester, HOME));
        if (requester == HOME)
        {
            home.after(arrival - home.now(), () -> onGrant(home));
            return;
        }
        home.sendCoherence(requester, new Grant(line), arrival);
    }

    /** The line is in this core's cache: update it, then go on to the next line or the next update. */
    private static void onGrant(final Monitor m)
    {
        final Updater u = m.local(Updater.class, Updater::new);
        m.core().clock().advance(LINE_UPDATE_CYCLES);
        if (++u.line < u.plan.lines())
        {
            acquire(m, u.line);
            return;
        }
        final int index = u.update++;
        if (u.plan.isMeasured(index))
        {
            u.cycles += m.now() - u.updateStart;
            u.updates++;
        }
        if (u.update < u.plan.updates())
        {
            beginUpdate(m, u);
            return;
        }
        final Done done = new Done(u.cycles, u.updates);
        if (m.coreId() == HOME)
        {
            tally(m, done);
        }
        else
        {
            m.send(HOME, done);
        }
    }

    private static void tally(final Monitor home, final Done done)
    {
        final Directory d = home.local(Directory.class, Directory::new);
        d.cycles += done.cycles();
        d.updates += done.updates();
        if (--d.pending == 0 && d.done != null)
        {
            final CompletableFuture<Result> finished = d.done;
            d.done = null;
            finished.complete(new Result(d.cycles / (double)d.updates, d.updates));
        }
    }
}
