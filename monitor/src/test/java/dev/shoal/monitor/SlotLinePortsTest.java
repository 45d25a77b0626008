package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.skb.Skb;

/**
 * The slot lines of a ring pass the machine's interconnect ({@link Interconnect#slotLine}), and pay only what
 * they queue there: one message on idle ports costs what it costs on the same machine described without the ports'
 * bandwidth.
 */
class SlotLinePortsTest
{
    /** The built-in description {@code machine} without {@code link_bandwidth/1} or {@code bus_bandwidth/1}. */
    static Path withoutPortBandwidth(final String machine, final Path dir) throws IOException
    {
        final String description;
        try (InputStream in = Skb.class.getResourceAsStream("/dev/shoal/skb/machines/" + machine + ".pl"))
        {
            description = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final String stripped = description.lines()
            .filter(line -> !line.startsWith("link_bandwidth(") && !line.startsWith("bus_bandwidth("))
            .collect(Collectors.joining("\n", "", "\n"));
        return Files.writeString(dir.resolve(machine + "-no-ports.pl"), stripped);
    }

    /**
     * Core 0 opens a channel to the machine's last core (the rings in core 0's memory, so core 0 is their home),
     * waits until every boot message is long handled, and sends it one note; the last core then sends one back on
     * the other ring. Returns, for each note, the cycles from its send until its handler ran.
     */
    private static long[] oneNoteEachWay(final Skb skb) throws Exception
    {
        final int last = skb.coreCount() - 1;
        try (MonitorSystem system = MonitorSystem.boot(MonitorConfig.builder(skb).cores(skb.coreCount())
            .operation(new ExactTimeTest.Notes()).runners(new DeterministicScheduler(1, new TraceRecorder(null)))
            .build(), Duration.ofSeconds(60)))
        {
            final long quiet = 1_000_000;
            final ExactTimeTest.Notes.Log atLast = system.onCore(last, m ->
            {
                final ExactTimeTest.Notes.Log log = m.local(ExactTimeTest.Notes.Log.class,
                    ExactTimeTest.Notes.Log::new);
                log.expected = 1;
                return log;
            }).get(30, TimeUnit.SECONDS);
            final ExactTimeTest.Notes.Log atZero = system.onCore(0, m ->
            {
                final ExactTimeTest.Notes.Log log = m.local(ExactTimeTest.Notes.Log.class,
                    ExactTimeTest.Notes.Log::new);
                log.expected = 1;
                m.ensureLink(last);
                m.core().clock().advance(quiet);
                log.events.add(Long.toString(m.now()));
                m.send(last, new ExactTimeTest.Notes.Note(1));
                return log;
            }).get(30, TimeUnit.SECONDS);
            atLast.done.get(30, TimeUnit.SECONDS);
            final long sentOut = Long.parseLong(atZero.events.get(0));
            final long there = atLast.handled.get(0) - sentOut;
            final long sentBack = system.onCore(last, m ->
            {
                m.core().clock().advance(quiet);
                final long at = m.now();
                m.send(0, new ExactTimeTest.Notes.Note(2));
                return at;
            }).get(30, TimeUnit.SECONDS);
            atZero.done.get(30, TimeUnit.SECONDS);
            return new long[] {there, atZero.handled.get(0) - sentBack};
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"amd-2x2", "amd-4x4", "amd-8x4", "intel-2x4"})
    void shouldChargeAMessageOnIdlePortsNothingForThem(final String machine, @TempDir final Path dir) throws Exception
    {
        final long[] withPorts = oneNoteEachWay(Skb.open(machine));
        final long[] without = oneNoteEachWay(Skb.open(withoutPortBandwidth(machine, dir).toString()));
        assertEquals(without[0], withPorts[0], machine + ": core 0 to the last core, written into core 0's ring");
        assertEquals(without[1], withPorts[1], machine + ": back, fetched from core 0's ring");
    }
}
