package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

class DeterministicModeTest
{
    /** Boots, runs the neighbour exchange, shuts down; returns the trace hash. */
    static String run(final String machine, final int cores, final long seed)
    {
        return run(machine, cores, seed, 0);
    }

    static String run(final String machine, final int cores, final long seed, final long jitter)
    {
        final TraceRecorder trace = new TraceRecorder(null);
        final MonitorConfig config = MonitorConfig.builder(Skb.open(machine)).cores(cores)
            .runners(new DeterministicScheduler(seed, trace).jitter(jitter)).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            system.exchangeWithNeighbours(Duration.ofSeconds(60));
        }
        assertTrue(trace.events() > 0);
        return trace.hash();
    }

    @Test
    void shouldGiveTheSameTraceHashForTheSameSeed()
    {
        for (final int cores : new int[] {1, 8, 64})
        {
            final String first = run("numa:8x8", cores, 7);
            for (int i = 0; i < 3; i++)
            {
                assertEquals(first, run("numa:8x8", cores, 7), "run " + i + " on " + cores + " cores");
            }
        }
    }

    @Test
    void shouldInterleaveDifferentlyUnderDifferentSeedsWithJitter()
    {
        final Set<String> hashes = new HashSet<>();
        for (long seed = 1; seed <= 50; seed++)
        {
            hashes.add(run("numa:2x8", 16, seed, 200));
        }
        // Print the count so the report shows how varied the schedules are.
        System.out.println("distinct trace hashes over 50 seeds on 16 cores: " + hashes.size());
        assertTrue(hashes.size() >= 40, "distinct hashes: " + hashes.size());
        assertNotEquals(run("numa:2x8", 16, 1, 200), run("numa:2x8", 16, 2, 200));
    }

    @Test
    void shouldGiveOneScheduleForEverySeedWithoutJitter()
    {
        final String first = run("numa:2x8", 16, 1);
        for (long seed = 2; seed <= 5; seed++)
        {
            assertEquals(first, run("numa:2x8", 16, seed), "seed " + seed);
        }
    }
}
