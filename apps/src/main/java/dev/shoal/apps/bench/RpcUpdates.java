package dev.shoal.apps.bench;

import java.util.concurrent.CompletableFuture;

import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;

/**
 * The message side of the Multikernel paper's Figure 3: the same update of {@code lines} cache lines as
 * {@link SharedLineUpdates}, done by one server core (core 0, whose cache keeps the lines) on behalf of client cores
 * 1..n-1, each of which sends it the update as a one-line request and waits for the reply, over and over.
 *
 * <pre>
 *   client c (1..n-1)                          server (core 0)
 *   Update ──── UMP (one line) ──────────────▶ update the lines in its own cache (LINE_UPDATE_CYCLES each)
 *   latency = reply handled − request sent ◀── Updated
 * </pre>
 *
 * Both figures of the paper come out: the client's latency (queueing at the server included) and the server's own
 * cost per update, from taking the request (when it arrived, or when the server finished the one before) to having
 * written the reply. Request and reply are ordinary monitor messages, so each end also pays the monitor's dispatch.
 * Started by core 0 like {@link SharedLineUpdates}; every client reports back to core 0. Core-local state only.
 */
public final class RpcUpdates implements MonitorOperation
{
    public static final int SERVER = 0;

    public record Start(int lines, int warmUp, int measured, int coolDown) implements UpdateWorkload.Plan
    {
    }

    /** {@code measured}: whether the server counts this update in its own figure. */
    public record Update(int lines, boolean measured)
    {
    }

    public record Updated()
    {
    }

    public record Done(long cycles, long updates)
    {
    }

    /** Client latency per update, and the server's own cycles per update, over the measured updates. */
    public record Result(double cyclesPerUpdate, double serverCyclesPerUpdate, long updates)
    {
    }

    static final class Server
    {
        int pending;
        long cycles;
        long updates;
        long busyUntil;
        long serverCycles;
        long serverUpdates;
        CompletableFuture<Result> done;
    }

    static final class Client
    {
        Start plan;
        int update;
        long sentAt;
        long cycles;
        long updates;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Start.class, (m, from, start) -> begin(m, start));
        protocol.message(Update.class, RpcUpdates::onUpdate);
        protocol.message(Updated.class, (m, from, reply) -> onUpdated(m));
        protocol.message(Done.class, (m, from, done) -> tally(m, done));
    }

    /**
     * Runs one experiment with server core 0 and clients {@code 1..cores-1} of {@code system}, which must have
     * registered this operation. Any host thread; the future completes on core 0's carrier.
     */
    public static CompletableFuture<Result> run(final MonitorSystem system, final int cores, final int lines,
        final int warmUp, final int measured, final int coolDown)
    {
        if (cores < 2 || lines < 1 || measured < 1 || warmUp < 0 || coolDown < 0)
        {
            throw new IllegalArgumentException("an RPC run needs a server and a client core, a line and an update");
        }
        return UpdateWorkload.launch(system, SERVER, cores, (m, done) ->
        {
            final Server s = m.local(Server.class, Server::new);
            s.pending = cores - 1;
            s.cycles = 0;
            s.updates = 0;
            s.serverCycles = 0;
            s.serverUpdates = 0;
            s.busyUntil = m.now();
            s.done = done;
            final Start start = new Start(lines, warmUp, measured, coolDown);
            for (int c = 1; c < cores; c++)
            {
                m.send(c, start);
            }
        });
    }

    private static void begin(final Monitor m, final Start start)
    {
        final Client c = m.local(Client.class, Client::new);
        c.plan = start;
        c.update = 0;
        c.cycles = 0;
        c.updates = 0;
        request(m, c);
    }

    private static void request(final Monitor m, final Client c)
    {
        c.sentAt = m.now();
        m.send(SERVER, new Update(c.plan.lines(), c.plan.isMeasured(c.update)));
    }

    private static void onUpdate(final Monitor server, final int from, final Update update)
    {
        final Server s = server.local(Server.class, Server::new);
        // The server took the request when it arrived or, busy, when it was done with the one before.
        final long took = Math.max(server.arrivalCycle(), s.busyUntil);
        server.core().clock().advance(SharedLineUpdates.LINE_UPDATE_CYCLES * update.lines());
        server.send(from, new Updated());
        s.busyUntil = server.now();
        if (update.measured())
        {
            s.serverCycles += server.now() - took;
            s.serverUpdates++;
        }
    }

    private static void onUpdated(final Monitor m)
    {
        final Client c = m.local(Client.class, Client::new);
        if (c.plan.isMeasured(c.update))
        {
            c.cycles += m.now() - c.sentAt;
            c.updates++;
        }
        if (++c.update < c.plan.updates())
        {
            request(m, c);
            return;
        }
        m.send(SERVER, new Done(c.cycles, c.updates));
    }

    private static void tally(final Monitor server, final Done done)
    {
        final Server s = server.local(Server.class, Server::new);
        s.busyUntil = Math.max(s.busyUntil, server.now());
        s.cycles += done.cycles();
        s.updates += done.updates();
        if (--s.pending == 0 && s.done != null)
        {
            final CompletableFuture<Result> finished = s.done;
            s.done = null;
            finished.complete(new Result(s.cycles / (double)s.updates,
                s.serverCycles / (double)s.serverUpdates, s.updates));
        }
    }
}
