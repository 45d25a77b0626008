package dev.shoal.kernel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of determinism escape, run once in deterministic mode (reported, naming this class's own line) and once
 * in live mode (where the same code is allowed and nothing is reported).
 */
class EscapeDetectorTest
{
    private static final Duration WAIT = Duration.ofSeconds(5);

    private Machine machine;
    private final Semaphore release = new Semaphore(0);
    private long sleepMillis;

    @AfterEach
    void close()
    {
        release.release(100);
        if (machine != null)
        {
            machine.close();
        }
    }

    private void start(final boolean deterministic)
    {
        start(deterministic ? new DeterministicScheduler(7, new TraceRecorder(null)) : CoreRunner::newCarrier);
    }

    private void start(final RunnerFactory runners)
    {
        machine = new Machine(2, CostModel.forLrpc(1000), (core, arg) -> { }, runners);
        machine.core(0).start(0);
        machine.core(1).start(0);
    }

    /** Spawns a dispatcher the way the host should in deterministic mode: from the core, by a host request. */
    private Dispatcher spawn(final int core, final String name, final Runnable body) throws Exception
    {
        final CompletableFuture<Dispatcher> spawned = new CompletableFuture<>();
        machine.hostSubmit(core, () -> spawned.complete(machine.core(core).spawn(name, body)));
        return spawned.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The caller's line number. */
    private static int line()
    {
        return StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst()).orElseThrow().getLineNumber();
    }

    private static void assertNamesLine(final DeterminismEscape escape, final int line)
    {
        final String where = "(" + EscapeDetectorTest.class.getSimpleName() + ".java:" + line + ")";
        assertTrue(escape.callSite().startsWith(EscapeDetectorTest.class.getName() + "."), escape.callSite());
        assertTrue(escape.callSite().endsWith(where), escape.callSite());
        assertTrue(escape.message().contains(escape.callSite()), escape.message());
        assertTrue(!escape.message().contains("\n"), escape.message());
    }

    // ------------------------------------------------------------------------------------------- Thread.sleep

    private Dispatcher sleeper(final AtomicInteger line, final AtomicReference<Throwable> thrown) throws Exception
    {
        return spawn(0, "sleeper", () ->
        {
            try
            {
                line.set(line()); Thread.sleep(sleepMillis);
            }
            catch (final InterruptedException ex)
            {
                thrown.set(ex);
            }
        });
    }

    @Test
    void shouldReportAndInterruptADispatcherThatSleepsInDeterministicMode() throws Exception
    {
        start(true);
        sleepMillis = 600_000;
        final AtomicInteger line = new AtomicInteger();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Dispatcher sleeper = sleeper(line, thrown);

        assertTrue(sleeper.join(WAIT), "the ten-minute sleep was not cut short");
        assertInstanceOf(InterruptedException.class, thrown.get());
        final List<DeterminismEscape> escapes = machine.escapes();
        assertEquals(1, escapes.size(), escapes.toString());
        final DeterminismEscape escape = escapes.get(0);
        assertEquals(DeterminismEscape.Kind.TIMED_WAIT, escape.kind());
        assertEquals(0, escape.core());
        assertEquals("core-0/sleeper", escape.culprit());
        assertNamesLine(escape, line.get());
        assertTrue(escape.message().contains("java.lang.Thread.sleep"), escape.message());
    }

    @Test
    void shouldLetADispatcherSleepInLiveMode() throws Exception
    {
        start(false);
        sleepMillis = 20;
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Dispatcher sleeper = sleeper(new AtomicInteger(), thrown);

        assertTrue(sleeper.join(WAIT));
        assertNull(thrown.get());
        assertEquals(List.of(), machine.escapes());
    }

    @Test
    void shouldWakeADirectTimedParkWithoutInterruptingIt() throws Exception
    {
        start(true);
        final AtomicInteger line = new AtomicInteger();
        final AtomicBoolean interrupted = new AtomicBoolean(true);
        final Dispatcher parker = spawn(1, "parker", () ->
        {
            line.set(line()); LockSupport.parkNanos(TimeUnit.MINUTES.toNanos(10));
            interrupted.set(Thread.currentThread().isInterrupted());
        });

        assertTrue(parker.join(WAIT));
        assertEquals(false, interrupted.get());
        final DeterminismEscape escape = machine.escapes().get(0);
        assertEquals(DeterminismEscape.Kind.TIMED_WAIT, escape.kind());
        assertEquals(1, escape.core());
        assertNamesLine(escape, line.get());
        assertTrue(escape.message().contains("java.util.concurrent.locks.LockSupport.parkNanos"), escape.message());
    }

    // ------------------------------------------------------------------------------------------ new threads

    private Dispatcher forker(final AtomicInteger line, final AtomicBoolean ran) throws Exception
    {
        return spawn(1, "forker", () ->
        {
            line.set(line()); final Thread thread = new Thread(() -> ran.set(true), "rogue");
            thread.start();
        });
    }

    @Test
    void shouldRefuseToCreateAPlatformThreadOnACoreInDeterministicMode() throws Exception
    {
        start(true);
        final AtomicInteger line = new AtomicInteger();
        final AtomicBoolean ran = new AtomicBoolean();
        final Dispatcher forker = forker(line, ran);

        assertTrue(forker.join(WAIT));
        final DeterminismEscapeException failure = assertInstanceOf(DeterminismEscapeException.class,
            forker.failure());
        final DeterminismEscape escape = failure.escape();
        assertEquals(List.of(escape), machine.escapes());
        assertEquals(DeterminismEscape.Kind.NEW_THREAD, escape.kind());
        assertEquals(1, escape.core());
        assertEquals("core-1/forker", escape.culprit());
        assertNamesLine(escape, line.get());
        assertTrue(!ran.get());
    }

    @Test
    void shouldRefuseAPlatformThreadCreatedByATaskTheCoreRuns() throws Exception
    {
        start(true);
        final AtomicInteger line = new AtomicInteger();
        final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        machine.hostSubmit(0, () ->
        {
            try
            {
                line.set(line()); new Thread(() -> { }, "rogue").start();
                thrown.complete(null);
            }
            catch (final RuntimeException ex)
            {
                thrown.complete(ex);
            }
        });

        final DeterminismEscapeException failure = assertInstanceOf(DeterminismEscapeException.class,
            thrown.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(DeterminismEscape.Kind.NEW_THREAD, failure.escape().kind());
        assertEquals(0, failure.escape().core());
        assertNamesLine(failure.escape(), line.get());
        assertTrue(failure.getMessage().contains("code run by core 0"), failure.getMessage());
    }

    @Test
    void shouldLetACoreCreateAPlatformThreadWhenDetectionIsOff() throws Exception
    {
        start(new DeterministicScheduler(7, new TraceRecorder(null)).detectEscapes(false));
        final AtomicBoolean ran = new AtomicBoolean();
        final Dispatcher forker = forker(new AtomicInteger(), ran);

        assertTrue(forker.join(WAIT));
        assertNull(forker.failure());
        await().atMost(WAIT).untilTrue(ran);
        assertEquals(List.of(), machine.escapes());
    }

    @Test
    void shouldLetACoreCreateAPlatformThreadInLiveMode() throws Exception
    {
        start(false);
        final AtomicBoolean ran = new AtomicBoolean();
        final Dispatcher forker = forker(new AtomicInteger(), ran);

        assertTrue(forker.join(WAIT));
        assertNull(forker.failure());
        await().atMost(WAIT).untilTrue(ran);
        assertEquals(List.of(), machine.escapes());
    }

    private Dispatcher quietForker(final AtomicInteger line) throws Exception
    {
        final Thread.Builder rogue = Thread.ofPlatform().name("rogue").daemon(true)
            .inheritInheritableThreadLocals(false);
        return spawn(1, "forker", () ->
        {
            line.set(line()); rogue.start(() -> release.acquireUninterruptibly());
        });
    }

    @Test
    void shouldReportAThreadThatInheritsNothingAfterTheStepThatStartedIt() throws Exception
    {
        start(true);
        final AtomicInteger line = new AtomicInteger();
        final Dispatcher forker = quietForker(line);

        assertTrue(forker.join(WAIT));
        assertNull(forker.failure());
        // Reported after the core's step, which may end after the dispatcher does.
        await().atMost(WAIT).until(() -> !machine.escapes().isEmpty());
        final DeterminismEscape escape = machine.escapes().get(0);
        assertEquals(DeterminismEscape.Kind.NEW_THREAD, escape.kind());
        assertEquals(1, escape.core());
        assertEquals("rogue", escape.culprit());
        assertNamesLine(escape, line.get());
        assertTrue(escape.message().contains("'rogue'"), escape.message());
    }

    @Test
    void shouldNotReportAThreadThatInheritsNothingInLiveMode() throws Exception
    {
        start(false);
        final Dispatcher forker = quietForker(new AtomicInteger());

        assertTrue(forker.join(WAIT));
        assertNull(forker.failure());
        assertEquals(List.of(), machine.escapes());
    }

    // ------------------------------------------------------------------------------------- foreign resumes

    @Test
    void shouldReportADispatcherUnparkedByAHostThreadInDeterministicMode() throws Exception
    {
        start(true);
        final AtomicBoolean go = new AtomicBoolean();
        final Dispatcher parked = spawn(0, "parked", () ->
        {
            while (!go.get())
            {
                LockSupport.park();
            }
        });
        await().atMost(WAIT).until(() -> parked.thread().getState() == Thread.State.WAITING);

        go.set(true);
        final int line = line(); LockSupport.unpark(parked.thread());

        assertTrue(parked.join(WAIT), "the unpark was not delivered");
        final DeterminismEscape escape = machine.escapes().get(0);
        assertEquals(DeterminismEscape.Kind.FOREIGN_RESUME, escape.kind());
        assertEquals(0, escape.core());
        assertEquals("core-0/parked", escape.culprit());
        assertNamesLine(escape, line);
        assertTrue(escape.message().contains(Thread.currentThread().getName()), escape.message());
    }

    @Test
    void shouldReportADispatcherStartedByAHostThreadInDeterministicMode() throws Exception
    {
        start(true);
        final AtomicBoolean ran = new AtomicBoolean();

        final int line = line(); final Dispatcher started = machine.core(1).spawn("direct", () -> ran.set(true));

        assertTrue(started.join(WAIT));
        assertTrue(ran.get());
        final DeterminismEscape escape = machine.escapes().get(0);
        assertEquals(DeterminismEscape.Kind.FOREIGN_RESUME, escape.kind());
        assertEquals(1, escape.core());
        assertNamesLine(escape, line);
        assertTrue(escape.message().contains("was started by thread"), escape.message());
    }

    /** A contended monitor: the JDK resumes the blocked dispatcher from its own "VirtualThread-unblocker" thread. */
    private void contend(final AtomicInteger line) throws Exception
    {
        final Object lock = new Object();
        final AtomicBoolean held = new AtomicBoolean();
        final Dispatcher holder = spawn(0, "holder", () ->
        {
            synchronized (lock)
            {
                held.set(true);
                LockSupport.park();
            }
        });
        final Dispatcher blocked = spawn(0, "blocked", () ->
        {
            while (!held.get())
            {
                Dispatcher.current().yieldCore();
            }
            // One line: the JDK names either the monitorenter or the first line inside the block.
            line.set(line()); synchronized (lock) { held.set(false); }
        });
        await().atMost(WAIT).until(() -> blocked.thread().getState() == Thread.State.BLOCKED);
        spawn(0, "waker", () -> LockSupport.unpark(holder.thread()));

        assertTrue(holder.join(WAIT));
        assertTrue(blocked.join(WAIT));
        assertNull(blocked.failure());
    }

    @Test
    void shouldReportADispatcherResumedFromAContendedMonitorInDeterministicMode() throws Exception
    {
        start(true);
        final AtomicInteger line = new AtomicInteger();
        contend(line);

        final DeterminismEscape escape = machine.escapes().get(0);
        assertEquals(DeterminismEscape.Kind.FOREIGN_RESUME, escape.kind());
        assertEquals("core-0/blocked", escape.culprit());
        assertNamesLine(escape, line.get());
        assertTrue(escape.message().contains("synchronized"), escape.message());
    }

    @Test
    void shouldNotReportAContendedMonitorInLiveMode() throws Exception
    {
        start(false);
        contend(new AtomicInteger());

        assertEquals(List.of(), machine.escapes());
    }

    @Test
    void shouldNotReportAHostUnparkInLiveMode() throws Exception
    {
        start(false);
        final AtomicBoolean go = new AtomicBoolean();
        final Dispatcher parked = spawn(0, "parked", () ->
        {
            while (!go.get())
            {
                LockSupport.park();
            }
        });
        go.set(true);
        LockSupport.unpark(parked.thread());

        assertTrue(parked.join(WAIT));
        assertEquals(List.of(), machine.escapes());
    }

    // ------------------------------------------------------------------------------------------ clean runs

    @Test
    void shouldReportNothingForDispatchersThatYieldSpawnAndBlockOnEachOther() throws Exception
    {
        start(true);
        final AtomicInteger done = new AtomicInteger();
        final Dispatcher parent = spawn(0, "parent", () ->
        {
            final Dispatcher child = Dispatcher.current().core().spawn("child", () ->
            {
                for (int i = 0; i < 100; i++)
                {
                    Dispatcher.current().yieldCore();
                }
                done.incrementAndGet();
            });
            try
            {
                child.thread().join();
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
            done.incrementAndGet();
        });

        assertTrue(parent.join(WAIT));
        assertNull(parent.failure());
        assertEquals(2, done.get());
        assertEquals(List.of(), machine.escapes());
    }
}
