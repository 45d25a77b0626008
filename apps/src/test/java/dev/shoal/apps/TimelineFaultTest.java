package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.Timeline;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;

/** Faults and a workload's phases on the timeline, injected as the harness does: from a core, on the exact engine. */
class TimelineFaultTest
{
    /** Boots 8 cores of amd-8x4, marks a phase, injects three faults from core 0, runs a shootdown; the file. */
    private static String run(final int threads) throws Exception
    {
        final StringWriter file = new StringWriter();
        final Timeline timeline = new Timeline(file, 0, Integer.MAX_VALUE, 0, Long.MAX_VALUE);
        final DeterministicScheduler engine = new DeterministicScheduler(1, new TraceRecorder(null)).threads(threads)
            .timeline(timeline);
        final ShootdownOperation shootdown = new ShootdownOperation((m, asid, vaddr, bytes) -> m.core().tlb().invalidate(asid, vaddr, bytes), 100_000);
        final MonitorConfig config = MonitorConfig.builder(Skb.open("amd-8x4")).cores(8).operation(shootdown)
            .runners(engine).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60)))
        {
            system.onCore(0, m ->
            {
                Timeline.beginPhase(m.core(), "faults");
                system.machine().core(5).halt();
                system.peekMonitor(2).restart();
                system.peekMonitor(0).delayFrom(1, 700);
                Timeline.endPhase(m.core(), "faults");
                return null;
            }).get(60, TimeUnit.SECONDS);
            shootdown.startFromCoreZero(system, ShootdownStrategy.UNICAST, 1, 0x1000, 4096).get(60, TimeUnit.SECONDS);
        }
        timeline.close();
        assertEquals(0, timeline.lateEvents(), "every event recorded before its instant was written");
        return file.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> events(final String json)
    {
        return (List<Map<String, Object>>)((Map<String, Object>)TimelineJson.parse(json)).get("traceEvents");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldShowFaultsAsInstantsOnTheirCoresAndPhasesAsSlices() throws Exception
    {
        final List<Map<String, Object>> events = events(run(2));
        final List<String> instants = new ArrayList<>();
        final List<String> phases = new ArrayList<>();
        for (final Map<String, Object> e : events)
        {
            switch ((String)e.get("ph"))
            {
                case "i" -> instants.add(e.get("name") + "@" + e.get("tid"));
                case "B", "E" -> phases.add(e.get("ph") + " " + e.get("name") + "@" + e.get("tid"));
                default ->
                {
                }
            }
            if ("delay".equals(e.get("name")))
            {
                final Map<String, Object> args = (Map<String, Object>)e.get("args");
                assertEquals(1L, args.get("from"));
                assertEquals(700L, args.get("cycles"));
            }
        }
        assertEquals(List.of("halt@5", "restart@2", "delay@0"), instants);
        assertTrue(events.stream().anyMatch(e -> "X".equals(e.get("ph")) && "timer".equals(e.get("name")) &&
            ((Number)e.get("tid")).longValue() == 0), "the shootdown's timeout fires on core 0: a timer slice");
        final int phaseTrack = 1 << 20;
        assertTrue(phases.containsAll(List.of("B faults@" + phaseTrack, "E faults@" + phaseTrack)), phases.toString());
        assertTrue(phases.contains("B shootdown unicast@" + phaseTrack), "ShootdownOperation marks its round");
        assertTrue(phases.contains("E shootdown unicast@" + phaseTrack),
            "the round ends (timed out: core 5 is halted): " + phases);
    }

    @Test
    void shouldWriteTheSameFileWithFaultsWhateverTheThreads() throws Exception
    {
        assertEquals(run(1), run(2));
    }
}
