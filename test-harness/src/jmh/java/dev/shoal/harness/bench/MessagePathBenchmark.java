package dev.shoal.harness.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

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
import dev.shoal.kernel.Core;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * The software part of live mode's message path, without the host's cache-line transfers: the same URPC
 * ping-pong as {@link PingPongBenchmark#shoalUrpc}, but both cores are stepped by one host thread, one duty cycle
 * each in turn, so a round trip is two duty cycles that each receive, decode, dispatch, encode and send one
 * message. The score (ns per round trip) is what Shoal adds to the two line transfers per hop that the raw SPSC
 * floor pays as well; it is far less sensitive to a busy host than the two-thread figure, which makes it the one to
 * compare changes of the message path by.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(MessagePathBenchmark.ROUND_TRIPS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class MessagePathBenchmark
{
    static final int ROUND_TRIPS = 10_000;

    /** Two cores of amd-8x4 whose duty cycles one host thread runs in turn. */
    @State(Scope.Benchmark)
    public static class OneStepper
    {
        MonitorSystem system;
        private final List<Core> cores = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;
        private Thread stepper;

        @Setup(Level.Trial)
        public void boot() throws ExecutionException, InterruptedException
        {
            stepper = Thread.ofPlatform().name("stepper").daemon(true).unstarted(this::step);
            final RunnerFactory oneThread = core ->
            {
                cores.add(core);
                return stepper;
            };
            final MonitorConfig config = MonitorConfig.builder(Skb.open("amd-8x4"))
                .cores(2)
                .operation(new UrpcPingPong())
                .runners(oneThread)
                .build();
            system = MonitorSystem.boot(config, Duration.ofSeconds(60));
            UrpcPingPong.run(system, 0, 1, 1).get();
        }

        private void step()
        {
            while (running)
            {
                for (final Core core : cores)
                {
                    core.driver().doWork();
                }
            }
        }

        @TearDown(Level.Trial)
        public void shutDown() throws InterruptedException
        {
            running = false;
            stepper.join();
            system.close();
        }
    }

    /**
     * A booted two-core machine whose stepper has stopped after boot: the benchmark thread then acts as core 1's
     * carrier (the stepper's end happens-before it), which has nothing to do.
     */
    @State(Scope.Benchmark)
    public static class IdleCore
    {
        final OneStepper machine = new OneStepper();
        Core core;

        @Setup(Level.Trial)
        public void boot() throws ExecutionException, InterruptedException
        {
            machine.boot();
            machine.running = false;
            machine.stepper.join();
            core = machine.cores.get(1);
        }

        @TearDown(Level.Trial)
        public void shutDown() throws InterruptedException
        {
            machine.system.close();
        }
    }

    /**
     * One duty cycle of an idle core with one channel (what a carrier spins on while it waits for a message, two
     * of them per pause: it sets how often a spinning carrier polls, and with it how long a message waits, on
     * average, to be noticed on each hop of a live ping-pong).
     */
    @Benchmark
    @OperationsPerInvocation(1)
    public int idleDutyCycle(final IdleCore idle)
    {
        return idle.core.driver().doWork();
    }

    /** {@value #ROUND_TRIPS} URPC round trips from core 0's monitor to core 1's and back, stepped by one thread. */
    @Benchmark
    public UrpcPingPong.Batch oneThread(final OneStepper machine) throws ExecutionException, InterruptedException
    {
        return UrpcPingPong.run(machine.system, 0, 1, ROUND_TRIPS).get();
    }
}
