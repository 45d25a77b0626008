package dev.shoal.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Deterministic mode: one host thread is the carrier of every core and steps their CPU drivers in an order drawn
 * from a seed (Agrona's AgentInvoker / Aeron's INVOKER mode, where the caller drives the agents). Each round
 * steps every started core once, in a random permutation; dispatchers (virtual threads) are mounted on this same
 * thread when their core runs them. So the same seed gives the same interleaving, the same cycle stamps and the
 * same trace, on every run and every host.
 *
 * <p>The host's requests ({@link #hostSubmit}) are admitted only when a whole round did no work (the machine is
 * quiescent), one at a time, so where they land does not depend on host timing. When quiescent with no request
 * waiting, the thread parks until one arrives or the machine stops.
 *
 * <p>Code on a core that lets the host's clock or threads decide what happens next (Thread.sleep, a new thread, a
 * dispatcher resumed from another thread) is reported as a determinism escape ({@link EscapeDetector}).
 */
public final class DeterministicScheduler implements RunnerFactory
{
    private final long seed;
    private final SplittableRandom random;
    private final TraceRecorder trace;
    private final List<Core> registered = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> hostRequests = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final EscapeDetector detector = new EscapeDetector(this);
    private boolean detectEscapes = true;
    private volatile boolean parked;
    private Runnable afterStep;
    private long rounds;
    private long steps;

    public DeterministicScheduler(final long seed, final TraceRecorder trace)
    {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.trace = trace;
        this.thread = Thread.ofPlatform().group(EscapeDetector.STEPPING_THREADS).name("shoal-deterministic-" + seed)
            .daemon(true).unstarted(this::run);
    }

    public long seed()
    {
        return seed;
    }

    @Override
    public Trace trace()
    {
        return trace;
    }

    /** Rounds and single core steps done so far (read after the machine stopped). */
    public long rounds()
    {
        return rounds;
    }

    public long steps()
    {
        return steps;
    }

    /**
     * Turns the detection of determinism escapes ({@link EscapeDetector}) on (the default) or off. Set before the
     * machine is made. Off, nothing is reported, and a dispatcher resumed by another thread (the JDK's timer after a
     * {@code Thread.sleep}, say) goes to its core's inbox, where the stepping thread, if it is parked waiting for a
     * host request, does not look until one arrives.
     */
    public DeterministicScheduler detectEscapes(final boolean on)
    {
        this.detectEscapes = on;
        return this;
    }

    /** The determinism escapes found so far (see {@link EscapeDetector}). Any thread. */
    public List<DeterminismEscape> escapes()
    {
        return detector.escapes();
    }

    @Override
    public boolean isDeterministic()
    {
        return true;
    }

    @Override
    public EscapeDetector escapeDetector()
    {
        return detectEscapes ? detector : null;
    }

    /**
     * Runs {@code check} on the stepping thread after every core step, while every core is paused: an invariant
     * checker may read any core's state. Set before the machine starts.
     */
    public void afterEachStep(final Runnable check)
    {
        this.afterStep = check;
    }

    @Override
    public synchronized Thread carrierFor(final Core core)
    {
        registered.add(core);
        if (thread.getState() == Thread.State.NEW)
        {
            thread.start();
        }
        LockSupport.unpark(thread);
        return thread;
    }

    @Override
    public void hostSubmit(final Core core, final Runnable task)
    {
        hostRequests.add(() -> core.submit(task));
        if (parked)
        {
            LockSupport.unpark(thread);
        }
    }

    private synchronized Core[] snapshot()
    {
        return registered.toArray(new Core[0]);
    }

    private void run()
    {
        final EscapeDetector escapes = escapeDetector();
        if (escapes != null)
        {
            escapes.onSteppingThreadStart();
        }
        Core[] cores = snapshot();
        while (true)
        {
            if (cores.length != registered.size())
            {
                cores = snapshot();
            }
            boolean anyRunning = false;
            int work = 0;
            shuffle(cores);
            for (final Core core : cores)
            {
                if (core.isRunning())
                {
                    anyRunning = true;
                    if (core.isHalted())
                    {
                        continue;
                    }
                    work += escapes == null ? core.driver().doWork() : escapes.step(core);
                    steps++;
                    if (afterStep != null)
                    {
                        afterStep.run();
                    }
                }
            }
            rounds++;
            if (!anyRunning && cores.length > 0)
            {
                return;
            }
            if (work == 0 && advanceToNextTimer(cores))
            {
                continue;
            }
            if (work == 0)
            {
                // Quiescent: the next event is the host's next request, whenever it comes. Waiting draws nothing
                // from the seed, so the schedule does not depend on how long the host takes.
                final Runnable request = awaitHostRequest(cores);
                if (request != null)
                {
                    request.run();
                }
            }
        }
    }

    private void shuffle(final Core[] cores)
    {
        for (int i = cores.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final Core t = cores[i];
            cores[i] = cores[j];
            cores[j] = t;
        }
    }

    /**
     * Idle time passes: the running core with the earliest timer has its clock moved to that deadline, so the
     * timer fires in the next round. Timers come before host requests, so when a request is admitted never
     * depends on the host's timing.
     *
     * @return false when no core has a timer.
     */
    private static boolean advanceToNextTimer(final Core[] cores)
    {
        Core earliest = null;
        long deadline = Long.MAX_VALUE;
        for (final Core core : cores)
        {
            if (core.isRunning() && !core.isHalted() && core.timers().nextDeadline() < deadline)
            {
                deadline = core.timers().nextDeadline();
                earliest = core;
            }
        }
        if (earliest == null)
        {
            return false;
        }
        earliest.clock().observe(deadline);
        return true;
    }

    /** Parks until a host request arrives (returned) or no core runs any more (null). */
    private Runnable awaitHostRequest(final Core[] cores)
    {
        Runnable request;
        while ((request = hostRequests.poll()) == null && anyRunning(cores) && registered.size() == cores.length)
        {
            parked = true;
            if (hostRequests.isEmpty())
            {
                LockSupport.park(this);
            }
            parked = false;
        }
        return request;
    }

    private static boolean anyRunning(final Core[] cores)
    {
        for (final Core core : cores)
        {
            if (core.isRunning())
            {
                return true;
            }
        }
        return false;
    }
}
