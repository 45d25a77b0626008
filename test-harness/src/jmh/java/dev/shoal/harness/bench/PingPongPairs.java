package dev.shoal.harness.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.SpscArrayQueue;

import dev.shoal.apps.UrpcPingPong;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * The ping-pong ratio of {@link PingPongBenchmark}, measured in pairs: one Shoal batch and one SPSC batch right after
 * each other, {@code --pairs} times, so that both halves of a pair see the same host. The JMH run measures the two
 * in separate forks seconds apart, and a virtual machine that changes speed for tens of seconds at a time (this
 * project's build host does: its SPSC round trip is either ~130 or ~700 ns) can put them in different states; a
 * pair's ratio cannot straddle such a change unless it happens within the pair.
 *
 * <p>Shoal: {@link UrpcPingPong} between the monitors of cores 0 and 1 of {@code amd-8x4}, live mode, as in the JMH
 * benchmark. SPSC: the calling thread and an echo thread on two JCTools {@code SpscArrayQueue}s; the echo thread
 * parks while Shoal's batch runs, and Shoal's carriers have nothing to do while SPSC's runs. A plain program, run
 * by {@code bench/pingpong}; host time is measured here, outside the cores.
 *
 * <pre>
 *   java -cp ... dev.shoal.harness.bench.PingPongPairs [--pairs 400] [--batch 10000] [--warmup 200]
 * </pre>
 *
 * <p>Prints one Markdown table row per statistic: the median of the Shoal and of the SPSC batch (ns per round
 * trip), and the median, lowest and highest ratio of a pair. Bad arguments: one line, exit 2.
 */
public final class PingPongPairs
{
    private PingPongPairs()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int pairs = 400;
        int batch = 10_000;
        int warmup = 200;
        for (int i = 0; i < args.length; i++)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--pairs" -> pairs = positive("--pairs", value);
                case "--batch" -> batch = positive("--batch", value);
                case "--warmup" -> warmup = positive("--warmup", value);
                default -> fail("unknown option " + args[i] + " (use --pairs, --batch, --warmup)");
            }
            i++;
        }
        final MonitorSystem system = MonitorSystem.boot(
            MonitorConfig.builder(Skb.open("amd-8x4")).cores(2).operation(new UrpcPingPong()).build(),
            Duration.ofSeconds(60));
        final Spsc spsc = new Spsc();
        try
        {
            UrpcPingPong.run(system, 0, 1, 1).get(60, TimeUnit.SECONDS);
            final double[] shoal = new double[pairs];
            final double[] raw = new double[pairs];
            final double[] ratio = new double[pairs];
            for (int p = -warmup; p < pairs; p++)
            {
                final double s = shoalBatch(system, batch);
                final double r = spsc.batch(batch);
                if (p >= 0)
                {
                    shoal[p] = s;
                    raw[p] = r;
                    ratio[p] = s / r;
                }
            }
            System.out.printf("| pairs | %d batches of %,d round trips each |%n", pairs, batch);
            System.out.printf("| shoalUrpc, median of batches | %.1f ns |%n", median(shoal));
            System.out.printf("| spscQueue, median of batches | %.1f ns |%n", median(raw));
            Arrays.sort(ratio);
            System.out.printf("| ratio of a pair: median (lowest – highest) | %.2f (%.2f – %.2f) |%n",
                median(ratio), ratio[0], ratio[pairs - 1]);
        }
        finally
        {
            spsc.stop();
            system.close();
        }
    }

    private static double shoalBatch(final MonitorSystem system, final int batch) throws Exception
    {
        final long start = System.nanoTime();
        UrpcPingPong.run(system, 0, 1, batch).get(60, TimeUnit.SECONDS);
        return (System.nanoTime() - start) / (double)batch;
    }

    /** The raw baseline: the caller and an echo thread that spins while a batch runs and parks between batches. */
    private static final class Spsc
    {
        private final SpscArrayQueue<Long> ping = new SpscArrayQueue<>(MonitorConfig.DEFAULT_CHANNEL_SLOTS);
        private final SpscArrayQueue<Long> pong = new SpscArrayQueue<>(MonitorConfig.DEFAULT_CHANNEL_SLOTS);
        private volatile int remaining;
        private volatile boolean running = true;
        private final Thread echo = Thread.ofPlatform().name("spsc-echo").daemon(true).start(this::echo);

        private void echo()
        {
            while (running)
            {
                if (remaining == 0)
                {
                    LockSupport.park(this);
                    continue;
                }
                final Long n = ping.poll();
                if (n == null)
                {
                    Thread.onSpinWait();
                    continue;
                }
                while (!pong.offer(n))
                {
                    Thread.onSpinWait();
                }
                remaining--;
            }
        }

        double batch(final int rounds)
        {
            remaining = rounds;
            LockSupport.unpark(echo);
            final long start = System.nanoTime();
            for (long n = rounds; n > 0; n--)
            {
                final Long sent = n;
                while (!ping.offer(sent))
                {
                    Thread.onSpinWait();
                }
                while (pong.poll() == null)
                {
                    Thread.onSpinWait();
                }
            }
            return (System.nanoTime() - start) / (double)rounds;
        }

        void stop() throws InterruptedException
        {
            running = false;
            LockSupport.unpark(echo);
            echo.join();
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int positive(final String option, final String value)
    {
        try
        {
            final int n = Integer.parseInt(value);
            if (n > 0)
            {
                return n;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        fail(option + " needs a positive whole number, not " + value);
        return 0;
    }

    private static void fail(final String problem)
    {
        System.err.println("pingpong-pairs: " + problem);
        System.exit(2);
    }
}
