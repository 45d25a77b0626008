package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.DeterminismEscape;
import dev.shoal.kernel.DeterminismEscapeException;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.libos.Channel;
import dev.shoal.libos.Domain;
import dev.shoal.libos.DomainFailedException;
import dev.shoal.libos.Service;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/** Determinism escapes as an application meets them: through the libOS, on a booted machine. */
class DeterminismEscapeTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    record Ping(int seq)
    {
    }

    private static Shoal boot(final int cores, final boolean deterministic)
    {
        final MonitorConfig.Builder config = MonitorConfig.builder(Skb.open(Shoal.defaultMachine(cores))).cores(cores);
        if (deterministic)
        {
            config.runners(new DeterministicScheduler(11, new TraceRecorder(null)));
        }
        return Shoal.boot(config.build());
    }

    /** The caller's line number. */
    private static int line()
    {
        return StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst()).orElseThrow().getLineNumber();
    }

    private static void assertNamesLine(final String site, final int line)
    {
        assertTrue(site.startsWith(DeterminismEscapeTest.class.getName() + "."), site);
        assertTrue(site.endsWith("(DeterminismEscapeTest.java:" + line + ")"), site);
    }

    // ---------------------------------------------------------------------------------------------- host clock

    private static Domain readHostClock(final Shoal shoal, final AtomicInteger line, final AtomicLong read)
    {
        return shoal.startDomain("clock", new int[] {1}, os ->
        {
            line.set(line()); read.set(os.hostNanos());
        });
    }

    @Test
    void shouldRefuseTheHostClockOnACoreInDeterministicMode() throws Exception
    {
        try (Shoal shoal = boot(2, true))
        {
            final AtomicInteger line = new AtomicInteger();
            final Domain clock = readHostClock(shoal, line, new AtomicLong());

            final DomainFailedException failure = assertThrows(DomainFailedException.class, () -> clock.join(WAIT));
            final DeterminismEscapeException escape = assertInstanceOf(DeterminismEscapeException.class,
                failure.getCause());
            assertEquals(DeterminismEscape.Kind.HOST_CLOCK, escape.escape().kind());
            assertEquals(1, escape.escape().core());
            assertNamesLine(escape.escape().callSite(), line.get());
            assertTrue(escape.getMessage().contains("Os.hostNanos()"), escape.getMessage());
            assertEquals(List.of(escape.escape()), shoal.system().machine().escapes());
        }
    }

    @Test
    void shouldReadTheHostClockOnACoreInLiveMode() throws Exception
    {
        try (Shoal shoal = boot(2, false))
        {
            final AtomicLong read = new AtomicLong();
            final long before = System.nanoTime();

            assertTrue(readHostClock(shoal, new AtomicInteger(), read).join(WAIT));
            assertTrue(read.get() - before >= 0, "host nanos " + read.get() + " before " + before);
            assertEquals(List.of(), shoal.system().machine().escapes());
        }
    }

    // ------------------------------------------------------------------------------------------- Thread.sleep

    @Test
    void shouldFailADomainThatSleepsOnACoreInDeterministicMode() throws Exception
    {
        try (Shoal shoal = boot(4, true))
        {
            final AtomicInteger line = new AtomicInteger();
            final Domain sleeper = shoal.startDomain("sleeper", new int[] {2}, os ->
            {
                line.set(line()); Thread.sleep(Duration.ofHours(1));
            });

            final DomainFailedException failure = assertThrows(DomainFailedException.class, () -> sleeper.join(WAIT));
            assertInstanceOf(InterruptedException.class, failure.getCause().getCause());
            final List<DeterminismEscape> escapes = shoal.system().machine().escapes();
            assertEquals(1, escapes.size(), escapes.toString());
            assertEquals(DeterminismEscape.Kind.TIMED_WAIT, escapes.get(0).kind());
            assertEquals(2, escapes.get(0).core());
            assertEquals("core-2/sleeper", escapes.get(0).culprit());
            assertNamesLine(escapes.get(0).callSite(), line.get());
        }
    }

    /** Three cores sleep, are interrupted and go on; returns the run's trace hash. */
    private static String sleepOnThreeCores() throws Exception
    {
        final TraceRecorder trace = new TraceRecorder(null);
        final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:1x4")).cores(4)
            .runners(new DeterministicScheduler(5, trace)).build();
        try (Shoal shoal = Shoal.boot(config))
        {
            final Domain sleepers = shoal.startDomain("sleepers", new int[] {1, 2, 3}, os ->
            {
                os.compute(100L * os.coreId());
                try
                {
                    Thread.sleep(Duration.ofHours(1));
                }
                catch (final InterruptedException expected)
                {
                    os.compute(1000);
                }
                os.yieldCore();
            });
            assertTrue(sleepers.join(WAIT));
            assertEquals(3, shoal.system().machine().escapes().size());
        }
        return trace.hash();
    }

    @Test
    void shouldStayDeterministicWhenSleepsAreInterrupted() throws Exception
    {
        assertEquals(sleepOnThreeCores(), sleepOnThreeCores());
    }

    // -------------------------------------------------------------------------------------------- clean runs

    @Test
    void shouldFindNoEscapeInABootOf64CoresAndTheirExchange()
    {
        final DeterministicScheduler scheduler = new DeterministicScheduler(7, new TraceRecorder(null));
        final MonitorConfig config = MonitorConfig.builder(Skb.open("numa:8x8")).cores(64).runners(scheduler).build();
        try (MonitorSystem system = MonitorSystem.boot(config, WAIT))
        {
            system.exchangeWithNeighbours(WAIT);
            assertEquals(List.of(), system.machine().escapes());
        }
        assertEquals(List.of(), scheduler.escapes());
    }

    @Test
    void shouldFindNoEscapeInDomainsThatExchangeMessages() throws Exception
    {
        try (Shoal shoal = boot(8, true))
        {
            final CountDownLatch exported = new CountDownLatch(1);
            final Domain server = shoal.startDomain("server", new int[] {7}, os ->
            {
                final Service service = os.export("echo");
                exported.countDown();
                final Channel client = service.accept();
                for (int i = 0; i < 50; i++)
                {
                    client.send(client.receive(Ping.class));
                }
            });
            assertTrue(exported.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            final Domain clients = shoal.startDomain("client", new int[] {0}, os ->
            {
                final Channel channel = os.bind("echo");
                for (int i = 0; i < 50; i++)
                {
                    channel.send(new Ping(i));
                    assertEquals(i, channel.receive(Ping.class).seq());
                    os.compute(1000);
                }
            });
            final Domain local = shoal.startDomain("local", new int[] {3}, os ->
            {
                final var worker = os.spawnThread("worker", () -> os.yieldCore());
                worker.thread().join();
            });

            assertTrue(clients.join(WAIT));
            assertTrue(server.join(WAIT));
            assertTrue(local.join(WAIT));
            assertEquals(List.of(), shoal.system().machine().escapes());
        }
    }
}
