package dev.shoal.libos;

import java.util.Objects;

import dev.shoal.kernel.Dispatcher;
import dev.shoal.monitor.BindingOperation;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.NameServiceException;

/**
 * The library OS as one dispatcher sees it: its core, its clock, threads, services and channels. An application
 * gets one {@code Os} per dispatcher from {@link Domain}; every method is called only from that dispatcher's
 * threads (all of which run on its core).
 *
 * <p>Scheduling is cooperative: a thread keeps the core until it blocks or until a libOS call finds its time slice
 * spent ({@link #compute(long)} and the message calls charge cycles and yield when it is).
 */
public final class Os
{
    private final Shoal shoal;
    private final Domain domain;
    private final int core;

    Os(final Shoal shoal, final Domain domain, final int core)
    {
        this.shoal = shoal;
        this.domain = domain;
        this.core = core;
    }

    /** The core this dispatcher runs on. */
    public int coreId()
    {
        return core;
    }

    /** The cores of this dispatcher's domain. */
    public int[] domainCores()
    {
        return domain.cores();
    }

    public String domainName()
    {
        return domain.name();
    }

    /** Number of cores the machine booted. */
    public int machineCores()
    {
        return shoal.cores();
    }

    /** The core's cycle clock: simulated time, the only clock code on a core may read. */
    public long now()
    {
        check();
        return Dispatcher.current().core().clock().now();
    }

    /** Spends {@code cycles} of simulated computation; yields the core when the time slice is spent. */
    public void compute(final long cycles)
    {
        check().charge(cycles);
    }

    /** Gives the core to the next runnable thread. */
    public void yieldCore()
    {
        check().yieldCore();
    }

    /** Starts another thread of this domain on this core. */
    public Dispatcher spawnThread(final String name, final Runnable body)
    {
        return check().core().spawn(domain.name() + "/" + name, body);
    }

    /**
     * Exports a service under {@code name} (registered with the name service on core 0).
     *
     * @throws NameServiceException when the name is taken.
     */
    public Service export(final String name)
    {
        check();
        return new Service(BindingOperation.export(monitor(), name));
    }

    /**
     * Binds to the service {@code name}: LMP if it runs on this core, otherwise a new UMP channel.
     *
     * @throws NameServiceException when no service has that name.
     */
    public Channel bind(final String name)
    {
        check();
        return new Channel(BindingOperation.bind(monitor(), name));
    }

    /** The monitor of this core, for applications that speak a monitor operation of their own. */
    public Monitor monitor()
    {
        return shoal.system().monitorOf(core);
    }

    private Dispatcher check()
    {
        final Dispatcher d = Dispatcher.current();
        if (d.core().id() != core)
        {
            throw new IllegalStateException("the libOS of core " + core + " was called from core " + d.core().id());
        }
        return d;
    }
}
