package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;

class ShootdownTest
{
    private static ShootdownOperation.Result shootdown(final String machine, final int cores,
        final ShootdownStrategy strategy, final Set<Integer> invalidated) throws Exception
    {
        final ShootdownOperation op = new ShootdownOperation((m, asid, vaddr, bytes) -> invalidated.add(m.coreId()));
        // On the exact engine: the figures are the model's alone (live mode's vary where acknowledgements contend).
        final MonitorConfig config = MonitorConfig.builder(Skb.open(machine)).cores(cores).operation(op)
            .runners(new DeterministicScheduler(1, new TraceRecorder(null))).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            final int[] all = IntStream.range(0, cores).toArray();
            return system.onCore(0, m -> op.start(m, strategy, 7, 0x1000, 4096, all))
                .get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(ShootdownStrategy.class)
    void shouldReachEveryCoreBeforeReturningWithEachStrategy(final ShootdownStrategy strategy) throws Exception
    {
        for (final int cores : new int[] {1, 2, 5, 16, 64})
        {
            final Set<Integer> invalidated = ConcurrentHashMap.newKeySet();
            final ShootdownOperation.Result result = shootdown("numa:8x8", cores, strategy, invalidated);
            assertEquals(cores, result.cores(), strategy + " on " + cores);
            assertEquals(cores, invalidated.size(), "every core dropped its entries before the shootdown returned");
        }
    }

    @ParameterizedTest
    @EnumSource(ShootdownStrategy.class)
    void shouldGiveTheSameLatencyOnEveryRun(final ShootdownStrategy strategy) throws Exception
    {
        final long first = shootdown("amd-8x4", 32, strategy, ConcurrentHashMap.newKeySet()).latencyCycles();
        for (int i = 0; i < 3; i++)
        {
            assertEquals(first, shootdown("amd-8x4", 32, strategy, ConcurrentHashMap.newKeySet()).latencyCycles());
        }
    }

    @Test
    void shouldShowTheShapeOfFigureSixOnTheEightByFourMachine() throws Exception
    {
        final long unicast = latency(32, ShootdownStrategy.UNICAST);
        final long broadcast = latency(32, ShootdownStrategy.BROADCAST);
        final long multicast = latency(32, ShootdownStrategy.MULTICAST);
        final long numa = latency(32, ShootdownStrategy.NUMA_MULTICAST);
        // The paper also has unicast no dearer than broadcast; the model has it the other way round at 32 cores
        // (unicast's 31 slot lines queue at core 0's ports, broadcast's one line has nothing to make it dearer):
        // validation.md says so, and this test does not ask for the paper's order there.
        assertTrue(numa < multicast && multicast < unicast && multicast < broadcast,
            "numa " + numa + " < multicast " + multicast + " < unicast " + unicast + ", broadcast " + broadcast);
        final long numaGrowth = numa - latency(2, ShootdownStrategy.NUMA_MULTICAST);
        final long unicastGrowth = unicast - latency(2, ShootdownStrategy.UNICAST);
        assertTrue(numaGrowth * 2 < unicastGrowth, "numa grows by " + numaGrowth + ", unicast by " + unicastGrowth);
    }

    @Test
    void shouldOverlapTheFetchesOfAcknowledgementsUpToTheMissBuffers(@TempDir final Path dir) throws Exception
    {
        // The same machine whose cores fetch one line at a time: the initiator and the leaders then wait for each
        // acknowledgement's line in turn instead of having several in flight.
        final String description;
        try (var in = Skb.class.getResourceAsStream("/dev/shoal/skb/machines/amd-8x4.pl"))
        {
            description = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final Path oneAtATime = Files.writeString(dir.resolve("amd-8x4-one-fetch.pl"),
            description + "\nmiss_buffers(1).\n");
        final long overlapped = latency(Skb.open("amd-8x4"), 32, ShootdownStrategy.NUMA_MULTICAST);
        final long serial = latency(Skb.open(oneAtATime.toString()), 32, ShootdownStrategy.NUMA_MULTICAST);
        assertTrue(overlapped < serial, "with 8 miss buffers " + overlapped + ", with 1 " + serial);
    }

    @Test
    void shouldQueueAUnicastsSlotLinesAtTheInitiatorsPorts(@TempDir final Path dir) throws Exception
    {
        // The same machine without link_bandwidth and dram_bandwidth: its links are pure delay and its memory
        // controllers have no occupancy. With them, the 31 requests that core 0 writes into the rings in its
        // memory, and the acknowledgements it fetches from them, pass the ports of its package and its node's
        // controller one at a time, and queue there (either alone queues them: both serve core 0's node).
        final Path noPorts = Files.writeString(dir.resolve("amd-8x4-no-ports.pl"), builtIn("amd-8x4").lines()
            .filter(line -> !line.startsWith("link_bandwidth(") && !line.startsWith("dram_bandwidth("))
            .collect(Collectors.joining("\n", "", "\n")));
        final long ports = latency(Skb.open("amd-8x4"), 32, ShootdownStrategy.UNICAST);
        final long pureDelay = latency(Skb.open(noPorts.toString()), 32, ShootdownStrategy.UNICAST);
        assertTrue(ports > pureDelay, "with the ports' bandwidth " + ports + ", without " + pureDelay);
        assertEquals(latency(Skb.open(noPorts.toString()), 2, ShootdownStrategy.UNICAST),
            latency(2, ShootdownStrategy.UNICAST), "at 2 cores nothing queues");
    }

    private static String builtIn(final String machine) throws Exception
    {
        try (var in = Skb.class.getResourceAsStream("/dev/shoal/skb/machines/" + machine + ".pl"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long latency(final int cores, final ShootdownStrategy s) throws Exception
    {
        return latency(Skb.open("amd-8x4"), cores, s);
    }

    /** The steady-state figure, as the paper's averages and `shoal run unmap` give it: a first round opens the channels. */
    private static long latency(final Skb skb, final int cores, final ShootdownStrategy s) throws Exception
    {
        final ShootdownOperation op = new ShootdownOperation();
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(op)
            .runners(new DeterministicScheduler(1, new TraceRecorder(null))).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            return op.steadyFromCoreZero(system, s, Duration.ofSeconds(30)).latencyCycles();
        }
    }

    @ParameterizedTest
    @EnumSource(ShootdownStrategy.class)
    void shouldTimeOutInsteadOfWaitingForAHaltedCore(final ShootdownStrategy strategy) throws Exception
    {
        final Set<Integer> invalidated = ConcurrentHashMap.newKeySet();
        final ShootdownOperation op = new ShootdownOperation(
            (m, asid, vaddr, bytes) -> invalidated.add(m.coreId()), 100_000);
        final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:4x8")).cores(32).operation(op)
            .runners(new DeterministicScheduler(11, new TraceRecorder(null))).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            final int[] all = IntStream.range(0, 32).toArray();
            final ShootdownOperation.Result healthy = system.onCore(0, m -> op.start(m, strategy, 7, 0x1000, 4096, all))
                .get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
            assertFalse(healthy.timedOut());
            assertTrue(healthy.latencyCycles() < 100_000, strategy + ": " + healthy.latencyCycles());
            system.machine().core(13).halt();
            invalidated.clear();
            final ShootdownOperation.Result r = system.onCore(0, m -> op.start(m, strategy, 7, 0x1000, 4096, all))
                .get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
            assertTrue(r.timedOut(), strategy.toString());
            assertTrue(r.cores() < 32, strategy + " counted " + r.cores() + " cores");
            assertTrue(r.cores() <= invalidated.size(), "it counts only cores that did invalidate");
            assertFalse(invalidated.contains(13));
            assertTrue(r.latencyCycles() >= 100_000, strategy + ": " + r.latencyCycles());
        }
    }
}
