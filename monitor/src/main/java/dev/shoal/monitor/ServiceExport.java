package dev.shoal.monitor;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * A service exported by a dispatcher: clients that bind to its name arrive as {@link Binding}s in its accept
 * queue. Core-local: used by dispatchers of the exporting core and filled by that core's monitor.
 */
public final class ServiceExport
{
    private final String name;
    private final int serviceId;
    private final ArrayDeque<Binding> pending = new ArrayDeque<>();
    private Thread waiter;

    ServiceExport(final String name, final int serviceId)
    {
        this.name = name;
        this.serviceId = serviceId;
    }

    public String name()
    {
        return name;
    }

    public int serviceId()
    {
        return serviceId;
    }

    /** Waits for the next client binding. Called by a dispatcher of the exporting core. */
    public Binding accept()
    {
        Binding binding;
        while ((binding = pending.pollFirst()) == null)
        {
            waiter = Thread.currentThread();
            LockSupport.park(this);
        }
        waiter = null;
        return binding;
    }

    void offer(final Binding binding)
    {
        pending.addLast(binding);
        final Thread w = waiter;
        if (w != null)
        {
            waiter = null;
            LockSupport.unpark(w);
        }
    }
}
