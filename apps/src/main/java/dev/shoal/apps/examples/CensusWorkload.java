package dev.shoal.apps.examples;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.apps.bench.Sample;
import dev.shoal.apps.bench.Workload;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.skb.Skb;

/**
 * {@code census}: the {@link CoreCensus} example as a workload, started by the host on core 0 ({@code host}) or by
 * a dispatcher on the last core through its monitor ({@code dispatcher}). Its cycles are core 0's for the host
 * variant and the asking dispatcher's, round trip to core 0 included, for the other.
 */
public final class CensusWorkload implements Workload
{
    // tag::workload[]
    @Override
    public String name()
    {
        return "census";
    }

    @Override
    public String description()
    {
        return "The extension example: count every core down and up the boot tree, from the host or a dispatcher.";
    }

    @Override
    public List<MonitorOperation> operations()
    {
        return List.of(new CoreCensus());
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return List.of("host", "dispatcher");
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(new CoreCensus())
            .runners(runners.get()).build();
        try (Shoal shoal = Shoal.boot(config))
        {
            final CoreCensus.Result result;
            final long cycles;
            if (variant.equals("host"))
            {
                result = CoreCensus.run(shoal.system()).get(60, TimeUnit.SECONDS);
                cycles = result.cycles();
            }
            else
            {
                final CoreCensus.Result[] asked = new CoreCensus.Result[1];
                final long[] took = new long[1];
                final Domain domain = shoal.startDomain("census", new int[] {cores - 1}, os ->
                {
                    final long start = os.now();
                    asked[0] = CoreCensus.ask(os);
                    took[0] = os.now() - start;
                });
                if (!domain.join(Duration.ofSeconds(60)))
                {
                    throw new IllegalStateException("the census from core " + (cores - 1) + " did not end in 60 s");
                }
                result = asked[0];
                cycles = took[0];
            }
            return List.of(Sample.cycles("latency", cycles), new Sample("cores", "cores", result.cores(), true));
        }
    }
    // end::workload[]
}
