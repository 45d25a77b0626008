package dev.shoal.apps.examples;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.apps.bench.Sample;
import dev.shoal.apps.bench.Workload;
import dev.shoal.kernel.RunnerFactory;
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
            final long cycles;
            final long counted;
            if (variant.equals("host"))
            {
                final CoreCensus.Result result = CoreCensus.run(shoal.system()).get(60, TimeUnit.SECONDS);
                cycles = result.cycles();
                counted = result.cores();
            }
            else
            {
                // A job that answers rather than writes into the host's memory: on a partitioned machine the last
                // core runs in another JVM, and the job and its answer cross as bytes.
                final long[] answer = shoal.run("census", cores - 1, os ->
                {
                    final long start = os.now();
                    final CoreCensus.Result asked = CoreCensus.ask(os);
                    return new long[] {os.now() - start, asked.cores()};
                }).get(60, TimeUnit.SECONDS);
                cycles = answer[0];
                counted = answer[1];
            }
            return List.of(Sample.cycles("latency", cycles), new Sample("cores", "cores", counted, true));
        }
    }
    // end::workload[]
}
