package dev.shoal.monitor;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.EventSource;
import dev.shoal.monitor.ump.UmpDescriptor;
import dev.shoal.monitor.ump.UmpEndpoint;
import dev.shoal.monitor.ump.UmpHandler;

/**
 * A cross-core binding over its own UMP channel. The core's monitor polls the endpoint (waitset role), copies
 * each message into the binding's inbound queue, advances the core clock to the message's arrival time and wakes
 * a waiting receiver. The arrival follows the same rule as the monitor's channels ({@link ChannelInbox}: latency,
 * injected delay, jitter). In exact mode the binding is one of the core's event sources: the pump queues what
 * arrived and the core receives each message at its arrival, in time order with everything else. Core-local: all
 * fields are touched only on the binding's core.
 *
 * <p>A binding's messages may be of any length, as LMP's are, while one UMP message holds at most
 * {@link UmpDescriptor#MAX_MESSAGE_LENGTH} bytes: a longer one travels as pieces of exactly that length and a last,
 * shorter piece (empty when the length is a multiple of it). A piece of the full length thus means "more follows",
 * and messages shorter than the limit, nearly all of them, travel as before with nothing added.
 */
final class UmpBinding extends EventSource implements Binding, ChannelPoller
{
    private final Core core;
    private final UmpEndpoint endpoint;
    private final int peer;
    private final ChannelInbox timing;
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private Thread waiter;
    private final UmpHandler handler = this::onMessage;
    /** The length of a piece that says "more follows" ({@link UmpBinding}). */
    private static final int PIECE = UmpDescriptor.MAX_MESSAGE_LENGTH;
    private final UnsafeBuffer sendView = new UnsafeBuffer(new byte[0]);
    /** The pieces of a long message received so far, or null. */
    private ByteArrayOutputStream partial;

    /** The rings this side sends and receives on (their addresses): the channel's keys on the timeline. */
    private final long txRing;
    private final long rxRing;
    /** One line transfer to the peer, and one line fetch from the receive ring: fixed for the binding. */
    private final long transferCycles;
    private final long fetchCycles;
    /** Whether the rings this side sends and receives on are in this core's memory (their home). */
    private final boolean txHome;
    private final boolean rxHome;
    /** When a message was last taken from the receive ring. */
    private long takenAt;
    private final Monitor monitor;

    UmpBinding(final Monitor monitor, final UmpEndpoint endpoint, final int peer, final long txRing,
        final long rxRing)
    {
        super(monitor.core(), Kind.MESSAGES, peer);
        this.monitor = monitor;
        this.txRing = txRing;
        this.rxRing = rxRing;
        this.transferCycles = monitor.system().topology().lineTransfer(monitor.core().id(), peer);
        // Priced from the node whose memory holds the receive ring (its home).
        this.fetchCycles = monitor.lineFetch(peer, Monitor.homeCoreOf(rxRing));
        this.txHome = Monitor.homeCoreOf(txRing) == monitor.core().id();
        this.rxHome = Monitor.homeCoreOf(rxRing) == monitor.core().id();
        this.core = monitor.core();
        this.endpoint = endpoint;
        this.peer = peer;
        this.timing = monitor.inboxFrom(peer);
    }

    @Override
    public void send(final byte[] message)
    {
        final Dispatcher self = Dispatcher.current();
        self.charge(core.costs().umpSendSlot() * Monitor.linesFor(message.length));
        final dev.shoal.kernel.Timeline timeline = core.machine().timeline();
        if (timeline.enabled())
        {
            // One flow per UMP message: a long message's pieces are received (and counted) one by one.
            for (int pieces = message.length / PIECE + 1; pieces > 0; pieces--)
            {
                timeline.sent(core.id(), peer, txRing, core.clock().now());
            }
        }
        if (message.length < PIECE)
        {
            endpoint.send(monitor.commitSlots(peer, txHome, transferCycles, Monitor.linesFor(message.length),
                core.clock().now()), message);
            return;
        }
        for (int offset = 0; ; offset += PIECE)
        {
            final int length = Math.min(PIECE, message.length - offset);
            sendView.wrap(message, offset, length);
            endpoint.send(monitor.commitSlots(peer, txHome, transferCycles, Monitor.linesFor(length),
                core.clock().now()), sendView, 0, length);
            if (length < PIECE)
            {
                return;
            }
        }
    }

    @Override
    public byte[] receive()
    {
        Dispatcher.current();
        byte[] message;
        while ((message = inbound.pollFirst()) == null)
        {
            waiter = Thread.currentThread();
            LockSupport.park(this);
        }
        waiter = null;
        return message;
    }

    @Override
    public int poll()
    {
        return endpoint.poll(handler, 16);
    }

    @Override
    public void pump()
    {
        if (timing.drain(endpoint))
        {
            changed();
        }
    }

    @Override
    public long headTime()
    {
        return timing.headArrival();
    }

    @Override
    protected void handleHead()
    {
        final int length = timing.headLength();
        core.clock().observe(
            monitor.fetchSlots(peer, rxHome, fetchCycles, length, timing.headArrival(), takenAt));
        try
        {
            receiveObserved(timing.buffer(), timing.headOffset(), length);
        }
        finally
        {
            timing.pop();
            takenAt = core.clock().now();
        }
    }

    private void onMessage(final long sendCycle, final DirectBuffer buffer, final int offset, final int length)
    {
        core.clock().observe(
            monitor.fetchSlots(peer, rxHome, fetchCycles, length, timing.arrival(sendCycle), takenAt));
        receiveObserved(buffer, offset, length);
        takenAt = core.clock().now();
    }

    private void receiveObserved(final DirectBuffer buffer, final int offset, final int length)
    {
        if (core.machine().timeline().enabled())
        {
            MonitorTimeline.receive(monitor, peer, rxRing, length, () -> receive(buffer, offset, length));
            return;
        }
        receive(buffer, offset, length);
    }

    private void receive(final DirectBuffer buffer, final int offset, final int length)
    {
        core.clock().advance(monitor.receiveSoftware(length));
        if (length == PIECE || partial != null)
        {
            if (partial == null)
            {
                partial = new ByteArrayOutputStream(2 * PIECE);
            }
            final byte[] piece = new byte[length];
            buffer.getBytes(offset, piece);
            partial.writeBytes(piece);
            if (length == PIECE)
            {
                return;
            }
            inbound.addLast(partial.toByteArray());
            partial = null;
        }
        else
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            inbound.addLast(copy);
        }
        final Thread w = waiter;
        if (w != null)
        {
            waiter = null;
            LockSupport.unpark(w);
        }
    }

    @Override
    public String transport()
    {
        return "ump";
    }

    @Override
    public int peerCore()
    {
        return peer;
    }
}
