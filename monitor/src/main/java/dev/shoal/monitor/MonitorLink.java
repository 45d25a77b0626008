package dev.shoal.monitor;

import dev.shoal.kernel.EventSource;
import dev.shoal.monitor.ump.UmpEndpoint;

/**
 * A direct UMP channel from this monitor to the monitor of {@code peer}. In exact mode it is one of the core's
 * event sources: the engine's pump copies what arrived into its {@link ChannelInbox}, and the core handles each
 * message at its arrival, in simulated-time order with everything else. Core-local.
 */
final class MonitorLink extends EventSource
{
    private final Monitor monitor;
    private final UmpEndpoint endpoint;
    private final ChannelInbox inbox;
    /** One line transfer to the peer, and one line fetch from this side's receive ring: fixed for the link. */
    private final long transferCycles;
    private final long fetchCycles;
    private final int peer;
    /** Whether the ring this side sends on, and the one it receives on, are in this core's memory (their home). */
    private final boolean txHome;
    private final boolean rxHome;
    private long takenAt;

    /**
     * @param txHomeCore a core of the node whose memory holds the ring this side sends on (its home).
     * @param rxHomeCore the same for the ring this side receives on.
     */
    MonitorLink(final Monitor monitor, final int peer, final UmpEndpoint endpoint, final ChannelInbox inbox,
        final int txHomeCore, final int rxHomeCore)
    {
        super(monitor.core(), Kind.MESSAGES, peer);
        this.monitor = monitor;
        this.peer = peer;
        this.txHome = txHomeCore == monitor.core().id();
        this.rxHome = rxHomeCore == monitor.core().id();
        this.endpoint = endpoint;
        this.inbox = inbox;
        this.transferCycles = monitor.system().topology().lineTransfer(monitor.core().id(), peer);
        this.fetchCycles = monitor.lineFetch(peer, rxHomeCore);
    }

    /** Cycles to move one line to the peer's cache (what each slot written to it costs the store buffer). */
    long transferCycles()
    {
        return transferCycles;
    }

    /** Cycles to fetch one line of the receive ring (the peer wrote it, in its home's memory). */
    long fetchCycles()
    {
        return fetchCycles;
    }

    /** The core at the other end. */
    int peer()
    {
        return peer;
    }

    /** Whether this core is the home of the ring it sends on: its slot lines pass this core's ports. */
    boolean txHome()
    {
        return txHome;
    }

    /** Whether this core is the home of the ring it receives on. */
    boolean rxHome()
    {
        return rxHome;
    }

    /** When this side last finished taking a message from the receive ring (its next slot is polled after). */
    long takenAt()
    {
        return takenAt;
    }

    void taken(final long cycle)
    {
        takenAt = cycle;
    }

    UmpEndpoint endpoint()
    {
        return endpoint;
    }

    ChannelInbox inbox()
    {
        return inbox;
    }

    @Override
    public long headTime()
    {
        return inbox.headArrival();
    }

    @Override
    protected void handleHead()
    {
        monitor.handleQueued(this);
    }
}
