package dev.shoal.monitor;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.monitor.ump.UmpEndpoint;
import dev.shoal.monitor.ump.UmpHandler;

/**
 * A cross-core binding over its own UMP channel. The core's monitor polls the endpoint (waitset role), copies
 * each message into the binding's inbound queue, advances the core clock to the message's arrival time and wakes
 * a waiting receiver. Core-local: all fields are touched only on the binding's core.
 */
final class UmpBinding implements Binding, ChannelPoller
{
    private final Core core;
    private final UmpEndpoint endpoint;
    private final int peer;
    private final long latency;
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private Thread waiter;
    private final UmpHandler handler = this::onMessage;

    UmpBinding(final Core core, final UmpEndpoint endpoint, final int peer, final long latency)
    {
        this.core = core;
        this.endpoint = endpoint;
        this.peer = peer;
        this.latency = latency;
    }

    @Override
    public void send(final byte[] message)
    {
        final Dispatcher self = Dispatcher.current();
        self.charge(core.costs().umpSendSlot() * Monitor.slotsFor(message.length));
        endpoint.send(core.clock().now(), message);
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

    private void onMessage(final long sendCycle, final DirectBuffer buffer, final int offset, final int length)
    {
        core.clock().observe(sendCycle + latency);
        core.clock().advance(core.costs().umpReceiveSlot());
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        inbound.addLast(copy);
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
