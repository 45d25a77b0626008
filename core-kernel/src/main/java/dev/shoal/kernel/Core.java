package dev.shoal.kernel;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MpscUnboundedXaddArrayQueue;

import dev.shoal.kernel.caps.CapCleanup;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.paging.SoftwareTlb;
import dev.shoal.kernel.paging.TouchedLines;

/**
 * One simulated core: its cycle clock, its run queue of dispatchers, its cross-core inbox and its carrier.
 *
 * <p>Threading contract. Everything that runs on a core runs on its carrier: the CPU driver's duty cycle, the
 * services it polls (the monitor) and the dispatcher threads, which are virtual threads whose scheduler is this
 * core ({@link #execute(Runnable)}). Only {@link #execute(Runnable)}, {@link #submit(Runnable)},
 * {@link #spawn(String, Runnable)}, {@link #wake()} and {@link #start(long)} may be called from other threads;
 * they reach the core through its MPSC inbox and an unpark (the IPI role). All other methods are for the core's
 * own carrier.
 *
 * <p>Idle cores cost no host CPU: after a short spin and a few yields the carrier parks until a submission or a
 * doorbell wakes it, or until the whole machine is idle and idle time passes to this core's next timer (see
 * {@link CoreRunner}).
 */
public final class Core implements Executor
{
    private final int id;
    private final Machine machine;
    private final CostModel costs;
    private final CycleClock clock = new CycleClock();
    private final CpuDriver driver = new CpuDriver(this);
    private final FrameAllocator frames;
    private final SoftwareTlb tlb = new SoftwareTlb();
    /** The lines this core has touched through its MMU; null when the machine models no memory latency. */
    private final TouchedLines touchedLines;
    private final Trace trace;
    private final Timeline timeline;
    /** Deterministic mode's escape detector, or null (live mode, or detection off). */
    private final EscapeDetector escapes;
    private final Timers timers = new Timers(this::timersChanged, this);
    private volatile boolean halted;
    private final List<CapCleanup> capCleanups = new ArrayList<>(1);
    private CapOps caps;
    private CSpace initSpace;

    /** RAM given to each core's first CSpace at boot (backed lazily, so idle cores hold none of it). */
    public static final long INIT_RAM_BYTES = 256L << 20;
    private static final int INIT_ROOT_BITS = 8;
    private static final int INIT_LEAF_BITS = 8;

    private final MpscUnboundedXaddArrayQueue<Runnable> inbox = new MpscUnboundedXaddArrayQueue<>(32);
    /** Exact mode's engine, or null in live mode. */
    private final DeterministicScheduler engine;
    /** Exact mode: this core's event sources by next event time (see {@link EventSource}). */
    private final EventHeap<EventSource> sources = new EventHeap<>();
    private int sourceSerial;
    private final RunQueue runQueue;
    private final EventSource timerSource;
    /** The continuation now running on this core (to recognise a yield), or null. */
    private Runnable mounted;
    /** Set while a directed switch re-queues the switching dispatcher: that switch is paid for by its caller. */
    private boolean paidSwitch;
    /** Exact mode: this core's entry in its partition's calendar; the engine's, touched only by it. */
    final CalendarEntry calendarEntry = new CalendarEntry();
    /** Exact mode: set while the engine steps this core (pumps it, lands on it or handles its event). */
    boolean stepping;
    /** Exact mode: the time of the latest event this core has handled ({@link #eventFloor}). */
    private long eventFloor;
    /** Exact mode: set while this core is on its partition's list of cores whose channels need pumping. */
    boolean pumpPending;
    /** Exact mode: the channels whose doorbell rang since the last pump ({@link #ALL_CHANNELS}: look at all). */
    private long[] pendingChannels = new long[4];
    private int pendingCount;

    /** A doorbell that does not say which channel: pump them all. */
    public static final long ALL_CHANNELS = -1;
    private final List<CoreService> services = new ArrayList<>(2);
    private final AtomicInteger dispatcherIds = new AtomicInteger();

    private final AtomicInteger state = new AtomicInteger(OFF);
    private volatile Thread carrier;
    /**
     * The live carrier's sleep (see {@link CoreRunner}): {@link #AWAKE}; {@link #ASLEEP}, stored by the carrier just
     * before its last look for work, so that producers who see it wake the carrier (Dekker-style); or, once a waker
     * claimed the sleep, {@link #AWAKE} again or the deadline {@link IdleTime} lets the core's clock move to. With it,
     * the next timer deadline, published for {@link IdleTime} (a copy, never core state). On lines of its own.
     */
    private final CarrierSleep sleep = new CarrierSleep();
    private boolean handoff;
    private long bootArgument;
    private long dispatchCount;
    /** Written by the carrier only ({@link #fail}); volatile so that the host may read a report while cores run. */
    private volatile Throwable lastFailure;
    private volatile String lastFailureText;
    private volatile long failureCount;

    /** The sleep word: the carrier is not asleep (or was woken for work). */
    static final long AWAKE = CarrierSleep.AWAKE;
    /** The sleep word: the carrier announced its sleep and nobody has claimed it yet. */
    static final long ASLEEP = CarrierSleep.ASLEEP;

    static final int OFF = 0;
    static final int RUNNING = 1;
    static final int STOPPING = 2;
    static final int STOPPED = 3;

    Core(final int id, final Machine machine, final CostModel costs)
    {
        this.id = id;
        this.machine = machine;
        this.costs = costs;
        this.frames = new FrameAllocator(machine.physicalMemory(), id);
        this.touchedLines = machine.memoryLatency() == null ? null : new TouchedLines(id, machine.memoryLatency());
        this.trace = machine.trace();
        this.timeline = machine.timeline();
        this.escapes = machine.runnerFactory().escapeDetector();
        this.engine = machine.runnerFactory() instanceof DeterministicScheduler d ? d : null;
        this.runQueue = new RunQueue(this);
        this.timerSource = new EventSource(this, EventSource.Kind.TIMERS, id)
        {
            @Override
            public long headTime()
            {
                return timers.nextDeadline();
            }

            @Override
            protected void handleHead()
            {
                timers.fireNext(clock);
            }
        };
    }

    public int id()
    {
        return id;
    }

    public Machine machine()
    {
        return machine;
    }

    public CostModel costs()
    {
        return costs;
    }

    /** The core's cycle clock. Read or advanced only on this core (see {@link CycleClock}). */
    public CycleClock clock()
    {
        return clock;
    }

    /** This core's allocator of simulated physical memory. Called only on this core. */
    public FrameAllocator frames()
    {
        return frames;
    }

    /**
     * This core's capability operations and mapping database, created on first use (idle cores hold none).
     * Called only on this core.
     */
    public CapOps caps()
    {
        if (caps == null)
        {
            caps = new CapOps(id, machine.physicalMemory(), new CapCleanup()
            {
                @Override
                public void onLastCopyDeleted(final Capability cap, final Cte slot)
                {
                    for (int i = 0; i < capCleanups.size(); i++)
                    {
                        capCleanups.get(i).onLastCopyDeleted(cap, slot);
                    }
                }

                @Override
                public void onCopyDeleted(final Capability cap, final Cte slot)
                {
                    for (int i = 0; i < capCleanups.size(); i++)
                    {
                        capCleanups.get(i).onCopyDeleted(cap, slot);
                    }
                }
            });
        }
        return caps;
    }

    /**
     * The core's first CSpace, made as a CPU driver makes init's at boot: the KERNEL capability at
     * {@link CSpace#BOOT_KERNEL_CPTR} and a RAM capability over this core's {@link #INIT_RAM_BYTES} at
     * {@link CSpace#BOOT_RAM_CPTR}. Its holder (the monitor, the libOS memory server) hands out the rest. Created
     * on first use; called only on this core.
     */
    public CSpace initCSpace()
    {
        if (initSpace == null)
        {
            final long cnodeMemory = frames.allocate((int)CapOps.bootCNodeBytes(INIT_ROOT_BITS, INIT_LEAF_BITS),
                PhysicalMemory.LINE);
            initSpace = caps().boot(CapOps.initialRam(id, INIT_RAM_BYTES), cnodeMemory, INIT_ROOT_BITS,
                INIT_LEAF_BITS);
        }
        return initSpace;
    }

    /** Whether this core has used capabilities yet (so an inspection need not create its database). */
    public boolean hasCaps()
    {
        return caps != null;
    }

    /** Adds a clean-up run when a capability copy on this core is deleted (e.g. unmapping a frame). This core only. */
    public void addCapCleanup(final CapCleanup cleanup)
    {
        capCleanups.add(cleanup);
    }

    /** This core's timers in simulated time. Called only on this core. */
    public Timers timers()
    {
        return timers;
    }

    /**
     * Fault injection: the core stops — its CPU driver no longer runs, so its dispatchers, its monitor and the
     * channels it should drain all stand still, as if the hardware had hung. Any thread; irreversible.
     */
    public void halt()
    {
        halted = true;
        if (timeline.enabled())
        {
            timeline.fault(this, "halt");
        }
    }

    public boolean isHalted()
    {
        return halted;
    }

    /** Fires due timers; part of the duty cycle. */
    int fireTimers()
    {
        return timers.isEmpty() ? 0 : timers.fireDue(clock.now());
    }

    /** Deterministic mode's escape detector, or null. */
    EscapeDetector escapeDetector()
    {
        return escapes;
    }

    /** The run's event trace, for recording this core's events. Called only on this core. */
    public Trace trace()
    {
        return trace;
    }

    /** This core's software TLB. Called only on this core. */
    public SoftwareTlb tlb()
    {
        return tlb;
    }

    /**
     * The lines this core has read or written through its MMU, which price a first touch as a miss to memory; null
     * when the machine models no memory latency. Called only on this core.
     */
    public TouchedLines touchedLines()
    {
        return touchedLines;
    }

    /** The word handed over with the start-up IPI (see {@link CoreBootstrap}). */
    public long bootArgument()
    {
        return bootArgument;
    }

    public boolean isStarted()
    {
        return state.get() != OFF;
    }

    /** The CPU driver agent, for runners. */
    public CpuDriver driver()
    {
        return driver;
    }

    /** The carrier thread, or null before the core started. */
    public Thread carrier()
    {
        return carrier;
    }

    /**
     * @return true when the caller runs on this core: on its carrier (directly or as a mounted virtual thread) and,
     *     in exact mode, where one thread carries a whole partition of cores, while this core is the one stepped.
     */
    public boolean isCurrent()
    {
        final Thread c = carrier;
        return c != null && VirtualThreads.currentCarrier() == c && (engine == null || stepping);
    }

    /**
     * Starts the core (the start-up IPI) at cycle 0; see {@link #start(long, long)}.
     *
     * @return false when the core was already started.
     */
    public boolean start(final long bootArgument)
    {
        return start(bootArgument, 0);
    }

    /**
     * Starts the core (the start-up IPI): its carrier begins its duty cycle and first runs the machine's
     * {@link CoreBootstrap} with {@code bootArgument}. In exact mode the start-up task is the core's first event, at
     * cycle {@code atCycle} (when the IPI arrives; the starting core passes its clock plus the IPI's latency, so
     * the start obeys the same lookahead as a message). Any thread; a core starts at most once.
     *
     * @return false when the core was already started.
     */
    public boolean start(final long bootArgument, final long atCycle)
    {
        if (!state.compareAndSet(OFF, RUNNING))
        {
            return false;
        }
        this.bootArgument = bootArgument;
        final CoreBootstrap bootstrap = machine.bootstrap();
        final Runnable boot = () -> bootstrap.start(this, bootArgument);
        if (engine != null)
        {
            carrier = engine.carrierFor(this);
            engine.startCore(this, boot, atCycle);
            return true;
        }
        inbox.offer(boot);
        final Thread thread = machine.runnerFactory().carrierFor(this);
        carrier = thread;
        if (thread.getState() == Thread.State.NEW)
        {
            thread.start();
        }
        return true;
    }

    /** Registers a service polled every duty cycle. Called only on this core. */
    public void addService(final CoreService service)
    {
        services.add(service);
    }

    /**
     * Runs {@code task} on this core's carrier (an IPI carrying work). Any thread; lock-free.
     */
    public void submit(final Runnable task)
    {
        inbox.offer(task);
        // The inbox publishes with a release store, which x86 lets the load of the sleep word in wake() pass: without
        // this fence both sides of the handshake could miss each other and the core would sleep on queued work for
        // ever (seen once in about ten million wake-ups of the kv appliance under load).
        VarHandle.fullFence();
        wake();
    }

    /**
     * The scheduler of this core's virtual threads: a continuation that becomes runnable is queued here. From this
     * core's own carrier it goes straight onto the run queue (to the front after {@link #handoff(Thread)}); from
     * anywhere else through the inbox plus a wake-up. In deterministic mode a call from anywhere else is a
     * determinism escape: the {@link EscapeDetector} reports it and delivers the continuation as a host request.
     */
    @Override
    public void execute(final Runnable continuation)
    {
        if (isCurrent())
        {
            if (continuation == mounted && !paidSwitch)
            {
                // The running dispatcher yields: a switch to the next one costs core time, so a yield loop
                // advances the clock (and, in exact mode, lets the rest of the machine catch up).
                clock.advance(costs.yieldCycles());
            }
            if (handoff)
            {
                handoff = false;
                runQueue.addFirst(continuation, clock.now());
            }
            else
            {
                runQueue.addLast(continuation, clock.now());
            }
            if (engine != null)
            {
                sources.update(runQueue);
            }
        }
        else if (escapes != null)
        {
            escapes.onForeignExecute(this, continuation);
        }
        else
        {
            submit(continuation);
        }
    }

    /**
     * Makes {@code thread}, a parked dispatcher of this core, the next one to run (a directed context switch, as
     * in L4 IPC). Called only on this core.
     */
    public void handoff(final Thread thread)
    {
        handoff = true;
        LockSupport.unpark(thread);
        handoff = false;
    }

    /**
     * Gives the core to the next ready dispatcher without charging a yield: for a switch whose cost the caller
     * already charged (an LMP send that handed the core to its receiver). Called only by a dispatcher of this core.
     */
    public void switchAway()
    {
        paidSwitch = true;
        try
        {
            Thread.yield();
        }
        finally
        {
            paidSwitch = false;
        }
    }

    /**
     * Wakes the carrier if it is parked; in exact mode, asks the engine to pump this core's channels before its
     * next event (a doorbell). Any thread; call after publishing work for this core and a full fence.
     *
     * <p>Live mode: the other half of the carrier's Dekker handshake ({@link CoreRunner}): the carrier announces its
     * sleep and then looks for work once more; the caller must not read the sleep word before its work is visible.
     * {@link #submit} fences after its inbox store; a UMP doorbell fences once per batch of slots before it rings.
     * Waking a sleeping core counts it awake for {@link IdleTime} before its carrier runs, so idle time cannot pass
     * while the wake-up is on its way.
     */
    public void wake()
    {
        wake(ALL_CHANNELS);
    }

    /**
     * Like {@link #wake()}, naming the channel that was written: {@code channel} is a key its receiving service
     * knows it by (a UMP ring's address), so that in exact mode the pump looks at that channel only, not at every
     * channel of the core. Any thread.
     */
    public void wake(final long channel)
    {
        if (engine != null)
        {
            engine.onDoorbell(this, channel);
        }
        else if (sleep.isAsleep())
        {
            machine.idleTime().wake(this);
        }
    }

    /**
     * The doorbell a producer rings after publishing work on {@code channel} for this core (a UMP channel's; see
     * {@link #wake(long)}), made once per channel. In live mode it reads only the sleep word's own cache lines,
     * never this object: the fields other cores would read here can share a line with what this core's carrier
     * writes on every message (its clock is allocated right after this object), and each such read would take the
     * line away and make the carrier's next store, and the slot header behind it, wait for it to come back.
     */
    public Runnable doorbell(final long channel)
    {
        if (engine != null)
        {
            return () -> wake(channel);
        }
        final CarrierSleep carrierSleep = sleep;
        final IdleTime idle = machine.idleTime();
        final Core self = this;
        return () ->
        {
            if (carrierSleep.isAsleep())
            {
                idle.wake(self);
            }
        };
    }

    /** True while the live carrier is asleep and nobody has claimed its sleep. Any thread. */
    boolean isAsleep()
    {
        return sleep.isAsleep();
    }

    /** The next timer deadline this core published with its current sleep ({@link Long#MAX_VALUE}: none). */
    long sleepDeadline()
    {
        return sleep.deadline();
    }

    /** Announces the carrier's sleep, with its next deadline. The carrier only; it then looks for work once more. */
    void announceSleep(final long nextDeadline)
    {
        sleep.announce(nextDeadline);
    }

    /**
     * Ends a sleep: {@code word} replaces {@link #ASLEEP} if nobody claimed it first. Any thread; only one caller
     * per sleep succeeds (see {@link IdleTime#wake}).
     */
    boolean claimSleep(final long word)
    {
        return sleep.claim(word);
    }

    /**
     * The carrier, awake again, takes what its claimer left ({@link #AWAKE} or a deadline) and resets the word. The
     * carrier only, after its sleep was claimed.
     */
    long takeSleepWord()
    {
        return sleep.take();
    }

    /**
     * Starts a dispatcher on this core: a virtual thread that only this core's carrier mounts. Any thread.
     */
    public Dispatcher spawn(final String name, final Runnable body)
    {
        final Dispatcher dispatcher = new Dispatcher(this, dispatcherIds.getAndIncrement(), name, body);
        final Executor scheduler = escapes == null ? this : escapes.schedulerFor(this, dispatcher);
        dispatcher.start(VirtualThreads.builder(scheduler).name("core-" + id + "/" + name));
        return dispatcher;
    }

    /** Number of dispatcher runs (continuations mounted) so far; read on this core or after it stopped. */
    public long dispatchCount()
    {
        return dispatchCount;
    }

    /** The last exception a task or handler on this core threw, or null. Any thread. */
    public Throwable lastFailure()
    {
        return lastFailure;
    }

    /** How many tasks, events and handlers of this core threw so far (each contained, see {@link #fail}). Any thread. */
    public long failureCount()
    {
        return failureCount;
    }

    /**
     * This core's failures so far, or null when it had none. Any thread; exact once the machine is quiescent or
     * closed, a snapshot while it runs.
     */
    public CoreFailures failures()
    {
        final long count = failureCount;
        return count == 0 ? null : new CoreFailures(id, count, lastFailureText);
    }

    int drainInbox()
    {
        int n = 0;
        Runnable task;
        while ((task = inbox.relaxedPoll()) != null)
        {
            runQueue.addLast(task, clock.now());
            n++;
        }
        if (n > 0 && engine != null)
        {
            sources.update(runQueue);
        }
        return n;
    }

    /**
     * Polls every service once. A service that throws is recorded as a failure of this core ({@link #fail}) and
     * counted as having worked, so that the carrier polls again at once: the carrier never dies of a service's bug.
     */
    int pollServices()
    {
        int work = 0;
        final List<CoreService> services = this.services;
        for (int i = 0, size = services.size(); i < size; i++)
        {
            final CoreService service = services.get(i);
            try
            {
                work += service.doWork();
            }
            catch (final Throwable t)
            {
                fail("service " + service, t);
                work++;
            }
        }
        return work;
    }

    /** Runs the dispatchers runnable now; later arrivals wait for the next step so the services keep polling. */
    int runDispatchers()
    {
        final int n = runQueue.size();
        int ran = 0;
        for (; ran < n; ran++)
        {
            final Runnable next = runQueue.pollFirst();
            if (next == null)
            {
                break;
            }
            runTask(next);
        }
        return ran;
    }

    /** Runs one ready task or dispatcher continuation on this core. */
    void runTask(final Runnable next)
    {
        dispatchCount++;
        if (trace.enabled())
        {
            trace.record(id, clock.now(), Trace.Event.DISPATCH, dispatchCount, 0);
        }
        final Runnable outer = mounted;
        mounted = next;
        final long start = clock.now();
        final long slice = timeline.enabled() ? timeline.open(id) : 0;
        try
        {
            next.run();
        }
        catch (final Throwable t)
        {
            fail("task", t);
        }
        finally
        {
            mounted = outer;
            if (slice != 0)
            {
                timeline.slice(id, slice, start, clock.now(), "dispatch", "n", dispatchCount);
            }
        }
    }

    /** Runs a timer's task (a slice on the timeline when one is written). */
    void runTimer(final Runnable task)
    {
        if (!timeline.enabled())
        {
            task.run();
            return;
        }
        final long start = clock.now();
        final long slice = timeline.open(id);
        try
        {
            task.run();
        }
        finally
        {
            timeline.slice(id, slice, start, clock.now(), "timer");
        }
    }

    boolean hasQueuedWork()
    {
        return !runQueue.isEmpty() || !inbox.isEmpty();
    }

    // ---------------------------------------------------------------- exact mode (DeterministicScheduler)

    /** The next serial number of an event source of this core (its creation order, the last tie-breaker). */
    int nextSourceSerial()
    {
        return sourceSerial++;
    }

    /** Where events from {@code peer} rank among equal-time events: the peer itself, or a seeded permutation. */
    int peerOrder(final int peer)
    {
        return engine == null ? peer : engine.peerOrder(id, peer);
    }

    /** An event source's head may have changed. Core-local; a no-op in live mode. */
    void reschedule(final EventSource source)
    {
        if (engine != null)
        {
            sources.update(source);
        }
    }

    private void timersChanged()
    {
        if (engine != null && timerSource != null)
        {
            sources.update(timerSource);
        }
    }

    /** Exact mode: the time of this core's next event, or {@link Long#MAX_VALUE} (none, halted or stopped). */
    long nextEventTime()
    {
        return halted || state.get() != RUNNING ? Long.MAX_VALUE : sources.minTime();
    }

    /** A core's entry in its partition's calendar, ordered by the core's next event time, then its id. */
    final class CalendarEntry extends EventHeap.Entry
    {
        Core core()
        {
            return Core.this;
        }

        @Override
        long eventTime()
        {
            return nextEventTime();
        }

        @Override
        long tie()
        {
            return id;
        }
    }

    /**
     * Something that ran on this core threw and was contained (Agrona's AgentRunner hands such errors to its error
     * handler and keeps the duty cycle going): counted, kept as the core's last failure and reported in one line
     * {@code core N: <what> failed: <exception>}, without a stack trace. The core keeps running. {@code what} names
     * the failed work ("task", "handler of Ask from core 3"). Called only on this core's carrier.
     */
    public void fail(final String what, final Throwable t)
    {
        final String text = what + " failed: " + t;
        lastFailure = t;
        lastFailureText = text;
        failureCount++;
        System.err.println("core " + id + ": " + text);
    }

    /**
     * A time before which this core handles no more events: in exact mode the time of the event being handled (or
     * the last one), since a core handles its events in time order; in live mode, where messages are handled as
     * they come, its clock, which later messages may be stamped before (an approximation, as live mode's cycle
     * figures are wherever messages contend). For state that books resources at times before the clock (a
     * message's line fetch may have started while the core was busy) and must know what it may forget. This core
     * only.
     */
    public long eventFloor()
    {
        return engine != null ? eventFloor : clock.now();
    }

    /** Exact mode: handles this core's earliest event. The core's carrier (its partition's thread) only. */
    void handleNextEvent()
    {
        final EventSource source = sources.peek();
        if (source == null)
        {
            return;
        }
        stepping = true;
        eventFloor = Math.max(eventFloor, source.headTime());
        try
        {
            source.handleHead();
        }
        catch (final Throwable t)
        {
            fail("event", t);
        }
        finally
        {
            stepping = false;
        }
        sources.update(source);
    }

    /**
     * Exact mode: moves bytes between this core's channels and its own queues (the transport, outside simulated
     * time) and takes what foreign threads left in its inbox. The core's carrier only; never inside an event.
     */
    void pump()
    {
        if (halted)
        {
            return;
        }
        stepping = true;
        try
        {
            drainInbox();
            final List<CoreService> services = this.services;
            final int pending = pendingCount;
            pendingCount = 0;
            boolean all = false;
            for (int c = 0; c < pending && !all; c++)
            {
                all = pendingChannels[c] == ALL_CHANNELS;
            }
            for (int i = 0, size = services.size(); i < size; i++)
            {
                final CoreService service = services.get(i);
                if (all)
                {
                    service.pump(ALL_CHANNELS);
                }
                else
                {
                    for (int c = 0; c < pending; c++)
                    {
                        service.pump(pendingChannels[c]);
                    }
                }
            }
        }
        finally
        {
            stepping = false;
        }
    }

    /** Exact mode: remembers that {@code channel}'s doorbell rang, for the next pump. The core's carrier only. */
    void notePending(final long channel)
    {
        // The last one only: a channel pumped twice finds nothing the second time, and a scan would cost a hub
        // core that many doorbells ring between two pumps (across partitions, a whole window's) a square.
        if (pendingCount > 0 && pendingChannels[pendingCount - 1] == channel)
        {
            return;
        }
        if (pendingCount == pendingChannels.length)
        {
            pendingChannels = java.util.Arrays.copyOf(pendingChannels, pendingCount * 2);
        }
        pendingChannels[pendingCount++] = channel;
    }

    /** Exact mode: a host request or the start-up task lands on this core at {@code at}. Its carrier only. */
    void land(final Runnable task, final long at)
    {
        clock.observe(at);
        runQueue.addLast(task, clock.now());
        sources.update(runQueue);
    }

    boolean isRunning()
    {
        return state.get() == RUNNING;
    }

    /** Asks the carrier to stop after its current duty cycle. Any thread. */
    void stop()
    {
        if (state.compareAndSet(RUNNING, STOPPING))
        {
            if (engine != null)
            {
                engine.onStop();
                return;
            }
            final Thread c = carrier;
            if (c != null)
            {
                LockSupport.unpark(c);
            }
        }
    }

    void join() throws InterruptedException
    {
        final Thread c = carrier;
        if (c != null && c != Thread.currentThread())
        {
            c.join();
        }
        state.set(STOPPED);
    }

    @Override
    public String toString()
    {
        return "core " + id;
    }
}
