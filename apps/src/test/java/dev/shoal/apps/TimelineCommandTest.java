package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.shoal.apps.ShoalCliTest.Run;

/** {@code --timeline}: the Chrome Trace Event file's structure, its determinism, its filter and its bad input. */
class TimelineCommandTest
{
    @TempDir
    Path dir;

    /** A 32-core NUMA-aware shootdown on amd-8x4 (8 packages of 4), with a timeline; returns its events. */
    private List<Map<String, Object>> unmap(final Path file, final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("run", "unmap", "--machine", "amd-8x4", "--cores", "32",
            "--strategy", "numa-multicast", "--timeline", file.toString()));
        args.addAll(List.of(extra));
        final Run run = ShoalCliTest.run(args.toArray(String[]::new));
        assertEquals(0, run.exit(), run.err());
        return events(file);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(final Path file)
    {
        final Map<String, Object> root = (Map<String, Object>)TimelineJson.parse(read(file));
        return (List<Map<String, Object>>)(List<?>)root.get("traceEvents");
    }

    static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long num(final Map<String, Object> event, final String key)
    {
        return ((Number)event.get(key)).longValue();
    }

    private static double ts(final Map<String, Object> event)
    {
        return ((Number)event.get("ts")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> args(final Map<String, Object> event)
    {
        return (Map<String, Object>)event.get("args");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldWriteValidJsonWithOneTrackPerCoreGroupedByPackageAndTheClockRate()
    {
        final Path file = dir.resolve("unmap.json");
        final List<Map<String, Object>> events = unmap(file);
        final Map<Long, String> threadNames = new HashMap<>();
        final Map<Long, Long> pidOfTid = new HashMap<>();
        for (final Map<String, Object> e : events)
        {
            if ("M".equals(e.get("ph")) && "thread_name".equals(e.get("name")) && num(e, "tid") < 1 << 20)
            {
                assertEquals(null, threadNames.put(num(e, "tid"), (String)args(e).get("name")), "one track per core");
                pidOfTid.put(num(e, "tid"), num(e, "pid"));
            }
        }
        assertEquals(32, threadNames.size());
        assertEquals("core 7 (package 1)", threadNames.get(7L));
        for (long core = 0; core < 32; core++)
        {
            assertEquals(core / 4, pidOfTid.get(core), "core " + core + " is in package " + core / 4);
        }
        final Map<String, Object> root = (Map<String, Object>)TimelineJson.parse(read(file));
        final Map<String, Object> other = (Map<String, Object>)root.get("otherData");
        assertEquals(2000L, other.get("clockMHz"), "amd-8x4 runs at 2.0 GHz");
        // Every slice's timestamp is its cycle at 2,000 cycles per microsecond.
        for (final Map<String, Object> e : events)
        {
            if ("X".equals(e.get("ph")))
            {
                assertEquals(num(args(e), "cycle") / 2000.0, ts(e), 0.0011);
            }
        }
    }

    @Test
    void shouldNameEveryMessageSliceByItsRecordTypeWithOperationSenderAndSize()
    {
        final List<Map<String, Object>> events = unmap(dir.resolve("names.json"));
        final Set<String> names = new TreeSet<>();
        int dispatches = 0;
        for (final Map<String, Object> e : events)
        {
            if (!"X".equals(e.get("ph")))
            {
                continue;
            }
            if ("dispatch".equals(e.get("name")))
            {
                dispatches++;
                continue;
            }
            assertEquals("message", e.get("cat"), e.toString());
            final String name = (String)e.get("name");
            assertTrue(name.matches("[A-Z][A-Za-z0-9]*"), "a record type's name: " + name);
            final Map<String, Object> args = args(e);
            assertTrue(((String)args.get("operation")).endsWith("Operation"), e.toString());
            assertTrue(num(args, "from") >= 0 && num(args, "from") < 32, e.toString());
            assertTrue(num(args, "bytes") >= 12, "at least the monitor's header: " + e);
            names.add(name);
        }
        assertTrue(names.containsAll(Set.of("Invalidate", "Acknowledge", "BootCore", "CoreReady")), names.toString());
        assertTrue(dispatches > 0, "dispatcher runs are slices too");
    }

    @Test
    void shouldDrawOneFlowPerMessageFromItsSendToTheSliceThatHandlesIt()
    {
        final List<Map<String, Object>> events = unmap(dir.resolve("flows.json"));
        final Map<Long, Map<String, Object>> starts = new HashMap<>();
        final Map<Long, Map<String, Object>> ends = new HashMap<>();
        final Map<Long, List<double[]>> slicesByTrack = new HashMap<>();
        long messageSlices = 0;
        for (final Map<String, Object> e : events)
        {
            switch ((String)e.get("ph"))
            {
                case "s" -> assertEquals(null, starts.put(num(e, "id"), e), "one start per flow");
                case "f" -> assertEquals(null, ends.put(num(e, "id"), e), "one end per flow");
                case "X" ->
                {
                    slicesByTrack.computeIfAbsent(num(e, "tid"), t -> new ArrayList<>())
                        .add(new double[] {ts(e), ts(e) + ((Number)e.get("dur")).doubleValue()});
                    messageSlices += "message".equals(e.get("cat")) ? 1 : 0;
                }
                default ->
                {
                }
            }
        }
        assertEquals(starts.keySet(), ends.keySet(), "every flow starts and ends");
        assertEquals(messageSlices, ends.size(), "one flow per message handled");
        for (final Map<String, Object> end : ends.values())
        {
            final Map<String, Object> start = starts.get(num(end, "id"));
            assertTrue(ts(start) <= ts(end), "a message arrives after it left: " + start + " " + end);
            assertEquals("e", end.get("bp"), "the arrow ends at the slice that handles the message");
            for (final Map<String, Object> point : List.of(start, end))
            {
                final boolean inside = slicesByTrack.getOrDefault(num(point, "tid"), List.of()).stream()
                    .anyMatch(s -> s[0] <= ts(point) && ts(point) <= s[1]);
                assertTrue(inside, "a flow point lies in a slice of its track: " + point);
            }
        }
    }

    @Test
    void shouldRecordQueueCountersOfEveryBusyCore()
    {
        final List<Map<String, Object>> events = unmap(dir.resolve("counters.json"));
        final Map<Long, Long> lastWaiting = new HashMap<>();
        final Map<Long, Long> lastSlots = new HashMap<>();
        long mostWaiting = 0;
        for (final Map<String, Object> e : events)
        {
            if ("C".equals(e.get("ph")))
            {
                assertEquals("core " + num(e, "tid"), e.get("name"));
                final long waiting = num(args(e), "messages waiting");
                final long slots = num(args(e), "ring slots in use");
                assertTrue(waiting >= 0 && slots >= 0 && (waiting > 0 || slots == 0), e.toString());
                mostWaiting = Math.max(mostWaiting, waiting);
                lastWaiting.put(num(e, "tid"), waiting);
                lastSlots.put(num(e, "tid"), slots);
            }
        }
        assertEquals(32, lastWaiting.size(), "a counter track per core");
        assertTrue(mostWaiting > 1, "core 0 collects the acknowledgements: they queue up");
        for (final long core : lastWaiting.keySet())
        {
            assertEquals(0L, lastWaiting.get(core), "core " + core + " handled every message that arrived");
            assertEquals(0L, lastSlots.get(core), "core " + core + " freed every slot");
        }
    }

    @Test
    void shouldKeepEveryTracksTimestampsMonotonic()
    {
        final List<Map<String, Object>> events = unmap(dir.resolve("mono.json"));
        final Map<Long, Double> last = new HashMap<>();
        for (final Map<String, Object> e : events)
        {
            if ("M".equals(e.get("ph")))
            {
                continue;
            }
            final double previous = last.getOrDefault(num(e, "tid"), -1.0);
            assertTrue(ts(e) >= previous, "track " + e.get("tid") + " goes back to " + e);
            last.put(num(e, "tid"), ts(e));
        }
    }

    @Test
    void shouldWriteTheSameFileForTheSameRunWhateverTheThreads()
    {
        final Path one = dir.resolve("one.json");
        final Path again = dir.resolve("again.json");
        final Path two = dir.resolve("two.json");
        unmap(one, "--threads", "1");
        unmap(again, "--threads", "1");
        unmap(two, "--threads", "2");
        assertEquals(read(one), read(again), "the same run writes the same file");
        assertEquals(read(one), read(two), "--threads 2 writes the same file as --threads 1");
    }

    @Test
    void shouldWriteTheSameFileWhateverTheThreadsWhenCoresRunPastTheWindow()
    {
        // 16 packages and every strategy: busy cores' clocks run past the window's end, where what is still in
        // flight depends on the threads (queue counters once counted it).
        final Path one = dir.resolve("big-one.json");
        final Path two = dir.resolve("big-two.json");
        for (final Path file : List.of(one, two))
        {
            final Run run = ShoalCliTest.run("run", "unmap", "--machine", "numa:16x16", "--cores", "256",
                "--strategy", "all", "--threads", file == one ? "1" : "2", "--timeline", file.toString());
            assertEquals(0, run.exit(), run.err());
        }
        assertEquals(read(one), read(two));
    }

    @Test
    void shouldNotChangeCyclesOrTraceHash()
    {
        final String[] boot = {"boot", "--cores", "32", "--machine", "amd-8x4", "--mode", "deterministic",
            "--threads", "2", "--json"};
        final Run plain = ShoalCliTest.run(boot);
        final List<String> withTimeline = new ArrayList<>(List.of(boot));
        withTimeline.addAll(List.of("--timeline", dir.resolve("boot.json").toString()));
        final Run observed = ShoalCliTest.run(withTimeline.toArray(String[]::new));
        assertEquals(0, plain.exit(), plain.err());
        assertEquals(0, observed.exit(), observed.err());
        for (final String key : List.of("traceHash", "traceEvents", "bootCycles", "exchangeCycles", "messages"))
        {
            assertEquals(field(plain.out(), key), field(observed.out(), key), key);
        }
        assertFalse(events(dir.resolve("boot.json")).isEmpty());
    }

    @SuppressWarnings("unchecked")
    private static Object field(final String json, final String key)
    {
        return ((Map<String, Object>)TimelineJson.parse(json.strip())).get(key);
    }

    @Test
    void shouldKeepOnlyTheFilteredCoresAndCycles()
    {
        final List<Map<String, Object>> all = unmap(dir.resolve("all.json"));
        final List<Map<String, Object>> some = unmap(dir.resolve("some.json"), "--timeline-cores", "4-11",
            "--timeline-from", "2000", "--timeline-to", "9000");
        long kept = 0;
        for (final Map<String, Object> e : some)
        {
            final long core = num(e, "tid") % (1 << 20);
            assertTrue(core >= 4 && core <= 11, "core " + core + " was filtered out: " + e);
            if (!"M".equals(e.get("ph")))
            {
                assertTrue(ts(e) >= 1.0 && ts(e) <= 4.5, "cycles 2000..9000 at 2 GHz: " + e);
                kept++;
            }
        }
        final long expected = all.stream().filter(e -> !"M".equals(e.get("ph")))
            .filter(e -> num(e, "tid") >= 4 && num(e, "tid") <= 11 && ts(e) >= 1.0 && ts(e) <= 4.5)
            // A flow is kept only when both its cores are; a counter only when its value changed in range.
            .filter(e -> !"s".equals(e.get("ph")) && !"f".equals(e.get("ph")) && !"C".equals(e.get("ph")))
            .count();
        assertEquals(expected, some.stream().filter(e -> "X".equals(e.get("ph")) || "i".equals(e.get("ph")) ||
            "B".equals(e.get("ph")) || "E".equals(e.get("ph"))).count());
        assertTrue(kept > 0 && expected > 0);
    }

    @Test
    void shouldWriteALiveModeTimelineWithMonotonicTracks()
    {
        final Path file = dir.resolve("live.json");
        final Run run = ShoalCliTest.run("boot", "--cores", "8", "--machine", "intel-2x4",
            "--timeline", file.toString());
        assertEquals(0, run.exit(), run.err());
        final Map<Long, Double> last = new HashMap<>();
        final Set<Long> tracks = new HashSet<>();
        for (final Map<String, Object> e : events(file))
        {
            if ("X".equals(e.get("ph")))
            {
                tracks.add(num(e, "tid"));
                assertTrue(ts(e) >= last.getOrDefault(num(e, "tid"), -1.0), "monotonic per track: " + e);
                last.put(num(e, "tid"), ts(e));
            }
        }
        assertEquals(8, tracks.size(), "every core handled something");
    }

    @Test
    void shouldWriteOneTimelineForABenchSweep()
    {
        final Path file = dir.resolve("bench.json");
        final Run run = ShoalCliTest.run("bench", "--machine", "amd-8x4", "--cores", "4,8", "--workload", "2pc",
            "--quiet", "--out", dir.resolve("out").toString(), "--timeline", file.toString());
        assertEquals(0, run.exit(), run.err());
        final Set<String> names = new HashSet<>();
        for (final Map<String, Object> e : events(file))
        {
            names.add((String)e.get("name"));
        }
        assertTrue(names.containsAll(Set.of("Prepare", "Vote", "Decide")), names.toString());
    }

    private static void assertBadInput(final Run run, final String mentions)
    {
        assertEquals(2, run.exit(), "exit code; stdout: " + run.out() + " stderr: " + run.err());
        final String err = run.err().strip();
        assertEquals(1, err.lines().count(), "exactly one line on stderr: " + err);
        assertTrue(err.contains(mentions), "'" + err + "' should mention '" + mentions + "'");
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void shouldRejectBadTimelineArgumentsInOneLineBeforeAnyWork()
    {
        final String missing = dir.resolve("no-such-dir").resolve("t.json").toString();
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline", missing), "cannot write timeline file");
        assertBadInput(ShoalCliTest.run("run", "unmap", "--cores", "4", "--timeline", missing),
            "cannot write timeline file");
        assertBadInput(ShoalCliTest.run("bench", "--cores", "4", "--workload", "boot", "--quiet", "--out",
            dir.resolve("o").toString(), "--timeline", missing), "cannot write timeline file");
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline", dir.toString()),
            "cannot write timeline file");
        final String ok = dir.resolve("t.json").toString();
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline", ok, "--timeline-cores", "9-3"),
            "--timeline-cores");
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline", ok, "--timeline-cores", "a-b"),
            "--timeline-cores");
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline", ok, "--timeline-cores", "-1"),
            "--timeline-cores");
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline", ok, "--timeline-from", "500",
            "--timeline-to", "100"), "--timeline-to");
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline", ok, "--timeline-from", "-5"),
            "--timeline-from");
        assertBadInput(ShoalCliTest.run("boot", "--cores", "4", "--timeline-cores", "0-3"), "need --timeline");
        assertFalse(Files.exists(dir.resolve("t.json")), "no file is written for bad arguments");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldLeaveAFileThatStillParsesWhenTheCommandFailsAfterOpeningIt()
    {
        // bench opens its timeline (to check it can be written) before it checks --cores against the machine.
        final Path file = dir.resolve("failed.json");
        final Run run = ShoalCliTest.run("bench", "--machine", "amd-8x4", "--cores", "64", "--workload", "2pc",
            "--out", dir.resolve("out").toString(), "--timeline", file.toString());
        assertEquals(2, run.exit(), run.err());
        final Map<String, Object> root = (Map<String, Object>)TimelineJson.parse(read(file));
        assertEquals(Boolean.FALSE, ((Map<String, Object>)root.get("otherData")).get("complete"), read(file));
    }
}
