package dev.shoal.apps.bench;

import java.util.List;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/** Boot of N cores: simulated cycles on core 0 until every monitor is up, boot messages, host wall time. */
public final class BootWorkload implements Workload
{
    @Override
    public String description()
    {
        return "Boot of N cores: cycles until every monitor is up, boot messages, host wall time.";
    }

    @Override
    public String name()
    {
        return "boot";
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return List.of("boot");
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners)
    {
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).runners(runners.get()).build();
        final long start = System.nanoTime();
        try (MonitorSystem system = MonitorSystem.start(config))
        {
            final MonitorSystem.BootReport boot = system.awaitBoot(dev.shoal.apps.HostBound.of(120, cores));
            final double wallMillis = (System.nanoTime() - start) / 1e6;
            return List.of(Sample.cycles("boot-time", boot.bootCycles()),
                new Sample("boot-messages", "messages", boot.messages(), true),
                Sample.host("boot-wall", "ms", wallMillis));
        }
    }
}
