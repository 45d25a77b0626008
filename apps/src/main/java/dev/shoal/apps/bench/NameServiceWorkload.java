package dev.shoal.apps.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.NameServiceOperation;
import dev.shoal.skb.Skb;

/**
 * The name service under load: a dispatcher on every core but the name server (core 0) does {@value #CALLS}
 * lookups of one registered name ({@code lookup}) or registers {@value #CALLS} names of its own ({@code register}),
 * all at once. Per client, simulated cycles are read from its core's clock around its calls; the rate is all calls
 * over the slowest client's cycles, in calls per kilocycle; the latency is the mean cycles per call. Host time is
 * measured on the host thread from spawning the clients until all finished.
 */
public final class NameServiceWorkload implements Workload
{
    static final int CALLS = 50;
    static final String SERVICE = "bench-service";

    @Override
    public String description()
    {
        return "Name service under load: lookups or registrations from every core at once.";
    }

    @Override
    public String name()
    {
        return "nameservice";
    }

    @Override
    public int minCores()
    {
        return 2;
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return List.of("lookup", "register");
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        final boolean lookup = switch (variant)
        {
            case "lookup" -> true;
            case "register" -> false;
            default -> throw new IllegalArgumentException("nameservice variant must be lookup or register: " + variant);
        };
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).runners(runners.get()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(120)))
        {
            join(List.of(spawn(system, NameServiceOperation.NAME_SERVER, "bench-ns-register",
                m -> NameServiceOperation.register(m, SERVICE, 1))));
            final long[] cycles = new long[cores];
            final long start = System.nanoTime();
            // Each client is spawned on its own core, all in one host request, so they start together in either
            // mode (at one simulated instant on the exact engine), and no core touches another's dispatchers.
            final int[] clientCores = new int[cores - 1];
            for (int c = 1; c < cores; c++)
            {
                clientCores[c - 1] = c;
            }
            final List<Dispatcher> clients = new ArrayList<>();
            for (final CompletableFuture<Dispatcher> spawned : system.onCores(clientCores, (index, m) ->
                m.core().spawn("bench-ns-client", () ->
                {
                    final Core self = m.core();
                    final long begin = self.clock().now();
                    for (int i = 0; i < CALLS; i++)
                    {
                        if (lookup)
                        {
                            if (NameServiceOperation.lookup(m, SERVICE) == null)
                            {
                                throw new IllegalStateException(SERVICE + " not found from core " + m.coreId());
                            }
                        }
                        else
                        {
                            NameServiceOperation.register(m, "bench-" + m.coreId() + "-" + i, i);
                        }
                    }
                    cycles[m.coreId()] = self.clock().now() - begin;
                })))
            {
                clients.add(spawned.get(60, TimeUnit.SECONDS));
            }
            join(clients);
            final long hostNanos = System.nanoTime() - start;
            long slowest = 0;
            long sum = 0;
            for (int c = 1; c < cores; c++)
            {
                slowest = Math.max(slowest, cycles[c]);
                sum += cycles[c];
            }
            final long calls = (long)CALLS * (cores - 1);
            return List.of(new Sample("rate", "calls/kcycle", calls * 1000.0 / slowest, true),
                Sample.cycles("latency", sum / (double)calls),
                Sample.host("host-rate", "calls/ms", calls / (hostNanos / 1e6)));
        }
    }

    private interface Body
    {
        void run(Monitor monitor);
    }

    /** Spawns a dispatcher on {@code core} from inside that core's duty cycle (so deterministic mode admits it). */
    private static Dispatcher spawn(final MonitorSystem system, final int core, final String name, final Body body)
        throws Exception
    {
        return system.onCore(core, m -> m.core().spawn(name, () -> body.run(m))).get(60, TimeUnit.SECONDS);
    }

    private static void join(final List<Dispatcher> dispatchers) throws InterruptedException
    {
        for (final Dispatcher d : dispatchers)
        {
            if (!d.join(Duration.ofSeconds(60)))
            {
                throw new IllegalStateException("name service clients did not finish in 60 s");
            }
            if (d.failure() != null)
            {
                throw new IllegalStateException("name service client failed: " + d.failure(), d.failure());
            }
        }
    }
}
