package dev.shoal.kernel;

import java.util.concurrent.Executor;

/**
 * The scheduler of one dispatcher's virtual thread in deterministic mode, standing between the JDK and the core.
 * The JDK hands it the thread's continuation ({@link #execute}); it queues itself on the core in its place; when
 * the core runs it ({@link #run}) it runs the continuation and then looks at how the dispatcher stopped. So the
 * {@link EscapeDetector} knows, on every thread, which dispatcher a queued continuation resumes, for one extra call
 * per run. Live mode does not use it: there a dispatcher's scheduler is its core.
 *
 * <p>A virtual thread has at most one continuation queued at a time, always the same object; so one field holds it.
 */
final class WatchedDispatcher implements Executor, Runnable
{
    private final EscapeDetector detector;
    private final Core core;
    private final Dispatcher dispatcher;
    private Runnable continuation;
    /** Set by a foreign thread that resumed the dispatcher; taken on the stepping thread when it runs. */
    private volatile EscapeDetector.Resumer resumedBy;
    /** The thread reading this dispatcher's stack, whose resubmission of the continuation is held back. */
    private Thread readingStack;
    private boolean resubmitted;

    WatchedDispatcher(final EscapeDetector detector, final Core core, final Dispatcher dispatcher)
    {
        this.detector = detector;
        this.core = core;
        this.dispatcher = dispatcher;
    }

    Dispatcher dispatcher()
    {
        return dispatcher;
    }

    /** The JDK schedules the thread's continuation: queue it on the core (from a foreign thread: an escape). */
    @Override
    public void execute(final Runnable continuation)
    {
        this.continuation = continuation;
        if (readingStack == Thread.currentThread())
        {
            resubmitted = true;
            return;
        }
        core.execute(this);
    }

    /** The core mounts the dispatcher. Stepping thread. */
    @Override
    public void run()
    {
        final EscapeDetector.Resumer resumer = resumedBy;
        if (resumer != null)
        {
            resumedBy = null;
            detector.onForeignResume(this, resumer);
        }
        continuation.run();
        if (dispatcher.thread().getState() == Thread.State.TIMED_WAITING)
        {
            detector.onTimedWait(this);
        }
    }

    void resumedBy(final EscapeDetector.Resumer resumer)
    {
        resumedBy = resumer;
    }

    /**
     * The stack of the unmounted dispatcher. Reading it suspends the virtual thread for a moment and the JDK then
     * submits its continuation again if it is runnable (VirtualThread.tryGetStackTrace); that second submission is
     * held back here: dropped when the caller runs the continuation next anyway, else queued on the core.
     * Stepping thread.
     */
    StackTraceElement[] stack(final boolean runningNext)
    {
        readingStack = Thread.currentThread();
        resubmitted = false;
        final StackTraceElement[] stack;
        try
        {
            stack = dispatcher.thread().getStackTrace();
        }
        finally
        {
            readingStack = null;
        }
        if (resubmitted && !runningNext)
        {
            core.execute(this);
        }
        return stack;
    }
}
