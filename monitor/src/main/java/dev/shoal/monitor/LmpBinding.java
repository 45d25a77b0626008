package dev.shoal.monitor;

import java.io.ByteArrayOutputStream;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.LmpChannel;
import dev.shoal.kernel.LmpEndpoint;
import dev.shoal.kernel.Timeline;

/**
 * A same-core binding over LMP. A message travels as LMP messages of up to {@link LmpChannel#MAX_WORDS} words:
 * word 0 holds the bytes still to come including this fragment, the other nine words carry up to 72 bytes.
 *
 * <p>On the run's timeline a message is a flow from the sender's send to a slice where the receiver took it; the
 * two directions of the channel have their own keys ({@link Monitor#newLmpTimelineKeys}).
 */
final class LmpBinding implements Binding
{
    private static final int BYTES_PER_FRAGMENT = (LmpChannel.MAX_WORDS - 1) * Long.BYTES;

    private final LmpEndpoint endpoint;
    private final Core core;
    private final long txKey;
    private final long rxKey;
    private final long[] words = new long[LmpChannel.MAX_WORDS];

    /** {@code txKey} and {@code rxKey} name this side's two directions on the timeline (the peer's swapped). */
    LmpBinding(final LmpEndpoint endpoint, final Core core, final long txKey, final long rxKey)
    {
        this.endpoint = endpoint;
        this.core = core;
        this.txKey = txKey;
        this.rxKey = rxKey;
    }

    @Override
    public void send(final byte[] message)
    {
        final Timeline timeline = core.machine().timeline();
        if (timeline.enabled())
        {
            // Before the first fragment: sending switches straight to a waiting receiver, which takes it at once.
            timeline.sent(core.id(), core.id(), txKey, core.clock().now());
        }
        int offset = 0;
        do
        {
            final int remaining = message.length - offset;
            final int chunk = Math.min(remaining, BYTES_PER_FRAGMENT);
            words[0] = remaining;
            for (int w = 0; w < (chunk + 7) / 8; w++)
            {
                long v = 0;
                for (int b = 0; b < 8 && w * 8 + b < chunk; b++)
                {
                    v |= (message[offset + w * 8 + b] & 0xFFL) << (8 * b);
                }
                words[1 + w] = v;
            }
            endpoint.send(words, 1 + (chunk + 7) / 8);
            offset += chunk;
        }
        while (offset < message.length);
    }

    @Override
    public byte[] receive()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long remaining;
        do
        {
            endpoint.receive(words);
            remaining = words[0];
            final int chunk = (int)Math.min(remaining, BYTES_PER_FRAGMENT);
            for (int i = 0; i < chunk; i++)
            {
                out.write((int)(words[1 + i / 8] >>> (8 * (i % 8))));
            }
            remaining -= chunk;
        }
        while (remaining > 0);
        final Timeline timeline = core.machine().timeline();
        if (timeline.enabled())
        {
            final long now = core.clock().now();
            final long slice = timeline.open(core.id());
            timeline.received(core.id(), core.id(), rxKey, now);
            timeline.slice(core.id(), slice, now, now, "lmp message", "bytes", out.size());
        }
        return out.toByteArray();
    }

    @Override
    public String transport()
    {
        return "lmp";
    }

    @Override
    public int peerCore()
    {
        return core.id();
    }
}
