package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.Timeline;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.skb.Skb;

/** Application bindings on the timeline: a slice per UMP message handled, with its flow, like the monitors'. */
class TimelineBindingTest
{
    private static final int MESSAGES = 20;

    @Test
    @SuppressWarnings("unchecked")
    void shouldShowEveryBindingMessageAsASliceWithAFlowFromItsSend() throws Exception
    {
        final StringWriter file = new StringWriter();
        final Timeline timeline = new Timeline(file, 0, Integer.MAX_VALUE, 0, Long.MAX_VALUE);
        final DeterministicScheduler engine = new DeterministicScheduler(1, new TraceRecorder(null)).threads(2)
            .timeline(timeline);
        try (Shoal shoal = Shoal.boot(MonitorConfig.builder(Skb.open("amd-8x4")).cores(8).runners(engine).build()))
        {
            // Core 1 exports, core 6 (another package) binds: a UMP channel; 20 messages each way, one a long one.
            final int[] cores = {1, 6};
            assertTrue(shoal.startDomain("pair", cores, os ->
            {
                final boolean exporter = os.coreId() == 1;
                final dev.shoal.libos.Channel channel = exporter ? os.export("pair").accept() :
                    os.bindWhenExported("pair");
                for (int i = 0; i < MESSAGES; i++)
                {
                    if (exporter)
                    {
                        channel.sendBytes(new byte[i == 3 ? 70_000 : i]);
                        channel.receiveBytes();
                    }
                    else
                    {
                        channel.receiveBytes();
                        channel.sendBytes(new byte[i]);
                    }
                }
            }).join(Duration.ofSeconds(60)));
        }
        timeline.close();
        assertEquals(0, timeline.lateEvents());
        final List<Map<String, Object>> events = (List<Map<String, Object>>)((Map<String, Object>)
            TimelineJson.parse(file.toString())).get("traceEvents");
        final Map<Long, Integer> slicesByCore = new HashMap<>();
        final Map<Long, Long> starts = new HashMap<>();
        final Map<Long, Long> ends = new HashMap<>();
        for (final Map<String, Object> e : events)
        {
            final long tid = ((Number)e.get("tid")).longValue();
            if ("binding message".equals(e.get("name")))
            {
                slicesByCore.merge(tid, 1, Integer::sum);
                final Map<String, Object> args = (Map<String, Object>)e.get("args");
                assertEquals(tid == 1 ? 6L : 1L, args.get("from"), e.toString());
            }
            if ("s".equals(e.get("ph")))
            {
                starts.merge(((Number)e.get("id")).longValue(), tid, (a, b) -> -1L);
            }
            if ("f".equals(e.get("ph")))
            {
                ends.merge(((Number)e.get("id")).longValue(), tid, (a, b) -> -1L);
            }
        }
        // The 70,000-byte message travels as a 65,536-byte piece and the rest: two UMP messages, two slices.
        assertEquals(Map.of(1L, MESSAGES, 6L, MESSAGES + 1), slicesByCore);
        assertEquals(starts.keySet(), ends.keySet(), "every flow starts and ends");
        long bindingFlows = 0;
        for (final Map.Entry<Long, Long> end : ends.entrySet())
        {
            assertTrue(end.getValue() != -1L && starts.get(end.getKey()) != -1L, "one start and one end: " + end);
            // Binding flows have ids from 2^52 up; monitor flows below.
            if (end.getKey() >= 1L << 52)
            {
                bindingFlows++;
                assertEquals(end.getValue() == 1 ? 6L : 1L, starts.get(end.getKey()), "from the other end");
            }
        }
        assertEquals(2 * MESSAGES + 1, bindingFlows, "a flow per binding message");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldShowSameCoreLmpMessagesWithAFlowFromEachSend() throws Exception
    {
        final StringWriter file = new StringWriter();
        final Timeline timeline = new Timeline(file, 0, Integer.MAX_VALUE, 0, Long.MAX_VALUE);
        final DeterministicScheduler engine = new DeterministicScheduler(1, new TraceRecorder(null)).timeline(timeline);
        try (Shoal shoal = Shoal.boot(MonitorConfig.builder(Skb.open("amd-8x4")).cores(4).runners(engine).build()))
        {
            // Two domains on core 2: the binding between them is LMP; 20 messages each way.
            final dev.shoal.libos.Domain server = shoal.startDomain("server", new int[] {2}, os ->
            {
                final dev.shoal.libos.Channel channel = os.export("local").accept();
                for (int i = 0; i < MESSAGES; i++)
                {
                    channel.sendBytes(channel.receiveBytes());
                }
            });
            assertTrue(shoal.startDomain("client", new int[] {2}, os ->
            {
                final dev.shoal.libos.Channel channel = os.bindWhenExported("local");
                assertEquals("lmp", channel.transport());
                for (int i = 0; i < MESSAGES; i++)
                {
                    channel.sendBytes(new byte[i]);
                    channel.receiveBytes();
                }
            }).join(Duration.ofSeconds(60)));
            assertTrue(server.join(Duration.ofSeconds(60)));
        }
        timeline.close();
        final List<Map<String, Object>> events = (List<Map<String, Object>>)((Map<String, Object>)
            TimelineJson.parse(file.toString())).get("traceEvents");
        int slices = 0;
        final Map<Long, Integer> flowPoints = new HashMap<>();
        for (final Map<String, Object> e : events)
        {
            if ("lmp message".equals(e.get("name")))
            {
                slices++;
                assertEquals(2L, ((Number)e.get("tid")).longValue(), e.toString());
            }
            if (("s".equals(e.get("ph")) || "f".equals(e.get("ph"))) && ((Number)e.get("tid")).longValue() == 2 &&
                ((Number)e.get("id")).longValue() >= 1L << 52)
            {
                flowPoints.merge(((Number)e.get("id")).longValue(), 1, Integer::sum);
            }
        }
        assertEquals(2 * MESSAGES, slices, "a slice per LMP message");
        assertEquals(2 * MESSAGES, flowPoints.size(), "a flow per LMP message");
        assertTrue(flowPoints.values().stream().allMatch(n -> n == 2), "each flow starts and ends: " + flowPoints);
    }
}
