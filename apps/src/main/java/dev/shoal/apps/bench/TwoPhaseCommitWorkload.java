package dev.shoal.apps.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.Timeline;
import dev.shoal.monitor.AgreementOperation;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * Agreement across every booted core by two-phase commit ({@link AgreementOperation}), coordinated by core 0
 * along the routing tree:
 * <ul>
 *   <li>{@code single}: {@value #AGREEMENTS} agreements one after another, each started by the host once the last
 *       has completed; latency is the mean, on core 0's clock, from start to the last core's acknowledgement;</li>
 *   <li>{@code pipelined}: the same number of agreements with {@value #IN_FLIGHT} in flight, core 0 starting the
 *       next as each completes; throughput is agreements per million cycles of core 0 from the first start to the
 *       last completion, latency the mean of each agreement's own latency (it now includes queueing).</li>
 * </ul>
 * Every core votes yes. Host time is measured on the host thread around all agreements.
 */
public final class TwoPhaseCommitWorkload implements Workload
{
    static final int AGREEMENTS = 64;
    static final int IN_FLIGHT = 16;

    @Override
    public String description()
    {
        return "Agreement across all cores by two-phase commit along the routing tree, one or 16 in flight.";
    }

    @Override
    public List<dev.shoal.monitor.MonitorOperation> operations()
    {
        return List.of(new dev.shoal.monitor.AgreementOperation());
    }

    @Override
    public String name()
    {
        return "2pc";
    }

    @Override
    public int minCores()
    {
        return 2;
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return List.of("single", "pipelined");
    }

    /** What core 0 saw: cycles from the first start to the last completion and the sum of the latencies. */
    private record Run(long spanCycles, long latencySum, int committed)
    {
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        final AgreementOperation agreement = new AgreementOperation();
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(agreement)
            .runners(runners.get()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(300)))
        {
            final long start = System.nanoTime();
            final Run run = switch (variant)
            {
                case "single" -> single(system, agreement);
                case "pipelined" -> system.onCore(0, m -> pipelined(m, agreement)).get(300, TimeUnit.SECONDS)
                    .get(300, TimeUnit.SECONDS);
                default -> throw new IllegalArgumentException("unknown 2pc variant " + variant);
            };
            final double hostSeconds = (System.nanoTime() - start) / 1e9;
            if (run.committed() != AGREEMENTS)
            {
                throw new IllegalStateException("2pc on " + cores + " cores: " + run.committed() + " of " +
                    AGREEMENTS + " agreements committed although every core votes yes");
            }
            return List.of(Sample.cycles("latency", run.latencySum() / (double)AGREEMENTS),
                new Sample("throughput", "agreements/Mcycle", AGREEMENTS * 1e6 / run.spanCycles(), true),
                Sample.host("host-throughput", "agreements/s", AGREEMENTS / hostSeconds));
        }
    }

    private static Run single(final MonitorSystem system, final AgreementOperation agreement) throws Exception
    {
        long sum = 0;
        int committed = 0;
        for (int i = 0; i < AGREEMENTS; i++)
        {
            final long proposal = i;
            final AgreementOperation.Result r = system.onCore(0, m ->
            {
                // The agreement shows as a phase on core 0's timeline (one at a time, so phases do not overlap).
                Timeline.beginPhase(m.core(), "2pc " + proposal);
                return agreement.start(m, proposal).thenApply(result ->
                {
                    Timeline.endPhase(m.core(), "2pc " + proposal);
                    return result;
                });
            }).thenCompose(f -> f).get(300, TimeUnit.SECONDS);
            sum += r.latencyCycles();
            committed += r.committed() ? 1 : 0;
        }
        // Back to back: core 0 does nothing between two agreements, so the span is the sum of the latencies.
        return new Run(sum, sum, committed);
    }

    /** On core 0: keeps {@value #IN_FLIGHT} agreements in flight until {@value #AGREEMENTS} have completed. */
    private static CompletableFuture<Run> pipelined(final Monitor core0, final AgreementOperation agreement)
    {
        final CompletableFuture<Run> done = new CompletableFuture<>();
        final long first = core0.now();
        Timeline.beginPhase(core0.core(), "2pc pipelined");
        final long[] tally = new long[3]; // started, completed, latency sum
        final int[] committed = new int[1];
        final Runnable[] next = new Runnable[1];
        next[0] = () -> agreement.start(core0, tally[0]++).thenAccept(r ->
        {
            // Runs on core 0, inside the handler that completed the agreement.
            tally[1]++;
            tally[2] += r.latencyCycles();
            committed[0] += r.committed() ? 1 : 0;
            if (tally[0] < AGREEMENTS)
            {
                next[0].run();
            }
            else if (tally[1] == AGREEMENTS)
            {
                Timeline.endPhase(core0.core(), "2pc pipelined");
                done.complete(new Run(core0.now() - first, tally[2], committed[0]));
            }
        });
        for (int i = 0; i < IN_FLIGHT && i < AGREEMENTS; i++)
        {
            next[0].run();
        }
        return done;
    }
}
