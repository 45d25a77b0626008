package dev.shoal.libos;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * A FIFO mutex for the dispatchers of one core. Every caller runs on that core's carrier, one at a time and
 * without preemption, so the fields need no synchronisation: a waiter parks (its virtual thread unmounts and the
 * core runs other work), and the holder hands the lock straight to the first waiter when it unlocks.
 *
 * <p>Threading: core-local. Only dispatchers of the core that made it may call it; it must never be reached from
 * another core (nothing mutable crosses cores). Not reentrant: a holder that asks again is a bug, reported with
 * the name the lock was given.
 */
public final class CoreLocalLock
{
    private final String name;
    private final ArrayDeque<Thread> waiting = new ArrayDeque<>();
    private Thread owner;

    /** @param name what the lock guards, for the error when a holder asks for it again. */
    public CoreLocalLock(final String name)
    {
        this.name = name;
    }

    /** Blocks the calling dispatcher until it holds the lock, after every dispatcher that asked before it. */
    public void lock()
    {
        final Thread self = Thread.currentThread();
        if (owner == null)
        {
            owner = self;
            return;
        }
        if (owner == self)
        {
            throw new IllegalStateException("lock '" + name + "': its holder asked for it again");
        }
        waiting.addLast(self);
        while (owner != self)
        {
            LockSupport.park(this);
        }
    }

    /** Called by the holder: passes the lock to the longest waiter, if any. */
    public void unlock()
    {
        if (owner != Thread.currentThread())
        {
            throw new IllegalStateException("lock '" + name + "': unlocked by a dispatcher that does not hold it");
        }
        owner = waiting.pollFirst();
        if (owner != null)
        {
            LockSupport.unpark(owner);
        }
    }

    /** True when some dispatcher holds it. */
    public boolean isLocked()
    {
        return owner != null;
    }
}
