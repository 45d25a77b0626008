package dev.shoal.libos.rpc;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * A FIFO mutex for the dispatchers of one core. Every caller runs on that core's carrier, one at a time and
 * without preemption, so the fields need no synchronisation: a waiter parks, and the holder hands the lock
 * straight to the first waiter when it unlocks.
 */
final class CoreLocalLock
{
    private final ArrayDeque<Thread> waiting = new ArrayDeque<>();
    private Thread owner;

    /** Blocks the calling dispatcher until it holds the lock. Not reentrant. */
    void lock()
    {
        final Thread self = Thread.currentThread();
        if (owner == null)
        {
            owner = self;
            return;
        }
        if (owner == self)
        {
            throw new IllegalStateException("a dispatcher called through an RPC stub from inside its own call");
        }
        waiting.addLast(self);
        while (owner != self)
        {
            LockSupport.park(this);
        }
    }

    /** Called by the holder. */
    void unlock()
    {
        owner = waiting.pollFirst();
        if (owner != null)
        {
            LockSupport.unpark(owner);
        }
    }
}
