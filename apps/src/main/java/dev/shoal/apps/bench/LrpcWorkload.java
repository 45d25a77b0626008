package dev.shoal.apps.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.LmpChannel;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * LRPC: round trips between a client and a server dispatcher on the same core (the last booted core) over an
 * {@link LmpChannel}. Simulated cycles come from that core's clock, read by the client around its calls; host
 * nanoseconds are measured on the host thread from spawning the two dispatchers until both finished (the cores do
 * not read the host clock), so they include the spawn, amortised over {@value #ROUNDS} round trips.
 */
public final class LrpcWorkload implements Workload
{
    static final int WARM_UP_ROUNDS = 1_000;
    static final int ROUNDS = 10_000;

    @Override
    public String description()
    {
        return "LRPC: round trips between two dispatchers of one core over an LMP channel.";
    }

    @Override
    public String name()
    {
        return "lrpc";
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return List.of("same-core");
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).runners(runners.get()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(120)))
        {
            final Core core = system.machine().core(cores - 1);
            roundTrips(system, core, WARM_UP_ROUNDS);
            final long start = System.nanoTime();
            final long cycles = roundTrips(system, core, ROUNDS);
            final long hostNanos = System.nanoTime() - start;
            return List.of(Sample.cycles("round-trip", cycles / (double)ROUNDS),
                Sample.host("host-round-trip", "ns", hostNanos / (double)ROUNDS));
        }
    }

    /** Runs {@code rounds} calls from a client to an echo server; returns the client's cycles for all of them. */
    private static long roundTrips(final MonitorSystem system, final Core core, final int rounds)
        throws Exception
    {
        final LmpChannel channel = LmpChannel.create(core);
        final long[] cycles = new long[1];
        // Spawned inside the core's duty cycle, so the deterministic scheduler admits them as a host request.
        final Dispatcher[] pair = system.onCore(core.id(), m -> new Dispatcher[] {spawnServer(core, channel, rounds),
            spawnClient(core, channel, rounds, cycles)}).get(60, TimeUnit.SECONDS);
        final Dispatcher server = pair[0];
        final Dispatcher client = pair[1];
        if (!client.join(Duration.ofSeconds(60)) || !server.join(Duration.ofSeconds(60)))
        {
            throw new IllegalStateException("LRPC round trips on core " + core.id() + " did not finish in 60 s");
        }
        if (client.failure() != null || server.failure() != null)
        {
            throw new IllegalStateException("LRPC round trips failed on core " + core.id(),
                client.failure() != null ? client.failure() : server.failure());
        }
        return cycles[0];
    }

    private static Dispatcher spawnServer(final Core core, final LmpChannel channel, final int rounds)
    {
        return core.spawn("bench-lrpc-server", () ->
        {
            final long[] request = new long[LmpChannel.MAX_WORDS];
            for (int i = 0; i < rounds; i++)
            {
                final int n = channel.second().receive(request);
                channel.second().send(request, n);
            }
        });
    }

    private static Dispatcher spawnClient(final Core core, final LmpChannel channel, final int rounds,
        final long[] cycles)
    {
        return core.spawn("bench-lrpc-client", () ->
        {
            final long[] request = {1, 2};
            final long[] reply = new long[LmpChannel.MAX_WORDS];
            final long begin = core.clock().now();
            for (int i = 0; i < rounds; i++)
            {
                request[0] = i;
                channel.first().call(request, request.length, reply);
            }
            cycles[0] = core.clock().now() - begin;
        });
    }
}
