package dev.shoal.apps.bench;

import java.util.concurrent.CompletableFuture;

import dev.shoal.monitor.MessageCodec;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;

/**
 * One-way URPC stream between two cores' monitors (the Multikernel paper's URPC throughput measurement): core A
 * sends {@code count} messages back to back, pipelined, without waiting for any reply; core B counts them.
 *
 * <pre>
 *   core A (from)                       core B (to)
 *   Item(1) Item(2) ... Item(count) ──▶ handler: count, note its clock at the first and the last
 * </pre>
 *
 * The simulated figure is the receiver's: its clock from handling the first message to handling the last, over
 * {@code count - 1} messages, so the first message's latency is left out. The sender writes slots faster than
 * the receiver consumes them; the ring's flow control holds the excess in the sender's outbound queue.
 */
public final class UrpcStream implements MonitorOperation
{
    public record Item(long sequence)
    {
    }

    /** The receiver's view: cycles between handling the first and the last of {@code messages} messages. */
    public record Stream(long cycles, long messages)
    {
    }

    private static final class Receiver
    {
        long expected;
        long received;
        long firstCycle;
        CompletableFuture<Stream> done;
    }

    private static final MessageCodec<Item> CODEC = new MessageCodec<>()
    {
        @Override
        public void encode(final Item message, final MessageWriter out)
        {
            out.putLong(message.sequence());
        }

        @Override
        public Item decode(final MessageReader in)
        {
            return new Item(in.getLong());
        }
    };

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Item.class, CODEC, UrpcStream::onItem);
    }

    private static void onItem(final Monitor monitor, final int from, final Item item)
    {
        final Receiver r = monitor.local(Receiver.class, Receiver::new);
        if (r.done == null)
        {
            return;
        }
        if (++r.received == 1)
        {
            r.firstCycle = monitor.now();
        }
        if (r.received == r.expected)
        {
            final CompletableFuture<Stream> done = r.done;
            r.done = null;
            done.complete(new Stream(monitor.now() - r.firstCycle, r.expected));
        }
    }

    /**
     * Streams {@code count} (at least 2) messages from core {@code from} to core {@code to} over a direct channel.
     * Any host thread; the future completes on core {@code to}'s carrier after the last message.
     */
    public static CompletableFuture<Stream> run(final MonitorSystem system, final int from, final int to,
        final long count)
    {
        if (from == to || count < 2)
        {
            throw new IllegalArgumentException("a stream needs two different cores and at least 2 messages");
        }
        final CompletableFuture<Stream> done = new CompletableFuture<>();
        return system.onCore(to, m ->
        {
            final Receiver r = m.local(Receiver.class, Receiver::new);
            r.expected = count;
            r.received = 0;
            r.done = done;
            return null;
        }).thenCompose(ignored -> system.onCore(from, m ->
        {
            m.ensureLink(to);
            for (long i = 1; i <= count; i++)
            {
                m.send(to, new Item(i));
            }
            return null;
        })).thenCompose(ignored -> done);
    }
}
