package dev.shoal.harness.bench;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.shoal.apps.UrpcPingPong;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * Host round-trip time of a one-message ping-pong between two threads: Shoal's URPC between the monitors of two
 * simulated cores, against a raw JCTools {@link SpscArrayQueue} pair as the floor. Both methods do
 * {@value #ROUND_TRIPS} round trips per invocation, so the score is nanoseconds per round trip. Run by
 * {@code bench/pingpong}, which reports the ratio {@code shoalUrpc / spscQueue} (the aim is at most 1.5).
 *
 * <pre>
 * spscQueue: the benchmark thread is one end.
 *
 *   JMH benchmark thread                         spsc-echo thread (busy-spins, Thread.onSpinWait)
 *   offer(n) ──── ping: SpscArrayQueue&lt;Long&gt; ────▶ poll
 *   poll ◀─────── pong: SpscArrayQueue&lt;Long&gt; ───── offer(n)            × ROUND_TRIPS
 *
 * shoalUrpc: both ends are core carriers (amd-8x4 cores 0 and 1, one package); the benchmark thread only starts
 * the batch and waits for it.
 *
 *   JMH benchmark thread      core-0 carrier (monitor 0)               core-1 carrier (monitor 1)
 *   run(0, 1, N) ── MPSC inbox + unpark ──▶ onCore task
 *                             Ping(n) ──── UMP ring (64-byte slots) ────▶ handler
 *                             handler ◀─── UMP ring ─────────────────── Pong(n)        × ROUND_TRIPS
 *   get() ◀── future.complete + unpark ──── last Pong
 * </pre>
 *
 * <p>The comparison is not quite symmetric, and in Shoal's disfavour: per batch Shoal pays one extra hand-off to a
 * core (the {@code onCore} submission, which may have to unpark a carrier that idled into {@code park}) and one
 * extra wake-up of the parked benchmark thread when the future completes. Those cost microseconds once per batch,
 * amortised over {@value #ROUND_TRIPS} round trips. Within a batch, as in the baseline, two threads on two host
 * CPUs poll memory the other one writes; but a carrier whose reply is slow to come stops spinning after
 * a number of duty cycles ({@code CoreRunner.spins}: some 40 µs when each carrier has a CPU) and yields, then parks,
 * while the echo thread always spins. Each message
 * carries a long that changes every round (the baseline boxes it, Shoal encodes it into an 8-byte payload), and
 * the echo end answers with the value it received.
 *
 * <p>Each method has its own {@link State}, so a fork of one never has the other's threads running.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(PingPongBenchmark.ROUND_TRIPS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class PingPongBenchmark
{
    /** Round trips per benchmark invocation (a Shoal batch). */
    static final int ROUND_TRIPS = 10_000;

    /** The raw baseline: two SPSC queues and an echo thread that busy-spins on the first. */
    @State(Scope.Benchmark)
    public static class SpscPair
    {
        /** Written by the benchmark thread, read by the echo thread. */
        final SpscArrayQueue<Long> ping = new SpscArrayQueue<>(MonitorConfig.DEFAULT_CHANNEL_SLOTS);
        /** Written by the echo thread, read by the benchmark thread. */
        final SpscArrayQueue<Long> pong = new SpscArrayQueue<>(MonitorConfig.DEFAULT_CHANNEL_SLOTS);
        private volatile boolean running;
        private Thread echo;

        @Setup(Level.Trial)
        public void start()
        {
            running = true;
            echo = Thread.ofPlatform().name("spsc-echo").daemon(true).start(this::echo);
        }

        private void echo()
        {
            while (running)
            {
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
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException
        {
            running = false;
            echo.join();
        }
    }

    /** A booted two-core machine whose protocol includes {@link UrpcPingPong}. */
    @State(Scope.Benchmark)
    public static class TwoCores
    {
        MonitorSystem system;

        @Setup(Level.Trial)
        public void boot() throws ExecutionException, InterruptedException
        {
            final MonitorConfig config = MonitorConfig.builder(Skb.open("amd-8x4"))
                .cores(2)
                .operation(new UrpcPingPong())
                .build();
            system = MonitorSystem.boot(config, Duration.ofSeconds(60));
            // Opens the direct channel 0 <-> 1 now, so that no measured batch pays for it.
            UrpcPingPong.run(system, 0, 1, 1).get();
        }

        @TearDown(Level.Trial)
        public void shutDown()
        {
            system.close();
        }
    }

    /** {@value #ROUND_TRIPS} round trips between the benchmark thread and the echo thread. */
    @Benchmark
    public long spscQueue(final SpscPair pair)
    {
        final SpscArrayQueue<Long> ping = pair.ping;
        final SpscArrayQueue<Long> pong = pair.pong;
        long sum = 0;
        for (long n = ROUND_TRIPS; n > 0; n--)
        {
            final Long sent = n;
            while (!ping.offer(sent))
            {
                Thread.onSpinWait();
            }
            Long reply;
            while ((reply = pong.poll()) == null)
            {
                Thread.onSpinWait();
            }
            sum += reply;
        }
        return sum;
    }

    /** {@value #ROUND_TRIPS} URPC round trips from core 0's monitor to core 1's and back, one batch. */
    @Benchmark
    public UrpcPingPong.Batch shoalUrpc(final TwoCores machine) throws ExecutionException, InterruptedException
    {
        return UrpcPingPong.run(machine.system, 0, 1, ROUND_TRIPS).get();
    }
}
