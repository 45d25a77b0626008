package dev.shoal.harness.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.AgreementOperation;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;

/**
 * What a second host thread buys the exact engine on wide fan-outs: one machine per thread count, booted once;
 * each operation (one agreement, one shootdown per strategy) is run {@code --warmup} times unmeasured and then
 * {@code --ops} times measured, and the host rate is reported, with the operation's cycle figure (which must be the
 * same for every thread count). Thread counts alternate over {@code --rounds}, so a slow spell of the host hits
 * both. A plain program run by {@code bench/engine}; host time is measured here, outside the cores.
 *
 * <pre>
 *   java -cp ... dev.shoal.harness.bench.EngineSpeedup [--machine numa:64x64] [--cores 4096] [--threads 1,2]
 *       [--warmup 10] [--ops 30] [--rounds 2]
 * </pre>
 *
 * <p>Prints a Markdown table: operation, cycles, operations per host second for each thread count (best round),
 * and the speed-up of the last thread count over the first. Bad arguments: one line, exit 2.
 */
public final class EngineSpeedup
{
    private EngineSpeedup()
    {
    }

    /** One measured operation on a booted machine: returns its latency in simulated cycles. */
    @FunctionalInterface
    private interface Operation
    {
        long run(MonitorSystem system) throws Exception;
    }

    public static void main(final String[] args) throws Exception
    {
        String machine = "numa:64x64";
        int cores = 4096;
        int[] threads = {1, 2};
        int warmup = 10;
        int ops = 30;
        int rounds = 2;
        try
        {
            for (int i = 0; i < args.length; i += 2)
            {
                final String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null)
                {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i])
                {
                    case "--machine" -> machine = value;
                    case "--cores" -> cores = Integer.parseInt(value);
                    case "--threads" -> threads = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--ops" -> ops = Integer.parseInt(value);
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (cores < 2 || warmup < 0 || ops < 1 || rounds < 1 || threads.length == 0)
            {
                throw new IllegalArgumentException("--cores >= 2, --warmup >= 0, --ops, --rounds and --threads >= 1");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("EngineSpeedup: " + ex.getMessage());
            System.exit(2);
            return;
        }
        final AgreementOperation agreement = new AgreementOperation();
        final ShootdownOperation shootdown = new ShootdownOperation();
        final Map<String, Operation> operations = new LinkedHashMap<>();
        operations.put("2pc (one agreement)", s -> agreement.startFromCoreZero(s, 1).get(120, TimeUnit.SECONDS)
            .latencyCycles());
        for (final ShootdownStrategy strategy : ShootdownStrategy.values())
        {
            operations.put("unmap " + strategy.cliName(), s -> shootdown.startFromCoreZero(s, strategy, 1,
                0x4000_0000L, 4096).get(120, TimeUnit.SECONDS).latencyCycles());
        }
        final Map<String, long[]> cycles = new LinkedHashMap<>();
        final Map<String, double[]> best = new LinkedHashMap<>();
        for (final String k : operations.keySet())
        {
            cycles.put(k, new long[threads.length]);
            best.put(k, new double[threads.length]);
        }
        final Skb skb = Skb.open(machine);
        for (int round = 0; round < rounds; round++)
        {
            for (int t = 0; t < threads.length; t++)
            {
                final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(agreement)
                    .operation(shootdown).runners(new DeterministicScheduler(1, new TraceRecorder(null))
                        .threads(threads[t])).build();
                try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(300)))
                {
                    for (final Map.Entry<String, Operation> op : operations.entrySet())
                    {
                        for (int i = 0; i < warmup; i++)
                        {
                            op.getValue().run(system);
                        }
                        long latency = 0;
                        final long start = System.nanoTime();
                        for (int i = 0; i < ops; i++)
                        {
                            latency = op.getValue().run(system);
                        }
                        final double perSecond = ops / ((System.nanoTime() - start) / 1e9);
                        cycles.get(op.getKey())[t] = latency;
                        best.get(op.getKey())[t] = Math.max(best.get(op.getKey())[t], perSecond);
                        System.err.printf("round %d, %d thread(s): %s %.1f/s, %d cycles%n", round + 1, threads[t],
                            op.getKey(), perSecond, latency);
                    }
                }
            }
        }
        final List<String> header = new ArrayList<>(List.of("operation", "cycles"));
        for (final int t : threads)
        {
            header.add("per host second, " + t + (t == 1 ? " thread" : " threads"));
        }
        header.add("speed-up");
        System.out.println("| " + String.join(" | ", header) + " |");
        System.out.println("|---|---:|" + "---:|".repeat(threads.length) + "---:|");
        for (final String op : operations.keySet())
        {
            final long[] c = cycles.get(op);
            final boolean same = Arrays.stream(c).allMatch(v -> v == c[0]);
            final StringBuilder row = new StringBuilder("| " + op + " | " +
                (same ? String.format("%,d", c[0]) : "DIFFER " + Arrays.toString(c)) + " |");
            final double[] b = best.get(op);
            for (final double v : b)
            {
                row.append(String.format(" %,.1f |", v));
            }
            row.append(String.format(" %.2fx |", b[b.length - 1] / b[0]));
            System.out.println(row);
        }
    }
}
