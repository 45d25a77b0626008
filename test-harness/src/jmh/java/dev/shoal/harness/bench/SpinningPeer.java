package dev.shoal.harness.bench;

import java.util.function.IntSupplier;

/**
 * The other end of a host ring benchmark: a platform thread that busy-spins on a step it builds itself, so that
 * whatever it owns (its UMP endpoint, its copy buffers, its counters) is allocated on that thread, as a core builds
 * its own end of a channel, and never sits in a cache line next to the benchmark thread's fields.
 */
abstract class SpinningPeer
{
    private volatile boolean running;
    private volatile boolean ready;
    private volatile Throwable failure;
    private Thread thread;

    /** Starts the peer thread and waits until it has built its side. */
    final void start(final String name)
    {
        running = true;
        thread = Thread.ofPlatform().name(name).daemon(true).start(() ->
        {
            try
            {
                final IntSupplier step = ownSide();
                ready = true;
                while (running)
                {
                    if (step.getAsInt() == 0)
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            catch (final Throwable t)
            {
                failure = t;
            }
        });
        while (!ready)
        {
            checkAlive();
            Thread.onSpinWait();
        }
    }

    /** Benchmark thread, in its waiting loops: fails instead of waiting for a peer that has died. */
    final void checkAlive()
    {
        final Throwable t = failure;
        if (t != null)
        {
            throw new IllegalStateException(thread.getName() + " failed: " + t, t);
        }
    }

    /**
     * Called once on the peer thread: builds what it owns and returns one step, which handles what has arrived and
     * returns work done (0 when idle).
     */
    abstract IntSupplier ownSide();

    /** Stops the peer thread and waits for it. */
    final void stop() throws InterruptedException
    {
        running = false;
        thread.join();
    }
}
