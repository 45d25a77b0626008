package dev.shoal.monitor;

import java.util.SplittableRandom;
import java.util.function.LongSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.monitor.ump.UmpEndpoint;
import dev.shoal.monitor.ump.UmpHandler;

/**
 * The receiving side of one channel on its core: the one arrival rule every binding uses, and (exact mode) the
 * core-local queue of messages that arrived but were not yet handled.
 *
 * <p>Arrival rule: a message arrives at its send stamp plus the link's latency, plus any injected delay for its
 * sender, plus a jitter drawn from the run's seed for this channel (exact mode, when exploring), and never before the
 * channel's previous message: a channel does not reorder.
 *
 * <p>Queue: the transport (the engine's pump) copies each message out of the UMP ring into this queue with its
 * arrival; the core handles it when the engine reaches that time. Records are {@code [arrival:8][length:4][pad:4]
 * [payload, rounded up to 8]} in one growable byte array, so queueing allocates nothing in the steady state. The
 * payload of the head stays valid until {@link #pop()}. As a {@link UmpHandler} it is what the pump polls the
 * channel's endpoint with ({@link #drain}).
 *
 * <p>Core-local: touched only on the owning core.
 */
final class ChannelInbox implements UmpHandler
{
    private static final int HEADER = 16;

    private final long latency;
    private final LongSupplier extraDelay;
    private final SplittableRandom jitter;
    private final long jitterBound;
    private long lastArrival = Long.MIN_VALUE;

    /** Allocated at the first message queued: live mode never queues, and idle channels should cost nothing. */
    private byte[] bytes = EMPTY;
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private static final byte[] EMPTY = new byte[0];
    private int head;
    private int tail;
    private int count;
    /** Told of each queued message's arrival (the queue counters), or null. */
    private dev.shoal.kernel.Timeline timeline;
    private int core;
    private boolean ring;
    private long notBefore;

    /**
     * @param latency     the link's one-way latency in cycles.
     * @param extraDelay  the injected delay on the sender's messages now (the channel-delay fault), in cycles.
     * @param jitter      draws the jitter, or null for none.
     * @param jitterBound the largest jitter in cycles.
     */
    ChannelInbox(final long latency, final LongSupplier extraDelay, final SplittableRandom jitter,
        final long jitterBound)
    {
        this.latency = latency;
        this.extraDelay = extraDelay;
        this.jitter = jitter;
        this.jitterBound = jitterBound;
    }

    /**
     * Tells {@code timeline} (when it is enabled) of each message queued, for the receiving core's queue counters;
     * {@code ring} when the channel is a UMP ring (its messages fill slots); {@code now}, the core's clock. Set once,
     * on the core, before the first message. A message the peer wrote before this side knew of the channel arrived
     * in the core's past, before the timeline could learn of it: it counts as waiting from {@code now}.
     */
    ChannelInbox observedBy(final dev.shoal.kernel.Timeline timeline, final int core, final boolean ring,
        final long now)
    {
        this.timeline = timeline.enabled() ? timeline : null;
        this.core = core;
        this.ring = ring;
        this.notBefore = now;
        return this;
    }

    /** The arrival of the next message of this channel, sent at {@code sendCycle}; call once per message, in order. */
    long arrival(final long sendCycle)
    {
        long at = sendCycle + latency + extraDelay.getAsLong();
        if (jitter != null)
        {
            at += jitter.nextLong(jitterBound + 1);
        }
        at = Math.max(at, lastArrival);
        lastArrival = at;
        return at;
    }

    /**
     * Exact mode's pump: copies what arrived on {@code endpoint} into this queue and flushes what waited for credit.
     *
     * @return true when messages were queued (the head may have changed).
     */
    boolean drain(final UmpEndpoint endpoint)
    {
        if (!endpoint.hasInbound() && !endpoint.hasPendingOutbound())
        {
            return false;
        }
        final int queued = count;
        endpoint.poll(this, Integer.MAX_VALUE);
        return count != queued;
    }

    /** Queues one message polled from the channel's endpoint, stamped with its arrival. */
    @Override
    public void onMessage(final long sendCycle, final DirectBuffer buffer, final int offset, final int length)
    {
        append(arrival(sendCycle), buffer, offset, length);
    }

    /** Queues a copy of {@code length} bytes of {@code src} that arrive at {@code arrival}. */
    void append(final long arrival, final DirectBuffer src, final int offset, final int length)
    {
        final int need = HEADER + align(length);
        if (tail + need > bytes.length)
        {
            makeRoom(need);
        }
        view.putLong(tail, arrival);
        view.putInt(tail + 8, length);
        src.getBytes(offset, view, tail + HEADER, length);
        tail += need;
        count++;
        if (timeline != null)
        {
            timeline.arrived(core, Math.max(arrival, notBefore),
                ring ? dev.shoal.monitor.ump.UmpDescriptor.slotsFor(length) : 0);
        }
    }

    int size()
    {
        return count;
    }

    /** The head's arrival, or {@link Long#MAX_VALUE} when empty. */
    long headArrival()
    {
        return count == 0 ? Long.MAX_VALUE : view.getLong(head);
    }

    /** The buffer holding the head's payload. */
    DirectBuffer buffer()
    {
        return view;
    }

    int headOffset()
    {
        return head + HEADER;
    }

    int headLength()
    {
        return view.getInt(head + 8);
    }

    /** Drops the head. */
    void pop()
    {
        head += HEADER + align(headLength());
        if (--count == 0)
        {
            head = 0;
            tail = 0;
        }
    }

    private void makeRoom(final int need)
    {
        final int used = tail - head;
        if (used + need <= bytes.length / 2)
        {
            System.arraycopy(bytes, head, bytes, 0, used);
        }
        else
        {
            final byte[] grown = new byte[Math.max(Math.max(256, bytes.length * 2), used + need)];
            System.arraycopy(bytes, head, grown, 0, used);
            bytes = grown;
            view.wrap(bytes);
        }
        head = 0;
        tail = used;
    }

    private static int align(final int length)
    {
        return (length + 7) & ~7;
    }
}
