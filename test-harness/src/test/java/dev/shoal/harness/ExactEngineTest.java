package dev.shoal.harness;

import dev.shoal.apps.examples.CoreCensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.AgreementOperation;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.Protocol;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;

/**
 * The exact engine's promises: cycle figures depend on the model alone (not the seed, without jitter, nor the
 * number of host threads), and every core handles its messages in arrival order.
 */
class ExactEngineTest
{
    private static final Duration BOOT = Duration.ofSeconds(60);

    /** What one run measured, and its trace hash. */
    private record Run(List<Long> cycles, String hash)
    {
    }

    /** Boots {@code cores} cores of {@code machine}, runs agreements, a census and a shootdown, and closes. */
    private static Run measure(final String machine, final int cores, final long seed, final int threads,
        final long jitter) throws Exception
    {
        final TraceRecorder trace = new TraceRecorder(null);
        final AgreementOperation agreement = new AgreementOperation();
        final ShootdownOperation shootdown = new ShootdownOperation();
        final MonitorConfig config = MonitorConfig.builder(Skb.open(machine)).cores(cores).operation(agreement)
            .operation(shootdown).operation(new CoreCensus())
            .runners(new DeterministicScheduler(seed, trace).threads(threads).jitter(jitter)).build();
        final List<Long> cycles = new ArrayList<>();
        try (MonitorSystem system = MonitorSystem.boot(config, BOOT))
        {
            cycles.add(system.awaitBoot(BOOT).bootCycles());
            for (int i = 0; i < 3; i++)
            {
                cycles.add(agreement.startFromCoreZero(system, i).get(60, TimeUnit.SECONDS).latencyCycles());
            }
            // Sixteen agreements in flight at once: contention at every core of the tree.
            final List<CompletableFuture<AgreementOperation.Result>> pipelined = system.onCore(0, m ->
            {
                final List<CompletableFuture<AgreementOperation.Result>> started = new ArrayList<>();
                for (long p = 100; p < 116; p++)
                {
                    started.add(agreement.start(m, p));
                }
                return started;
            }).get(60, TimeUnit.SECONDS);
            for (final CompletableFuture<AgreementOperation.Result> r : pipelined)
            {
                cycles.add(r.get(60, TimeUnit.SECONDS).latencyCycles());
            }
            cycles.add(CoreCensus.run(system).get(60, TimeUnit.SECONDS).latestCycle());
            for (final ShootdownStrategy s : ShootdownStrategy.values())
            {
                cycles.add(shootdown.startFromCoreZero(system, s, 1, 0x4000_0000L, 4096).get(60, TimeUnit.SECONDS)
                    .latencyCycles());
            }
        }
        return new Run(cycles, trace.hash());
    }

    @Test
    void shouldGiveTheSameCyclesForEverySeedWithoutJitter() throws Exception
    {
        final Run first = measure("amd-8x4", 32, 1, 1, 0);
        for (long seed = 2; seed <= 5; seed++)
        {
            assertEquals(first, measure("amd-8x4", 32, seed, 1, 0), "seed " + seed);
        }
    }

    @Test
    void shouldGiveTheSameCensusForEverySeed() throws Exception
    {
        final List<Long> latest = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++)
        {
            final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:8x8")).cores(64)
                .operation(new CoreCensus()).runners(new DeterministicScheduler(seed, new TraceRecorder(null))).build();
            try (MonitorSystem system = MonitorSystem.boot(config, BOOT))
            {
                latest.add(CoreCensus.run(system).get(60, TimeUnit.SECONDS).latestCycle());
            }
        }
        assertEquals(1, latest.stream().distinct().count(), "census per seed: " + latest);
    }

    @Test
    void shouldGiveOneHashAndTheSameCyclesForEveryThreadCountWhereSlotLinesQueueInTheInterconnect(
        @TempDir final Path dir) throws Exception
    {
        // amd-8x4 gives its links a bandwidth: the slot lines of every ring queue on the machine's links and
        // controllers, booked by whichever end of the channel is the ring's home, in the order the engine handles
        // events; the machine runs in one partition whatever the threads asked for, and gives the same figures.
        final String description;
        try (var in = Skb.class.getResourceAsStream("/dev/shoal/skb/machines/amd-8x4.pl"))
        {
            description = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final Path noPorts = Files.writeString(dir.resolve("amd-8x4-no-ports.pl"), description.lines()
            .filter(line -> !line.startsWith("link_bandwidth(")).collect(Collectors.joining("\n", "", "\n")));
        final Run one = measure("amd-8x4", 32, 7, 1, 0);
        assertNotEquals(measure(noPorts.toString(), 32, 7, 1, 0).cycles(), one.cycles(), "the ports are in play");
        assertEquals(one, measure("amd-8x4", 32, 3, 1, 0), "another seed");
        assertEquals(one, measure("amd-8x4", 32, 7, 2, 0), "2 threads");
        assertEquals(one, measure("amd-8x4", 32, 7, 4, 0), "4 threads");
        final Run jittered = measure("amd-8x4", 32, 7, 1, 300);
        assertEquals(jittered, measure("amd-8x4", 32, 7, 2, 300), "2 threads, jitter 300");
        assertEquals(jittered, measure("amd-8x4", 32, 7, 4, 300), "4 threads, jitter 300");
    }

    @Test
    void shouldGiveOneHashAndTheSameCyclesForOneTwoAndFourThreads() throws Exception
    {
        for (final long jitter : new long[] {0, 300})
        {
            final Run one = measure("numa:8x8", 64, 7, 1, jitter);
            assertEquals(one, measure("numa:8x8", 64, 7, 2, jitter), "2 threads, jitter " + jitter);
            assertEquals(one, measure("numa:8x8", 64, 7, 4, jitter), "4 threads, jitter " + jitter);
        }
    }

    @Test
    void shouldWriteTheSameTraceFileForOneAndTwoThreads() throws Exception
    {
        final List<String> files = new ArrayList<>();
        for (final int threads : new int[] {1, 2})
        {
            final java.io.StringWriter text = new java.io.StringWriter();
            final java.io.BufferedWriter out = new java.io.BufferedWriter(text);
            final AgreementOperation agreement = new AgreementOperation();
            final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:4x8")).cores(32).operation(agreement)
                .runners(new DeterministicScheduler(4, new TraceRecorder(out)).threads(threads).jitter(100)).build();
            try (MonitorSystem system = MonitorSystem.boot(config, BOOT))
            {
                agreement.startFromCoreZero(system, 1).get(60, TimeUnit.SECONDS);
            }
            out.flush();
            files.add(text.toString());
        }
        assertTrue(files.get(0).lines().count() > 300, "a trace was written: " + files.get(0).lines().count() + " lines");
        assertEquals(files.get(0), files.get(1));
        long previous = -1;
        for (final String line : files.get(0).lines().toList())
        {
            final long cycle = Long.parseLong(line.split(" ")[1]);
            assertTrue(cycle >= previous, "lines sorted by cycle: " + line);
            previous = cycle;
        }
    }

    @Test
    void shouldExploreDifferentScheduleWithJitterPerSeed() throws Exception
    {
        final Run a = measure("numa:4x4", 16, 1, 1, 300);
        final Run b = measure("numa:4x4", 16, 2, 1, 300);
        assertTrue(!a.hash().equals(b.hash()), "jitter drawn from the seed changes the run: " + a.hash());
        assertEquals(a, measure("numa:4x4", 16, 1, 2, 300), "the same seed repeats itself");
    }

    // ---------------------------------------------------------------- arrival order

    /**
     * A random gossip: every message makes its receiver compute for a while and pass a few messages on to cores
     * chosen from the message's own contents. Each core records the arrival of every message it handles.
     */
    static final class Gossip implements MonitorOperation
    {
        record Rumour(long key, int hops)
        {
        }

        static final class Seen
        {
            final List<Long> arrivals = new ArrayList<>();
            final List<Long> clocks = new ArrayList<>();
        }

        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Rumour.class, Gossip::onRumour);
        }

        private static void onRumour(final Monitor monitor, final int from, final Rumour rumour)
        {
            final Seen seen = monitor.local(Seen.class, Seen::new);
            seen.arrivals.add(monitor.arrivalCycle());
            seen.clocks.add(monitor.now());
            long k = rumour.key() * 0x9e3779b97f4a7c15L + monitor.coreId();
            monitor.core().clock().advance((k >>> 40) % 3_000);
            if (rumour.hops() == 0)
            {
                return;
            }
            for (int i = 0; i < 2; i++)
            {
                k = k * 6364136223846793005L + 1442695040888963407L;
                final int to = (int)((k >>> 33) % monitor.coreCount());
                monitor.send(to, new Rumour(k, rumour.hops() - 1));
            }
        }
    }

    @Test
    void shouldHandleEveryCoresMessagesInArrivalOrder() throws Exception
    {
        for (final int threads : new int[] {1, 2})
        {
            final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:4x8")).cores(32).operation(new Gossip())
                .runners(new DeterministicScheduler(3, new TraceRecorder(null)).threads(threads).jitter(500)).build();
            try (MonitorSystem system = MonitorSystem.boot(config, BOOT))
            {
                system.onCores(new int[] {0, 9, 17, 30}, (i, m) ->
                {
                    for (int n = 0; n < 4; n++)
                    {
                        m.send((m.coreId() + 5 * n + 1) % 32, new Gossip.Rumour(31L * i + n, 7));
                    }
                    return null;
                }).forEach(CompletableFuture::join);
                int handled = 0;
                for (int c = 0; c < 32; c++)
                {
                    final Gossip.Seen seen = system.onCore(c, m -> m.local(Gossip.Seen.class, Gossip.Seen::new))
                        .get(30, TimeUnit.SECONDS);
                    for (int i = 1; i < seen.arrivals.size(); i++)
                    {
                        assertTrue(seen.arrivals.get(i) >= seen.arrivals.get(i - 1), "core " + c + " handled a " +
                            "message that arrived at " + seen.arrivals.get(i) + " after one that arrived at " +
                            seen.arrivals.get(i - 1) + " (" + threads + " threads)");
                        assertTrue(seen.clocks.get(i) >= seen.clocks.get(i - 1), "core " + c + "'s clock ran back");
                    }
                    handled += seen.arrivals.size();
                }
                assertTrue(handled > 1_000, "the gossip spread: " + handled + " messages");
            }
        }
    }
}
