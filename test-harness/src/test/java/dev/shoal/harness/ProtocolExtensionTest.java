package dev.shoal.harness;

import dev.shoal.apps.examples.CoreCensus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.shoal.kernel.CoreFailures;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MessageCodec;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.Protocol;

class ProtocolExtensionTest
{
    @OnBootedMachine(cores = {1, 2, 8, 64}, operations = CoreCensus.class)
    void shouldRunAUserOperationAcrossEveryMonitor(final Shoal shoal) throws Exception
    {
        final CoreCensus.Result result = CoreCensus.run(shoal.system()).get(30, TimeUnit.SECONDS);
        assertEquals(shoal.cores(), result.cores());
        assertTrue(result.latestCycle() >= shoal.bootReport().bootCycles());
    }

    /** Echo between two arbitrary cores; the request is routed along the tree when there is no direct channel. */
    public static final class Echo implements MonitorOperation
    {
        public record Ask(String text)
        {
        }

        public record Answer(String text)
        {
        }

        static final class Box
        {
            CompletableFuture<String> answer;
        }

        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Ask.class, (m, from, ask) -> m.send(from, new Answer(ask.text() + " from " + m.coreId())));
            protocol.message(Answer.class, (m, from, answer) -> m.local(Box.class, Box::new).answer.complete(answer.text()));
        }
    }

    @OnBootedMachine(cores = {64}, operations = Echo.class)
    void shouldRouteMessagesBetweenCoresWithoutADirectChannel(final Shoal shoal) throws Exception
    {
        final CompletableFuture<String> answer = new CompletableFuture<>();
        final boolean hadLink = shoal.system().onCore(9, m ->
        {
            m.local(Echo.Box.class, Echo.Box::new).answer = answer;
            m.send(50, new Echo.Ask("hi"));
            return m.hasLink(50);
        }).get(10, TimeUnit.SECONDS);
        assertEquals(false, hadLink);
        assertEquals("hi from 50", answer.get(10, TimeUnit.SECONDS));
        final long forwarded = shoal.system().onCore(0, m -> m.messagesForwarded()).get(10, TimeUnit.SECONDS);
        assertTrue(forwarded >= 2, "core 0 relayed the ask and the answer between packages: " + forwarded);
    }

    /** A deliberately broken operation: its encoder writes 4 bytes, its decoder wants 8. */
    public static final class Broken implements MonitorOperation
    {
        public record Truncated(long value)
        {
        }

        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Truncated.class, new MessageCodec<>()
            {
                @Override
                public void encode(final Truncated message, final MessageWriter out)
                {
                    out.putInt((int)message.value());
                }

                @Override
                public Truncated decode(final MessageReader in)
                {
                    return new Truncated(in.getLong());
                }
            }, (m, from, t) -> { throw new AssertionError("a truncated message must never reach its handler"); });
        }
    }

    @OnBootedMachine(cores = {4}, operations = {Broken.class, CoreCensus.class})
    void shouldDropAMalformedMessageAndKeepServing(final Shoal shoal) throws Exception
    {
        shoal.system().onCore(1, m ->
        {
            m.send(2, new Broken.Truncated(7));
            return null;
        }).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> shoal.system().malformedMessages() == 1);
        assertEquals(4, CoreCensus.run(shoal.system()).get(10, TimeUnit.SECONDS).cores());
    }

    /** Ping-pong whose ping handler throws on the first ping each core gets, and answers every later one. */
    public static final class ThrowsOnce implements MonitorOperation
    {
        public record Ping(int n)
        {
        }

        public record Pong(int n)
        {
        }

        static final class Thrown
        {
            boolean once;
        }

        static final class Box
        {
            final List<CompletableFuture<Integer>> pongs = new ArrayList<>();
        }

        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Ping.class, (m, from, ping) ->
            {
                final Thrown thrown = m.local(Thrown.class, Thrown::new);
                if (!thrown.once)
                {
                    thrown.once = true;
                    throw new IllegalStateException("first ping " + ping.n());
                }
                m.send(from, new Pong(ping.n()));
            });
            protocol.message(Pong.class,
                (m, from, pong) -> m.local(Box.class, Box::new).pongs.get(pong.n()).complete(pong.n()));
        }

        /** Sends pings {@code first..last} from core 0 to core 1 in one go; the futures of their pongs, by number. */
        static List<CompletableFuture<Integer>> ping(final Shoal shoal, final int first, final int last)
            throws Exception
        {
            return shoal.system().onCore(0, m ->
            {
                final Box box = m.local(Box.class, Box::new);
                while (box.pongs.size() <= last)
                {
                    box.pongs.add(new CompletableFuture<>());
                }
                for (int n = first; n <= last; n++)
                {
                    m.send(1, new Ping(n));
                }
                return List.copyOf(box.pongs);
            }).get(10, TimeUnit.SECONDS);
        }
    }

    @OnBootedMachine(cores = {2, 8}, operations = ThrowsOnce.class)
    void shouldContainAThrowingHandlerAndKeepTheCoreAnswering(final Shoal shoal) throws Exception
    {
        assertCoreSurvivesAThrowingHandler(shoal);
    }

    @OnBootedMachine(cores = {2, 8}, mode = "deterministic", operations = ThrowsOnce.class)
    void shouldContainAThrowingHandlerAndKeepTheCoreAnsweringInDeterministicMode(final Shoal shoal) throws Exception
    {
        assertCoreSurvivesAThrowingHandler(shoal);
    }

    private static void assertCoreSurvivesAThrowingHandler(final Shoal shoal) throws Exception
    {
        // Pings 1 and 2 go in one batch: the first throws, the second (same poll, same channel) is still answered.
        final List<CompletableFuture<Integer>> pongs = ThrowsOnce.ping(shoal, 1, 2);
        assertEquals(2, pongs.get(2).get(10, TimeUnit.SECONDS));
        assertEquals(3, ThrowsOnce.ping(shoal, 3, 3).get(3).get(10, TimeUnit.SECONDS));
        assertFalse(pongs.get(1).isDone(), "the ping whose handler threw is not answered");
        assertEquals(List.of(new CoreFailures(1, 1,
                "handler of Ping from core 0 failed: java.lang.IllegalStateException: first ping 1")),
            shoal.system().machine().failures());
        assertEquals(1, shoal.system().machine().core(1).failureCount());
    }

    @OnBootedMachine(cores = {2, 8})
    void shouldDiscoverAnOperationListedInAServicesFile(final Shoal shoal) throws Exception
    {
        assertTrue(shoal.system().config().protocol().operations().contains("DiscoveredGreeting"));
        final CompletableFuture<String> reply = new CompletableFuture<>();
        shoal.system().onCore(0, m ->
        {
            m.local(DiscoveredGreeting.Inbox.class, DiscoveredGreeting.Inbox::new).reply = reply;
            m.send(shoal.cores() - 1, new DiscoveredGreeting.Hello("core 0"));
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertEquals("welcome core 0", reply.get(10, TimeUnit.SECONDS));
    }
}
