package dev.shoal.apps.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.apps.UrpcPingPong;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * URPC between core 0 and a core at each topological distance present among the booted cores
 * ({@code same-package}, {@code 1-hop}, {@code 2-hop}, ...), over a direct channel:
 * <ul>
 *   <li>one-way latency, half of a {@link UrpcPingPong} round trip; simulated cycles from core 0's clock, host
 *       nanoseconds measured on the host thread around whole batches;</li>
 *   <li>throughput, a one-way {@link UrpcStream} of {@value #STREAM_MESSAGES} messages (pipelined, no replies);
 *       simulated messages per kilocycle and cycles per message from the receiver's clock, host messages per
 *       second measured on the host thread from the first send until the receiver has the last message.</li>
 * </ul>
 */
public final class UrpcWorkload implements Workload
{
    static final int WARM_UP_BATCHES = 3;
    static final int BATCHES = 5;
    static final int ROUNDS_PER_BATCH = 200;
    static final int STREAM_MESSAGES = 5_000;

    @Override
    public String description()
    {
        return "URPC between core 0 and a core at each distance: one-way latency and pipelined throughput.";
    }

    @Override
    public List<dev.shoal.monitor.MonitorOperation> operations()
    {
        return List.of(new dev.shoal.apps.UrpcPingPong(), new UrpcStream());
    }

    @Override
    public String name()
    {
        return "urpc";
    }

    @Override
    public int minCores()
    {
        return 2;
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return new ArrayList<>(peers(skb, cores).keySet());
    }

    /** For each distance class present, the lowest numbered core at that distance from core 0. */
    static Map<String, Integer> peers(final Skb skb, final int cores)
    {
        final Map<String, Integer> byClass = new LinkedHashMap<>();
        final int home = skb.packageOf(0);
        for (int c = 1; c < cores; c++)
        {
            final int pkg = skb.packageOf(c);
            final String cls = pkg == home ? "same-package" : skb.packageHops(home, pkg) + "-hop";
            byClass.putIfAbsent(cls, c);
        }
        return byClass;
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        final Integer to = peers(skb, cores).get(variant);
        if (to == null)
        {
            throw new IllegalArgumentException("no core at distance " + variant + " among " + cores + " cores");
        }
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(new UrpcPingPong())
            .operation(new UrpcStream())
            .runners(runners.get()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(120)))
        {
            for (int i = 0; i < WARM_UP_BATCHES; i++)
            {
                UrpcPingPong.run(system, 0, to, ROUNDS_PER_BATCH).get(60, TimeUnit.SECONDS);
            }
            long cycles = 0;
            long rounds = 0;
            final long start = System.nanoTime();
            for (int i = 0; i < BATCHES; i++)
            {
                final UrpcPingPong.Batch b = UrpcPingPong.run(system, 0, to, ROUNDS_PER_BATCH)
                    .get(60, TimeUnit.SECONDS);
                cycles += b.cycles();
                rounds += b.rounds();
            }
            final long hostNanos = System.nanoTime() - start;

            UrpcStream.run(system, 0, to, STREAM_MESSAGES).get(60, TimeUnit.SECONDS);
            final long streamStart = System.nanoTime();
            final UrpcStream.Stream stream = UrpcStream.run(system, 0, to, STREAM_MESSAGES).get(60, TimeUnit.SECONDS);
            final double streamSeconds = (System.nanoTime() - streamStart) / 1e9;
            final double cyclesPerMessage = stream.cycles() / (double)(stream.messages() - 1);
            return List.of(Sample.cycles("one-way-latency", cycles / (double)rounds / 2),
                Sample.host("host-one-way-latency", "ns", hostNanos / (double)rounds / 2),
                new Sample("throughput", "msgs/kcycle", 1000 / cyclesPerMessage, true),
                Sample.cycles("cycles-per-message", cyclesPerMessage),
                Sample.host("host-throughput", "msgs/s", stream.messages() / streamSeconds));
        }
    }
}
