package dev.shoal.apps;

import java.util.concurrent.CompletableFuture;

import dev.shoal.monitor.MessageCodec;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;

/**
 * URPC ping-pong between the monitors of two cores over a direct UMP channel (the Multikernel paper's URPC
 * measurement): core A sends {@link Ping}, core B answers {@link Pong}, for a batch of rounds, entirely inside
 * the two monitors' duty cycles. The messages have hand-written 8-byte codecs so the measurement is the channel,
 * not reflection.
 *
 * <pre>
 *   core A (from)                core B (to)
 *   Ping(n) ───── UMP ─────────▶ handler
 *   handler ◀──── UMP ────────── Pong(n)
 * </pre>
 */
public final class UrpcPingPong implements MonitorOperation
{
    public record Ping(long remaining)
    {
    }

    public record Pong(long remaining)
    {
    }

    /** One batch: simulated cycles from the first send to the last reply, and the rounds it took. */
    public record Batch(long cycles, long rounds)
    {
    }

    static final class State
    {
        int peer;
        long startCycle;
        long rounds;
        CompletableFuture<Batch> done;
    }

    private static final class Codec<M> implements MessageCodec<M>
    {
        private final java.util.function.LongFunction<M> make;
        private final java.util.function.ToLongFunction<M> value;

        Codec(final java.util.function.LongFunction<M> make, final java.util.function.ToLongFunction<M> value)
        {
            this.make = make;
            this.value = value;
        }

        @Override
        public void encode(final M message, final MessageWriter out)
        {
            out.putLong(value.applyAsLong(message));
        }

        @Override
        public M decode(final MessageReader in)
        {
            return make.apply(in.getLong());
        }
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Ping.class, new Codec<>(Ping::new, Ping::remaining),
            (m, from, ping) -> m.send(from, new Pong(ping.remaining())));
        protocol.message(Pong.class, new Codec<>(Pong::new, Pong::remaining), UrpcPingPong::onPong);
    }

    private static void onPong(final Monitor monitor, final int from, final Pong pong)
    {
        final State s = monitor.local(State.class, State::new);
        if (pong.remaining() > 1)
        {
            monitor.send(s.peer, new Ping(pong.remaining() - 1));
        }
        else
        {
            s.done.complete(new Batch(monitor.now() - s.startCycle, s.rounds));
        }
    }

    /**
     * Runs {@code rounds} round trips from core {@code from} to core {@code to}. Any host thread; the future
     * completes on core {@code from}'s carrier.
     */
    public static CompletableFuture<Batch> run(final MonitorSystem system, final int from, final int to,
        final long rounds)
    {
        if (from == to)
        {
            throw new IllegalArgumentException("ping-pong needs two different cores: --from " + from + " --to " + to);
        }
        final CompletableFuture<Batch> done = new CompletableFuture<>();
        system.onCore(from, monitor ->
        {
            final State s = monitor.local(State.class, State::new);
            monitor.ensureLink(to);
            s.peer = to;
            s.rounds = rounds;
            s.done = done;
            s.startCycle = monitor.now();
            monitor.send(to, new Ping(rounds));
            return null;
        }).whenComplete((ignored, failure) ->
        {
            if (failure != null)
            {
                done.completeExceptionally(failure);
            }
        });
        return done;
    }
}
