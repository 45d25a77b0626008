package dev.shoal.monitor;

/**
 * The boot smoke workload: every monitor opens a direct channel to its successor (core i+1 mod N), sends it a
 * {@link Ping} and answers its predecessor's ping with a {@link Pong}. A core is done when it has both; the
 * results converge up the boot tree, and core 0 reports the total to the host.
 */
public final class NeighbourExchangeOperation implements MonitorOperation
{
    /** Host → core 0, then down the tree: start the exchange. */
    public record Start()
    {
    }

    public record Ping(int from)
    {
    }

    public record Pong(int from)
    {
    }

    /** Child → parent: this many cores of the subtree finished; they sent this many messages so far. */
    public record Done(int cores, long messages)
    {
    }

    static final class State
    {
        boolean gotPing;
        boolean gotPong;
        boolean reported;
        int waitingForChildren = -1;
        int doneCores;
        long doneMessages;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Start.class, (m, from, start) -> onStart(m));
        protocol.message(Ping.class, (m, from, ping) ->
        {
            m.send(ping.from(), new Pong(m.coreId()));
            state(m).gotPing = true;
            maybeReport(m);
        });
        protocol.message(Pong.class, (m, from, pong) ->
        {
            state(m).gotPong = true;
            maybeReport(m);
        });
        protocol.message(Done.class, (m, from, done) ->
        {
            final State s = state(m);
            s.doneCores += done.cores();
            s.doneMessages += done.messages();
            s.waitingForChildren--;
            maybeReport(m);
        });
    }

    private static State state(final Monitor monitor)
    {
        return monitor.local(State.class, State::new);
    }

    /** Runs on core 0 (submitted by the host) and on every core when its parent forwards {@link Start}. */
    static void onStart(final Monitor monitor)
    {
        final State s = state(monitor);
        s.waitingForChildren = monitor.children().size();
        for (final int child : monitor.children())
        {
            monitor.send(child, new Start());
        }
        final int successor = (monitor.coreId() + 1) % monitor.coreCount();
        monitor.ensureLink(successor);
        monitor.send(successor, new Ping(monitor.coreId()));
    }

    private static void maybeReport(final Monitor monitor)
    {
        final State s = state(monitor);
        if (s.reported || !s.gotPing || !s.gotPong || s.waitingForChildren != 0)
        {
            return;
        }
        s.reported = true;
        final long messages = s.doneMessages + monitor.messagesSent();
        if (monitor.parent() == -1)
        {
            monitor.system().neighbourExchangeComplete(s.doneCores + 1, messages, monitor.now());
        }
        else
        {
            monitor.send(monitor.parent(), new Done(s.doneCores + 1, messages + 1));
        }
    }
}
