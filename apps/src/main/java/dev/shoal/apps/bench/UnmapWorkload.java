package dev.shoal.apps.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.monitor.UnmapOperation;
import dev.shoal.skb.Skb;

/**
 * TLB shootdown of one 4 KiB page on every booted core, initiated by core 0 (as {@code shoal run unmap}, but on
 * a fresh machine per strategy and with the sweep's runner, so deterministic mode applies).
 */
public final class UnmapWorkload implements Workload
{
    private final List<ShootdownStrategy> strategies;

    /** Every strategy (how {@code shoal workloads} and {@code shoal run unmap} find it). */
    public UnmapWorkload()
    {
        this(List.of(ShootdownStrategy.values()));
    }

    public UnmapWorkload(final List<ShootdownStrategy> strategies)
    {
        this.strategies = List.copyOf(strategies);
    }

    @Override
    public String description()
    {
        return "TLB shootdown of one page from core 0 to every core, per strategy.";
    }

    /** The shootdown, and the full unmap that {@code shoal run unmap --full} runs on top of it. */
    @Override
    public List<dev.shoal.monitor.MonitorOperation> operations()
    {
        final ShootdownOperation shootdown = new ShootdownOperation();
        return List.of(shootdown, new UnmapOperation(shootdown));
    }

    @Override
    public String name()
    {
        return "unmap";
    }

    @Override
    public int minCores()
    {
        return 2;
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return strategies.stream().map(ShootdownStrategy::cliName).toList();
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        final ShootdownStrategy strategy = ShootdownStrategy.parse(variant);
        final ShootdownOperation shootdown = new ShootdownOperation();
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(shootdown)
            .runners(runners.get()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, dev.shoal.apps.HostBound.of(120, cores)))
        {
            // A first round sets the channels up; the second is measured (the steady state; see UnmapCommand).
            shootdown.startFromCoreZero(system, strategy, 1, 0x4000_0000L, 4096).get(60, TimeUnit.SECONDS);
            final long start = System.nanoTime();
            final ShootdownOperation.Result r = shootdown.startFromCoreZero(system, strategy, 1, 0x4000_0000L, 4096)
                .get(60, TimeUnit.SECONDS);
            final long hostNanos = System.nanoTime() - start;
            return List.of(Sample.cycles("latency", r.latencyCycles()),
                new Sample("messages", "messages", r.messages(), true),
                Sample.host("host-latency", "us", hostNanos / 1000.0));
        }
    }
}
