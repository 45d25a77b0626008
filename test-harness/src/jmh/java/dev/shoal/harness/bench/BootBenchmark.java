package dev.shoal.harness.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * Host wall time to boot a machine of N cores: from power-on (core 0's monitor starts) until core 0 has heard that
 * every monitor is up, as {@code shoal boot} reports {@code bootWallMillis}. One boot per measurement
 * (SingleShotTime); the SKB is opened and its topology computed before the clock starts, and the machine is shut
 * down after it stops.
 *
 * <p>N is 16, 64, 256, 1024 and 4096 on square-ish {@code numa:PxC} machines ({@link #machineFor}). Deterministic
 * mode (the exact engine, host CPUs as threads, seed 1, trace hashed but not written) is the fast path on a small host;
 * live mode (a carrier thread per core) is measured too.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class BootBenchmark
{
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(300);

    /** The machine booted for {@code cores} cores: numa:PxC with P*C = cores, as square as a power of two allows. */
    static String machineFor(final int cores)
    {
        if (cores < 2 || Integer.bitCount(cores) != 1)
        {
            throw new IllegalArgumentException("boot benchmarks use a power of two of at least 2 cores, not " + cores);
        }
        final int packages = 1 << (Integer.numberOfTrailingZeros(cores) / 2);
        return "numa:" + packages + "x" + cores / packages;
    }

    /** The runner factory of {@code mode}: live (a carrier per core) or deterministic (seed 1). */
    static RunnerFactory runnersFor(final String mode)
    {
        return switch (mode)
        {
            case "live" -> CoreRunner::newCarrier;
            case "deterministic" -> new DeterministicScheduler(1, new TraceRecorder(null));
            default -> throw new IllegalArgumentException("mode must be live or deterministic, not " + mode);
        };
    }

    /** A configuration ready to boot, its SKB already opened and queried. */
    @State(Scope.Thread)
    public static class Machine
    {
        @Param({"16", "64", "256", "1024", "4096"})
        public int cores;

        @Param({"deterministic", "live"})
        public String mode;

        MonitorConfig config;
        MonitorSystem system;

        @Setup(Level.Invocation)
        public void configure()
        {
            final Skb skb = Skb.open(machineFor(cores));
            skb.topology();
            config = MonitorConfig.builder(skb).cores(cores).runners(runnersFor(mode)).build();
        }

        @TearDown(Level.Invocation)
        public void shutDown()
        {
            if (system != null)
            {
                system.close();
                system = null;
            }
        }
    }

    /** Boots {@code cores} cores and waits until core 0 has seen all of them up. */
    @Benchmark
    public MonitorSystem.BootReport boot(final Machine machine)
    {
        machine.system = MonitorSystem.start(machine.config);
        return machine.system.awaitBoot(BOOT_TIMEOUT);
    }
}
