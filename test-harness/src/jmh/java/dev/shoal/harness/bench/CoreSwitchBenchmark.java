package dev.shoal.harness.bench;

import java.time.Duration;
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

import dev.shoal.kernel.Core;
import dev.shoal.kernel.CostModel;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.LmpChannel;
import dev.shoal.kernel.LmpEndpoint;
import dev.shoal.kernel.Machine;

/**
 * Host cost of switching between two dispatchers (virtual threads) on one simulated core, in live mode: an LMP
 * call (a synchronous handoff to the peer and back) and a plain yield to the other runnable dispatcher. Both run on
 * the core's one carrier thread; the benchmark thread only starts a batch and waits for it.
 *
 * <pre>
 * lmpCall:   core-0 carrier
 *            client dispatcher                         server dispatcher (lives for the whole trial)
 *            call(7 words) ── send: copy, handoff ────▶ receive
 *            receive ◀──────── send: copy, handoff ─── send(7 words)                 × SWITCHES / 2
 *
 * yield:     core-0 carrier
 *            dispatcher A: yieldCore() ──▶ dispatcher B: yieldCore() ──▶ A ──▶ ...     × SWITCHES
 * </pre>
 *
 * <p>The score is nanoseconds per switch: one LMP call is two handoffs (request and reply), so an LMP round trip
 * costs twice the {@code lmpHandoff} score. A batch spawns its dispatchers anew (the LMP server excepted) and the
 * host joins them, a few microseconds once per batch of {@value #SWITCHES} switches. The LMP messages carry 7
 * words (56 bytes, the UMP payload); the machine's LRPC cost is 1,000 simulated cycles, far below the time slice,
 * so no call yields for a spent slice.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(CoreSwitchBenchmark.SWITCHES)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class CoreSwitchBenchmark
{
    /** Dispatcher switches per invocation (even: LMP does two per call). */
    static final int SWITCHES = 20_000;
    /** Words per LMP message: 56 bytes. */
    static final int WORDS = 7;
    private static final long LRPC_CYCLES = 1_000;
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);

    /** A one-core live machine; for {@code lmpHandoff}, also an LMP channel with an echo server on it. */
    @State(Scope.Benchmark)
    public static class OneCore
    {
        Machine machine;
        Core core;
        LmpChannel channel;

        @Setup(Level.Trial)
        public void start()
        {
            machine = new Machine(1, CostModel.forLrpc(LRPC_CYCLES), (c, arg) -> { });
            core = machine.core(0);
            core.start(0);
            channel = LmpChannel.create(core);
            core.spawn("lmp-server", () ->
            {
                final LmpEndpoint server = channel.second();
                final long[] words = new long[LmpChannel.MAX_WORDS];
                while (true)
                {
                    final int n = server.receive(words);
                    server.send(words, n);
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop()
        {
            machine.close();
        }
    }

    /** {@value #SWITCHES} LMP handoffs: half as many calls to the echo server; returns the sum of the replies. */
    @Benchmark
    public long lmpHandoff(final OneCore machine) throws InterruptedException
    {
        final long[] sum = new long[1];
        final LmpEndpoint client = machine.channel.first();
        join(machine.core.spawn("lmp-client", () ->
        {
            final long[] request = new long[WORDS];
            final long[] reply = new long[LmpChannel.MAX_WORDS];
            long total = 0;
            for (int call = 1; call <= SWITCHES / 2; call++)
            {
                request[0] = call;
                request[WORDS - 1] = call;
                if (client.call(request, WORDS, reply) != WORDS || reply[0] != call || reply[WORDS - 1] != call)
                {
                    throw new IllegalStateException("LMP call " + call + " came back as " + reply[0]);
                }
                total += reply[0];
            }
            sum[0] = total;
        }));
        return sum[0];
    }

    /** {@value #SWITCHES} yields between two dispatchers; returns how many yields they made. */
    @Benchmark
    public long dispatcherYield(final OneCore machine) throws InterruptedException
    {
        final Runnable body = () ->
        {
            final Dispatcher self = Dispatcher.current();
            for (int i = 0; i < SWITCHES / 2; i++)
            {
                self.yieldCore();
            }
        };
        final Dispatcher a = machine.core.spawn("yield-a", body);
        final Dispatcher b = machine.core.spawn("yield-b", body);
        join(a);
        join(b);
        return a.yields() + b.yields();
    }

    private static void join(final Dispatcher dispatcher) throws InterruptedException
    {
        if (!dispatcher.join(JOIN_TIMEOUT))
        {
            throw new IllegalStateException(dispatcher + " did not finish within " + JOIN_TIMEOUT);
        }
        if (dispatcher.failure() != null)
        {
            throw new IllegalStateException(dispatcher + " failed", dispatcher.failure());
        }
    }
}
