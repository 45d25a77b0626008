package dev.shoal.apps.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * The Multikernel paper's Figure 3 as two workloads: {@code shm}, every booted core updates the same shared cache
 * lines directly ({@link SharedLineUpdates}), and {@code msg}, the cores but core 0 send the same update to core 0
 * as an RPC ({@link RpcUpdates}). One variant per number of lines updated ({@code shm1}, {@code shm2}, ...;
 * {@code --lines} in {@code shoal bench}). The figure is the mean cycles of one update as the updating (client) core
 * sees it; {@code msg} also gives the server's own cycles per update.
 */
public abstract sealed class UpdateWorkload implements Workload permits UpdateWorkload.Shm, UpdateWorkload.Msg
{
    /** The paper's numbers of lines. */
    public static final List<Integer> LINES = List.of(1, 2, 4, 8);
    /** Updates per core not measured before and after the measured ones (channels warm, every core contending). */
    public static final int WARM_UP = 10;
    public static final int MEASURED = 20;
    public static final int COOL_DOWN = 10;

    /**
     * What both workloads' Start messages carry (each operation has its own message record): the lines of one update
     * and each core's updates, in three phases, of which only the middle one is measured.
     */
    interface Plan
    {
        int lines();

        int warmUp();

        int measured();

        int coolDown();

        /** Whether a core's update number {@code index} (from 0) is measured. */
        default boolean isMeasured(final int index)
        {
            return index >= warmUp() && index < warmUp() + measured();
        }

        /** Updates each core makes in all. */
        default int updates()
        {
            return warmUp() + measured() + coolDown();
        }
    }

    private final List<Integer> lines;

    UpdateWorkload(final List<Integer> lines)
    {
        for (final int n : lines)
        {
            if (n < 1 || n > 64)
            {
                throw new IllegalArgumentException("--lines values must be 1..64: " + n);
            }
        }
        this.lines = List.copyOf(lines);
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return lines.stream().map(n -> name() + n).toList();
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        if (!variant.startsWith(name()))
        {
            throw new IllegalArgumentException("no variant " + variant + " of " + name());
        }
        final int n = Integer.parseInt(variant.substring(name().length()));
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(operations().get(0))
            .runners(runners.get()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(120)))
        {
            final long start = System.nanoTime();
            final List<Sample> samples = measure(system, cores, n);
            final double hostNanos = System.nanoTime() - start;
            return java.util.stream.Stream.concat(samples.stream(),
                java.util.stream.Stream.of(Sample.host("host-run", "ms", hostNanos / 1e6))).toList();
        }
    }

    abstract List<Sample> measure(MonitorSystem system, int cores, int lines) throws Exception;

    /** {@code shm}: shared memory. */
    public static final class Shm extends UpdateWorkload
    {
        /** Every number of lines of the paper (how {@code shoal workloads} and {@code shoal run} find it). */
        public Shm()
        {
            this(LINES);
        }

        public Shm(final List<Integer> lines)
        {
            super(lines);
        }

        @Override
        public String name()
        {
            return "shm";
        }

        @Override
        public String description()
        {
            return "Figure 3: every core updates the same 1, 2, 4, 8 shared cache lines directly (coherence misses).";
        }

        @Override
        public List<MonitorOperation> operations()
        {
            return List.of(new SharedLineUpdates());
        }

        @Override
        List<Sample> measure(final MonitorSystem system, final int cores, final int lines) throws Exception
        {
            final SharedLineUpdates.Result r = SharedLineUpdates.run(system, cores, lines, WARM_UP, MEASURED,
                COOL_DOWN).get(60, TimeUnit.SECONDS);
            return List.of(Sample.cycles("update-latency", r.cyclesPerUpdate()));
        }
    }

    /** {@code msg}: an RPC to one server core. */
    public static final class Msg extends UpdateWorkload
    {
        public Msg()
        {
            this(LINES);
        }

        public Msg(final List<Integer> lines)
        {
            super(lines);
        }

        @Override
        public String name()
        {
            return "msg";
        }

        @Override
        public String description()
        {
            return "Figure 3: the same update as an RPC from every other core to core 0: latency and server cost.";
        }

        @Override
        public int minCores()
        {
            return 2;
        }

        @Override
        public List<MonitorOperation> operations()
        {
            return List.of(new RpcUpdates());
        }

        @Override
        List<Sample> measure(final MonitorSystem system, final int cores, final int lines) throws Exception
        {
            final RpcUpdates.Result r = RpcUpdates.run(system, cores, lines, WARM_UP, MEASURED, COOL_DOWN)
                .get(60, TimeUnit.SECONDS);
            return List.of(Sample.cycles("update-latency", r.cyclesPerUpdate()),
                Sample.cycles("server-cycles", r.serverCyclesPerUpdate()));
        }
    }

    /**
     * Starts a run of {@link SharedLineUpdates} or {@link RpcUpdates} from core {@code home}: first the channels from
     * it to cores 0..{@code cores}-1 (their set-up is not part of the run), then, once the machine is quiet,
     * {@code begin} on {@code home}, which completes the returned future when the run is over. A failure of either
     * step fails the future.
     */
    static <R> CompletableFuture<R> launch(final MonitorSystem system, final int home, final int cores,
        final BiConsumer<Monitor, CompletableFuture<R>> begin)
    {
        final CompletableFuture<R> done = new CompletableFuture<>();
        system.onCore(home, m ->
        {
            for (int c = 0; c < cores; c++)
            {
                m.ensureLink(c);
            }
            return null;
        }).thenCompose(ignored -> system.onCore(home, m ->
        {
            begin.accept(m, done);
            return null;
        })).whenComplete((ignored, failure) ->
        {
            if (failure != null)
            {
                done.completeExceptionally(failure);
            }
        });
        return done;
    }
}
