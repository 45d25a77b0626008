package dev.shoal.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds code on a core that escapes deterministic mode — lets the host's clock or the host's threads, not the
 * seed, decide what a core does next — and reports it with a one-line error naming the offending call site (the
 * first frame outside the JDK and the kernel, {@code class.method(File:line)}). One per
 * {@link DeterministicScheduler}, on by default ({@link DeterministicScheduler#detectEscapes(boolean)}); live mode
 * has none. Every escape is kept in {@link Machine#escapes()}, and printed to {@code System.err} the first time its
 * kind and call site are seen.
 *
 * <h2>Detected</h2>
 * <ul>
 *   <li><b>Timed waits in a dispatcher</b> ({@link DeterminismEscape.Kind#TIMED_WAIT}): {@code Thread.sleep},
 *       {@code LockSupport.parkNanos}, {@code Object.wait(ms)}, {@code Thread.join(ms)}, {@code await}/{@code poll}/
 *       {@code get} with a timeout. On JDK 25 a virtual thread with a custom scheduler that parks with a timeout
 *       does not call its scheduler: its continuation yields and, still on the carrier inside the core's step, the
 *       JDK arms a timer on its own {@code ScheduledThreadPoolExecutor} ({@code VirtualThread$DelayedTaskSchedulers},
 *       whose "VirtualThread-unparker" thread is started on first use); when the timer expires that thread calls
 *       the scheduler ({@link Core#execute}) to resume it, at a host time. {@code Thread.sleep} cannot be cut
 *       short either: {@code VirtualThread.sleepNanos} parks again until {@code System.nanoTime()} says the time
 *       has passed. So the detector looks at every dispatcher just after it unmounts (it is its scheduler, see
 *       {@code WatchedDispatcher}) and, finding it {@code TIMED_WAITING}, reports it at once, from its parked
 *       stack, and ends the wait deterministically on the stepping thread: it interrupts the dispatcher, so
 *       {@code sleep}, {@code wait}, {@code join}, {@code await}, {@code poll} and {@code get} throw
 *       {@link InterruptedException} at the offending line (the timer is cancelled when the thread resumes); a
 *       direct {@code LockSupport.parkNanos}, which does not throw, gets a spurious wake-up instead. If the timer
 *       wins the race (a wait of a few microseconds) the resume arrives as a foreign one, below, and is reported
 *       and handled the same way.</li>
 *   <li><b>Foreign resumes</b> ({@link DeterminismEscape.Kind#FOREIGN_RESUME}): {@link Core#execute} called
 *       from any thread but the stepping thread — a dispatcher unparked, interrupted or started by a host thread or
 *       a rogue thread instead of through {@link Machine#hostSubmit}, a future completed by one, a contended
 *       {@code synchronized} or {@code Object.wait/notify} between dispatchers (the JDK resumes the blocked one from
 *       its "VirtualThread-unblocker" thread), a dispatcher that waited for a lock a host thread held (even
 *       {@code System.out}'s, while the host prints), a task queued on a core used as an {@code Executor}. The
 *       resume is still delivered, but as a host request (admitted when the machine is quiescent), so the run goes
 *       on as deterministically as it can.</li>
 *   <li><b>New threads</b> ({@link DeterminismEscape.Kind#NEW_THREAD}), two ways. (1) At creation: the stepping
 *       thread carries an inheritable thread-local, so every thread created by code on a core (by a dispatcher or
 *       by the core's own duty cycle) inherits it and the JDK calls its {@code childValue} on the creating thread,
 *       inside the {@code Thread} constructor. Unless the new thread is a dispatcher ({@link Core#spawn}) the
 *       constructor throws {@link DeterminismEscapeException} at the creating call site: {@code new Thread},
 *       {@code Thread.ofPlatform().start}, {@code Thread.ofVirtual()} (the JDK's own scheduler), an
 *       {@code ExecutorService} starting a worker. (2) After each core step that ran dispatchers or queued tasks,
 *       the JVM's count of started platform threads is compared (one call, about 50 ns; steps that only poll the
 *       monitor skip it, so the monitor-only ping-pong pays nothing); when it moved, the new threads created by a
 *       dispatcher or by the stepping thread (told apart by thread group) are reported with the core, their name
 *       and where they run. This catches threads that do not inherit thread-locals
 *       ({@code inheritInheritableThreadLocals(false)}); they are already running, so they are reported, not
 *       stopped.</li>
 *   <li><b>Host clock through the libOS</b> ({@link DeterminismEscape.Kind#HOST_CLOCK}): {@code Os.hostNanos()}
 *       throws {@link DeterminismEscapeException} naming its caller ({@link #checkHostClock()}).</li>
 * </ul>
 *
 * <h2>Not detected</h2>
 * <ul>
 *   <li>{@code System.nanoTime()}, {@code System.currentTimeMillis()}, {@code Instant.now()}, {@code new Random()},
 *       {@code Math.random()}, {@code ThreadLocalRandom}, identity hash codes (and the iteration order of hash sets
 *       of objects without {@code hashCode}), host I/O, environment variables: called directly by application
 *       code they cannot be intercepted without bytecode instrumentation (a Java agent), which Shoal does not
 *       ship. Use {@code Os.now()}, the core's timers and seeded randomness.</li>
 *   <li>Timed waits that do not unmount a dispatcher: in code run directly by the duty cycle (a monitor, a core
 *       service, a task queued with {@link Core#submit}) or in a dispatcher pinned to its carrier (inside a native
 *       frame or a class initializer), the stepping thread itself sleeps. The run stays deterministic but stalls
 *       for that long.</li>
 *   <li>Work handed to a thread that already exists (the common {@code ForkJoinPool} behind parallel streams and
 *       {@code CompletableFuture.*Async}, a pool created before the run) and threads the JDK creates without
 *       inheriting thread-locals in a group of its own (the common pool's workers): no new thread appears in a
 *       group the detector can attribute to a core. Nor a platform thread that does not inherit thread-locals
 *       and ends within the step that started it.</li>
 *   <li>A timed wait so short that it expires before the dispatcher has finished unmounting: the JDK resumes it
 *       from the carrier itself and it was, in effect, a yield.</li>
 *   <li>The resume of a dispatcher that never runs again (the machine stopped first) is not reported.</li>
 * </ul>
 *
 * <p>Threading: the hooks run on the stepping thread (or a dispatcher mounted on it), except
 * {@code onForeignExecute} (on the foreign thread) and {@link #escapes()} (any thread). Recording is lock-free and
 * the messages are printed by the stepping thread after the step: a dispatcher that blocked on a lock here would be
 * resumed by another thread, an escape of the detector's own making.
 */
public final class EscapeDetector
{
    /** The thread group of every stepping thread, so that the threads it creates can be told from the host's. */
    static final ThreadGroup STEPPING_THREADS = new ThreadGroup("shoal-deterministic");
    private static final ThreadGroup VIRTUAL_THREADS = Thread.ofVirtual().unstarted(() -> { }).getThreadGroup();
    private static final InheritableThreadLocal<EscapeDetector> ON_CORE = new OnCore();
    /** Frames looked at to tell a dispatcher being started from any other new thread. */
    private static final int SPAWN_FRAMES = 24;
    /** Escapes kept; a loop that escapes every round should not fill the heap. */
    private static final int MAX_KEPT = 1000;
    /** How many yields to wait for a new thread found after a step to show where it runs (no host clock here). */
    private static final int NEW_THREAD_STACK_WAIT_YIELDS = 10_000;

    private final RunnerFactory runners;
    private final ConcurrentLinkedQueue<DeterminismEscape> escapes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger found = new AtomicInteger();
    private final ConcurrentLinkedQueue<DeterminismEscape> unprinted = new ConcurrentLinkedQueue<>();
    private final Set<String> printed = new HashSet<>();
    private final ThreadLocal<Core> stepping = new ThreadLocal<>();
    private ThreadMXBean threadBean;
    private final java.util.concurrent.atomic.AtomicLong startedThreads = new java.util.concurrent.atomic.AtomicLong();
    private long knownThreadId;

    /** How a thread other than the stepping thread resumed a dispatcher (see {@link #onForeignExecute}). */
    record Resumer(DeterminismEscape.Kind kind, String thread, String how, String site)
    {
    }

    EscapeDetector(final RunnerFactory runners)
    {
        this.runners = runners;
    }

    /** The escapes found so far, oldest first (the first {@value #MAX_KEPT}). Any thread. */
    public List<DeterminismEscape> escapes()
    {
        return List.copyOf(escapes);
    }

    /** How many escapes were found, including those not kept. Any thread. */
    public int count()
    {
        return found.get();
    }

    /**
     * For a libOS call that reads the host's clock: returns when the caller may (not on a core, or live mode); on
     * a core in deterministic mode records the escape and throws, naming the caller of the libOS method.
     *
     * @throws DeterminismEscapeException on a dispatcher of a deterministic machine.
     */
    public static void checkHostClock()
    {
        final Dispatcher dispatcher = Dispatcher.currentOrNull();
        if (dispatcher == null || !dispatcher.core().machine().isDeterministic())
        {
            return;
        }
        final List<StackWalker.StackFrame> frames = CallSites.currentFrames();
        final Class<?> api = frames.isEmpty() ? EscapeDetector.class : frames.get(0).getDeclaringClass();
        final String call = frames.isEmpty() ? "the host clock" : api.getSimpleName() + "." +
            frames.get(0).getMethodName() + "()";
        final String site = CallSites.of(frames.stream().filter(f -> f.getDeclaringClass() != api).toList());
        final Core core = dispatcher.core();
        final String name = dispatcher.thread().getName();
        final DeterminismEscape escape = escape(DeterminismEscape.Kind.HOST_CLOCK, core.id(), name, site,
            "dispatcher " + name + " reads the host clock (" + call + ") at " + site +
                "; code on a core reads its cycle clock (Os.now())");
        final EscapeDetector detector = core.escapeDetector();
        if (detector != null)
        {
            detector.record(escape);
        }
        throw new DeterminismEscapeException(escape);
    }

    /** The scheduler of a dispatcher's virtual thread (instead of its core). Called by {@link Core#spawn}. */
    WatchedDispatcher schedulerFor(final Core core, final Dispatcher dispatcher)
    {
        return new WatchedDispatcher(this, core, dispatcher);
    }

    /** Marks the stepping thread, so that threads created on it are seen. Called on it before the first step. */
    void onSteppingThreadStart()
    {
        ON_CORE.set(this);
        synchronized (this)
        {
            knownThreadId = Math.max(knownThreadId, Thread.currentThread().threadId());
            threadBean = ManagementFactory.getThreadMXBean();
            startedThreads.set(threadBean.getTotalStartedThreadCount());
        }
    }

    /**
     * One step of {@code core}'s CPU driver, watched for new platform threads when it ran dispatchers or queued
     * tasks (application code; a step that only polled the monitor costs nothing more). Stepping thread only.
     */
    void step(final Core core)
    {
        stepping.set(core);
        final long dispatched = core.dispatchCount();
        core.handleNextEvent();
        stepping.set(null);
        if (core.dispatchCount() != dispatched)
        {
            final long started = threadBean.getTotalStartedThreadCount();
            final long known = startedThreads.get();
            if (started != known && startedThreads.compareAndSet(known, started))
            {
                reportNewThreads(core);
            }
        }
        if (!unprinted.isEmpty())
        {
            print();
        }
    }

    /**
     * {@link Core#execute} was called from a thread that is not the stepping thread. Records the escape (for a
     * dispatcher's continuation, when it runs: its stack can be read safely only on the stepping thread) and
     * delivers {@code task} as a host request instead. Called on the foreign thread.
     */
    void onForeignExecute(final Core core, final Runnable task)
    {
        final Resumer resumer = describeResumer();
        if (task instanceof WatchedDispatcher watched)
        {
            watched.resumedBy(resumer);
        }
        else
        {
            final String site = resumer.site() == null ? CallSites.UNKNOWN : resumer.site();
            record(escape(DeterminismEscape.Kind.FOREIGN_RESUME, core.id(), resumer.thread(), site,
                "thread '" + resumer.thread() + "' queues a task on core " + core.id() + " at " + site +
                    ", not through Machine.hostSubmit"));
        }
        runners.hostSubmit(core, task);
    }

    /** A dispatcher resumed from a foreign thread is about to run. Stepping thread. */
    void onForeignResume(final WatchedDispatcher watched, final Resumer resumer)
    {
        final StackTraceElement[] stack = watched.stack(true);
        final int at = CallSites.firstApplicationFrame(stack);
        final String parkedAt = CallSites.of(stack);
        final String name = watched.dispatcher().thread().getName();
        final int core = watched.dispatcher().core().id();
        if (resumer.kind() == DeterminismEscape.Kind.TIMED_WAIT)
        {
            final boolean park = callsLockSupport(stack, at);
            record(escape(resumer.kind(), core, name, parkedAt, "dispatcher " + name + " called " +
                callee(stack, at) + " at " + parkedAt + " and was woken by the JDK's timer thread ('" +
                resumer.thread() + "'); on a core a wait ends by a message or the core's timers, not the host clock" +
                (park ? "" : " (interrupted)")));
            endWait(watched, park, false);
            return;
        }
        final String site = resumer.site() != null ? resumer.site() : parkedAt;
        final String blockedAt = at < 0 ? "" : " (it was blocked at " + parkedAt + ")";
        record(escape(resumer.kind(), core, name, site, "dispatcher " + name + " was " + resumer.how() +
            " by thread '" + resumer.thread() + "'" + (resumer.site() == null ? "" : " at " + resumer.site()) +
            blockedAt + ", not by a core or through Machine.hostSubmit"));
    }

    /** A dispatcher has just unmounted; it is waiting with a timeout. Stepping thread. */
    void onTimedWait(final WatchedDispatcher watched)
    {
        final StackTraceElement[] stack = watched.stack(false);
        final int at = CallSites.firstApplicationFrame(stack);
        final String site = CallSites.of(stack);
        final String name = watched.dispatcher().thread().getName();
        final boolean park = callsLockSupport(stack, at);
        record(escape(DeterminismEscape.Kind.TIMED_WAIT, watched.dispatcher().core().id(), name, site,
            "dispatcher " + name + " called " + callee(stack, at) + " at " + site + ": a wait with a timeout, " +
                "which the host clock would end; on a core a wait ends by a message or the core's timers (" +
                (park ? "woken now" : "interrupted now") + ")"));
        endWait(watched, park, true);
    }

    /**
     * Ends a timed wait now, on the stepping thread: a direct {@code LockSupport.parkNanos} gets a spurious
     * wake-up (it does not throw; when {@code parked} is false it has been woken already), everything else an
     * interrupt, which makes it throw InterruptedException.
     */
    private static void endWait(final WatchedDispatcher watched, final boolean park, final boolean parked)
    {
        final Thread thread = watched.dispatcher().thread();
        if (!park)
        {
            thread.interrupt();
        }
        else if (parked)
        {
            LockSupport.unpark(thread);
        }
    }

    /** True when the application frame at {@code at} called LockSupport directly (parkNanos, parkUntil). */
    private static boolean callsLockSupport(final StackTraceElement[] stack, final int at)
    {
        return at > 0 && stack[at - 1].getClassName().equals(LockSupport.class.getName());
    }

    private static String callee(final StackTraceElement[] stack, final int at)
    {
        final String callee = CallSites.callee(stack, at);
        return callee == null ? "a timed wait" : callee;
    }

    /**
     * Called in the constructor of a thread created by a thread that carries the mark. On a core (a dispatcher, or
     * the stepping thread inside a step) anything but a dispatcher's start is refused; elsewhere (the stepping
     * thread between steps, running the host's invariant checks) the new thread is allowed and not marked.
     *
     * @return the new thread's mark, or null.
     */
    private EscapeDetector onNewThread()
    {
        final Dispatcher dispatcher = Dispatcher.currentOrNull();
        final Core core = dispatcher != null ? dispatcher.core() :
            Thread.currentThread().getThreadGroup() == STEPPING_THREADS ? stepping.get() : null;
        if (core == null)
        {
            return null;
        }
        if (isDispatcherStart())
        {
            return this;
        }
        final String site = CallSites.of(CallSites.currentFrames());
        final String culprit = dispatcher != null ? dispatcher.thread().getName() : "core " + core.id();
        final String who = dispatcher != null ? "dispatcher " + culprit : "code run by core " + core.id();
        final DeterminismEscape escape = escape(DeterminismEscape.Kind.NEW_THREAD, core.id(), culprit, site,
            who + " creates a thread at " + site + "; code on a core runs only on its core (Os.spawnThread)");
        record(escape);
        throw new DeterminismEscapeException(escape);
    }

    private static boolean isDispatcherStart()
    {
        return CallSites.currentFrames().stream().limit(SPAWN_FRAMES)
            .anyMatch(f -> f.getDeclaringClass() == Dispatcher.class && f.getMethodName().equals("start"));
    }

    /** The started-thread count moved during {@code core}'s step: reports the threads the core created. */
    private synchronized void reportNewThreads(final Core core)
    {
        long newest = knownThreadId;
        final List<Thread> created = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            final long id = thread.threadId();
            newest = Math.max(newest, id);
            final ThreadGroup group = thread.getThreadGroup();
            if (id > knownThreadId && (group == STEPPING_THREADS || group == VIRTUAL_THREADS))
            {
                created.add(thread);
            }
        }
        knownThreadId = newest;
        for (final Thread thread : created)
        {
            final String runs = whereItRuns(thread);
            record(escape(DeterminismEscape.Kind.NEW_THREAD, core.id(), thread.getName(), runs,
                "core " + core.id() + " started platform thread '" + thread.getName() + "', which runs " +
                    (runs.equals(CallSites.UNKNOWN) ? "no code it can name (it ended)" : "at " + runs) +
                    "; code on a core runs only on its core (Os.spawnThread)"));
        }
    }

    /**
     * The first application frame of a thread just started (waiting a little for it to get there), else its
     * outermost frame, or "unknown" once it ended. The wait is bounded by a count of yields, not by host time.
     */
    private static String whereItRuns(final Thread thread)
    {
        StackTraceElement[] stack = thread.getStackTrace();
        for (int i = 0; i < NEW_THREAD_STACK_WAIT_YIELDS && CallSites.firstApplicationFrame(stack) < 0 &&
            thread.isAlive(); i++)
        {
            Thread.yield();
            stack = thread.getStackTrace();
        }
        if (CallSites.firstApplicationFrame(stack) >= 0 || stack.length == 0)
        {
            return CallSites.of(stack);
        }
        return CallSites.format(stack[stack.length - 1]);
    }

    /** Describes the calling (foreign) thread's resume; the kind is TIMED_WAIT when it is the JDK's timer. */
    private static Resumer describeResumer()
    {
        String how = "resumed";
        DeterminismEscape.Kind kind = DeterminismEscape.Kind.FOREIGN_RESUME;
        String site = null;
        for (final StackWalker.StackFrame frame : CallSites.currentFrames())
        {
            if (!CallSites.isInfrastructure(frame.getDeclaringClass()))
            {
                site = CallSites.format(frame.toStackTraceElement());
                break;
            }
            if (frame.getDeclaringClass() == Thread.class || frame.getClassName().equals("java.lang.VirtualThread"))
            {
                switch (frame.getMethodName())
                {
                    case "parkTimeoutExpired", "waitTimeoutExpired" -> kind = DeterminismEscape.Kind.TIMED_WAIT;
                    case "unblockVirtualThreads" -> how = "unblocked after a contended synchronized or Object.wait";
                    case "start" -> how = "started";
                    case "unpark" -> how = "unparked";
                    case "interrupt" -> how = "interrupted";
                    default ->
                    {
                    }
                }
            }
        }
        return new Resumer(kind, Thread.currentThread().getName(), how, site);
    }

    /** Keeps {@code escape} (lock-free: a dispatcher may call this) for {@link #escapes()} and the stepping thread. */
    private void record(final DeterminismEscape escape)
    {
        if (found.incrementAndGet() <= MAX_KEPT)
        {
            escapes.add(escape);
        }
        unprinted.add(escape);
    }

    /** Prints each new kind of escape at a call site once, as one line on System.err. Stepping thread. */
    private synchronized void print()
    {
        DeterminismEscape escape;
        while ((escape = unprinted.poll()) != null)
        {
            if (printed.add(escape.kind() + " " + escape.callSite()))
            {
                System.err.println(escape.message());
            }
        }
    }

    private static DeterminismEscape escape(final DeterminismEscape.Kind kind, final int core, final String culprit,
        final String site, final String what)
    {
        return new DeterminismEscape(kind, core, culprit, site, "determinism escape on core " + core + ": " + what);
    }

    /** Marks the stepping thread; the JDK calls {@link #childValue} on the creating thread in Thread's constructor. */
    private static final class OnCore extends InheritableThreadLocal<EscapeDetector>
    {
        @Override
        protected EscapeDetector childValue(final EscapeDetector detector)
        {
            return detector.onNewThread();
        }
    }

    @Override
    public String toString()
    {
        return "escape detector (" + count() + " escapes)";
    }
}
