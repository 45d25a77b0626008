package dev.shoal.kernel;

import java.time.Duration;

/**
 * A dispatcher: the unit of execution on one core, here a virtual thread that only its core's carrier mounts.
 *
 * <p>There is no preemption. A dispatcher keeps the core until it blocks (a receive, a lock, a join) or until a
 * libOS call notices that its time slice is spent ({@link #charge(long)}) and yields. The docs say so.
 */
public final class Dispatcher
{
    private static final ThreadLocal<Dispatcher> CURRENT = new ThreadLocal<>();

    private final Core core;
    private final int id;
    private final String name;
    private final Runnable body;
    private Thread thread;
    private long sliceUsed;
    private long yields;
    private volatile Throwable failure;

    Dispatcher(final Core core, final int id, final String name, final Runnable body)
    {
        this.core = core;
        this.id = id;
        this.name = name;
        this.body = body;
    }

    void start(final Thread.Builder.OfVirtual builder)
    {
        thread = builder.unstarted(this::run);
        thread.start();
    }

    private void run()
    {
        CURRENT.set(this);
        try
        {
            body.run();
        }
        catch (final Throwable t)
        {
            failure = t;
        }
        finally
        {
            CURRENT.remove();
        }
    }

    /** The dispatcher the caller runs in; fails when the caller is not a Shoal dispatcher. */
    public static Dispatcher current()
    {
        final Dispatcher d = CURRENT.get();
        if (d == null)
        {
            throw new IllegalStateException("not running on a Shoal dispatcher (thread " +
                Thread.currentThread().getName() + ")");
        }
        return d;
    }

    /** The dispatcher the caller runs in, or null. */
    public static Dispatcher currentOrNull()
    {
        return CURRENT.get();
    }

    public Core core()
    {
        return core;
    }

    public int id()
    {
        return id;
    }

    public String name()
    {
        return name;
    }

    public Thread thread()
    {
        return thread;
    }

    /**
     * Charges {@code cycles} to this core's clock on behalf of this dispatcher and, when its time slice is spent,
     * yields the core to the next runnable dispatcher. Called only by this dispatcher.
     */
    public void charge(final long cycles)
    {
        core.clock().advance(cycles);
        sliceUsed += cycles;
        if (sliceUsed >= core.costs().timeSlice())
        {
            yieldCore();
        }
    }

    /**
     * Gives up the rest of the time slice; the switch costs {@link CostModel#yieldCycles()}. Called only by this
     * dispatcher.
     */
    public void yieldCore()
    {
        sliceUsed = 0;
        yields++;
        Thread.yield();
    }

    /**
     * Gives the core to the dispatcher it was just handed to ({@link Core#handoff}), the switch being paid by the
     * caller's own charge (an LMP send). Called only by this dispatcher.
     */
    public void switchAway()
    {
        sliceUsed = 0;
        yields++;
        core.switchAway();
    }

    /** How many times this dispatcher gave up the core at the end of a slice or by request. */
    public long yields()
    {
        return yields;
    }

    /** The exception the dispatcher's body ended with, or null. */
    public Throwable failure()
    {
        return failure;
    }

    public boolean isAlive()
    {
        return thread.isAlive();
    }

    /**
     * Waits for the dispatcher to end; host-side only (tests, the CLI), never from a core.
     *
     * @return false on time-out.
     */
    public boolean join(final Duration timeout) throws InterruptedException
    {
        return thread.join(timeout);
    }

    @Override
    public String toString()
    {
        return "dispatcher " + name + " on core " + core.id();
    }
}
