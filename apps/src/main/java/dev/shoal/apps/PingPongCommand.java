package dev.shoal.apps;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal run pingpong}: URPC round trips between two cores' monitors ({@link UrpcPingPong}).
 *
 * <p>Simulated cycles come from core A's clock. Host time is measured here, on the host thread, per batch of
 * {@code --batch} round trips (the cores may not read the host clock); the median and p99 reported are of the
 * per-round-trip time of each batch.
 */
@Command(name = "pingpong", mixinStandardHelpOptions = true,
    description = "URPC round trips between two cores: simulated cycles and host nanoseconds.")
final class PingPongCommand implements Callable<Integer>
{
    /**
     * Most round trips per batch: a batch must finish within its 60 s timeout, and a deterministic round trip takes
     * about 250 ns of host time (a live one a few microseconds), so a million takes seconds, not a minute.
     */
    static final int MAX_BATCH = 1_000_000;
    /** Most batches: enough for a stable p99. */
    static final int MAX_BATCHES = 10_000;
    /** Most round trips in all (about half a minute deterministic): more is a typo, not a measurement. */
    static final long MAX_ROUND_TRIPS = 100_000_000L;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--machine", defaultValue = "amd-8x4", description = "Machine (default ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--from", defaultValue = "0", description = "Core that sends the pings.")
    int from;

    @Option(names = "--to", defaultValue = "1", description = "Core that answers.")
    int to;

    @Option(names = "--batches", defaultValue = "50", description = "Measured batches.")
    int batches;

    @Option(names = "--batch", defaultValue = "2000", description = "Round trips per batch.")
    int batch;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--cores", description = "Cores to boot (default: enough for --from and --to); the others " +
        "stay idle, to show what idle cores cost the host.")
    Integer cores;

    @CommandLine.Mixin
    ModeOptions mode;

    @Override
    public Integer call() throws Exception
    {
        mode.defaultTo("deterministic");
        if (from < 0 || to < 0)
        {
            throw new BadInputException("--from and --to must be core numbers >= 0");
        }
        if (from == to)
        {
            throw new BadInputException("--from and --to must differ: both are " + from);
        }
        if (batches < 1 || batch < 1)
        {
            throw new BadInputException("--batches and --batch must be at least 1");
        }
        if (batch > MAX_BATCH || batches > MAX_BATCHES || (long)batch * batches > MAX_ROUND_TRIPS)
        {
            throw new BadInputException("--batch must be at most " + MAX_BATCH + ", --batches at most " +
                MAX_BATCHES + " and --batch x --batches at most " + MAX_ROUND_TRIPS + ": " + batch + " x " + batches);
        }
        final Skb skb = Skb.open(machine);
        final int endpoints = Math.max(from, to) + 1;
        if (endpoints > skb.coreCount())
        {
            throw new BadInputException("core " + (endpoints - 1) + " does not exist on " + skb.machineName() +
                " (" + skb.coreCount() + " cores)");
        }
        if (cores != null && (cores < endpoints || cores > skb.coreCount()))
        {
            throw new BadInputException("--cores must be " + endpoints + ".." + skb.coreCount() + " to hold cores " +
                from + " and " + to + " on " + skb.machineName() + ": " + cores);
        }
        final int needed = cores != null ? cores : endpoints;
        final long latency = skb.latency(from, to);
        final MonitorConfig config = MonitorConfig.builder(skb).cores(needed).operation(new UrpcPingPong())
            .runners(mode.runners(spec.commandLine().getParseResult().originalArgs())).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            // Warm up the JIT and the channel before measuring.
            for (int i = 0; i < Math.max(5, batches / 5); i++)
            {
                UrpcPingPong.run(system, from, to, batch).get(60, TimeUnit.SECONDS);
            }
            final double[] nanosPerRoundTrip = new double[batches];
            long cycles = 0;
            long rounds = 0;
            final long measureStart = System.nanoTime();
            for (int i = 0; i < batches; i++)
            {
                final long start = System.nanoTime();
                final UrpcPingPong.Batch b = UrpcPingPong.run(system, from, to, batch).get(60, TimeUnit.SECONDS);
                nanosPerRoundTrip[i] = (System.nanoTime() - start) / (double)batch;
                cycles += b.cycles();
                rounds += b.rounds();
            }
            final double hostSeconds = (System.nanoTime() - measureStart) / 1e9;
            Arrays.sort(nanosPerRoundTrip);
            final double median = nanosPerRoundTrip[batches / 2];
            final double p99 = nanosPerRoundTrip[Math.min(batches - 1, (int)Math.ceil(batches * 0.99) - 1)];
            final double roundTripCycles = cycles / (double)rounds;
            final var out = spec.commandLine().getOut();
            if (json)
            {
                out.println(new Json()
                    .put("status", "ok")
                    .put("machine", skb.machineName())
                    .put("from", from)
                    .put("to", to)
                    .put("linkLatencyCycles", latency)
                    .put("roundTripCycles", round1(roundTripCycles))
                    .put("oneWayCycles", round1(roundTripCycles / 2))
                    .put("roundTrips", rounds)
                    .put("hostRoundTripNanosMedian", round1(median))
                    .put("hostRoundTripNanosP99", round1(p99))
                    .put("messagesPerHostSecond", Math.round(2 * rounds / hostSeconds))
                    .put("bootedCores", needed)
                    .put("mode", mode.mode())
                    .put("engine", mode.engine())
                    .put("threads", mode.deterministic() ? mode.threads() : null)
                    .put("traceHash", mode.traceHash()));
            }
            else
            {
                out.printf("pingpong on %s, core %d <-> core %d (SKB link latency %d cycles)%n",
                    skb.machineName(), from, to, latency);
                out.printf("simulated: %.1f cycles round trip, %.1f cycles one way (%d round trips)%n",
                    roundTripCycles, roundTripCycles / 2, rounds);
                out.printf("host: %.1f ns round trip median, %.1f ns p99 (per round trip, over %d batches of %d); " +
                    "%.0f simulated messages per host second (%s mode, %d cores booted)%n", median, p99, batches,
                    batch, 2 * rounds / hostSeconds, mode.mode(), needed);
            }
        }
        mode.finish();
        return 0;
    }

    private static double round1(final double v)
    {
        return Math.round(v * 10) / 10.0;
    }
}
