package dev.shoal.libos.octopus;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import dev.shoal.libos.Domain;
import dev.shoal.libos.Os;
import dev.shoal.libos.Shoal;
import dev.shoal.libos.rpc.Rpc;

/**
 * A client of the Octopus name service (Barrelfish's record store): records name → string value, blocking
 * waits for a record, and watches whose callbacks run on the watcher's core.
 * <pre>{@code
 * Octopus.start(shoal);                                  // host side: the server on core 0
 * Octopus oct = Octopus.client(os);                      // any core; waits until the server is up
 * oct.set("disk.0", "ready");
 * OctopusRecord r = oct.waitFor("net.0");                // blocks until someone sets it
 * OctopusRecord q = oct.waitFor("net.1", 2_000_000);     // ... or null after 2M simulated cycles
 * Watch w = oct.watch("disk.*", e -> ...);               // e arrives as a message, runs on this core
 * }</pre>
 * All calls are RPCs through one binding: calls from several threads of the dispatcher take turns, and a
 * {@link #waitFor} holds the binding while it waits, so a thread that must not wait behind it uses a client of
 * its own. A client is used only on the core that made it.
 */
public final class Octopus implements AutoCloseable
{
    /** The name the server is exported under. */
    public static final String SERVICE = "octopus";

    /** The core {@link #start(Shoal)} serves from (the name-server core). */
    public static final int DEFAULT_CORE = 0;

    private final Os os;
    private final OctopusService service;
    private final Map<Long, Watch> watches = new HashMap<>();
    private String sink;

    private Octopus(final Os os, final OctopusService service)
    {
        this.os = os;
        this.service = service;
    }

    /** Serves the store from the calling dispatcher's core under {@link #SERVICE}; returns once it is exported. */
    public static void serve(final Os os)
    {
        Rpc.export(os, SERVICE, OctopusService.class, new OctopusServer(os));
    }

    /**
     * Host side: starts the server on {@code core} and waits until it is exported.
     *
     * @throws IllegalStateException when it does not come up within {@code timeout}.
     */
    public static void start(final Shoal shoal, final int core, final Duration timeout) throws InterruptedException
    {
        final Domain domain = shoal.startDomain("octopus", new int[] {core}, Octopus::serve);
        if (!domain.join(timeout))
        {
            throw new IllegalStateException("the Octopus server on core " + core + " did not start within " + timeout);
        }
    }

    /** Host side: starts the server on core 0. */
    public static void start(final Shoal shoal) throws InterruptedException
    {
        start(shoal, DEFAULT_CORE, Duration.ofSeconds(60));
    }

    /** A client on the calling dispatcher's core; waits until the server is exported. */
    public static Octopus client(final Os os)
    {
        return new Octopus(os, Rpc.bindWhenExported(os, SERVICE, OctopusService.class));
    }

    /**
     * Sets {@code name} (not empty, no {@code *} or {@code ?}) to {@code value}.
     *
     * @return the store version of this change.
     */
    public long set(final String name, final String value)
    {
        Pattern.checkName(name);
        if (value == null)
        {
            throw new IllegalArgumentException("the value of Octopus record '" + name + "' is null");
        }
        return service.set(name, value);
    }

    /** The record {@code name}, or null. */
    public OctopusRecord get(final String name)
    {
        return service.get(Pattern.checkName(name));
    }

    /** Deletes {@code name}; false when there was no such record. */
    public boolean delete(final String name)
    {
        return service.delete(Pattern.checkName(name));
    }

    /** The record {@code name}, blocking the calling dispatcher until some client sets it if there is none. */
    public OctopusRecord waitFor(final String name)
    {
        return service.waitFor(Pattern.checkName(name));
    }

    /**
     * The record {@code name}, blocking the calling dispatcher until some client sets it if there is none, but for
     * at most {@code timeoutCycles} of simulated time: null when nobody set it in time.
     *
     * <p>The time is the server core's: the wait starts when the request reaches the server and ends when a timer
     * of that core fires, so on this core's clock at least {@code timeoutCycles} have passed when it returns null.
     * Host time plays no part, in either mode. Like every timer, it fires once the server core's clock gets there,
     * through its own work or because the whole machine is idle and idle time passes to it; while other cores keep
     * working, the wait may last longer in host time, never less in simulated time. A set that arrives after the
     * timeout is not delivered to this call (the next {@code get} or {@code waitFor} sees it). A timeout of 0 looks
     * once, like {@link #get}; one that would end past the last cycle the clock can count waits like
     * {@link #waitFor(String)}.
     *
     * @throws IllegalArgumentException when {@code timeoutCycles} is negative.
     */
    public OctopusRecord waitFor(final String name, final long timeoutCycles)
    {
        Pattern.checkName(name);
        return service.waitFor(name, checkTimeout(name, timeoutCycles));
    }

    static long checkTimeout(final String name, final long timeoutCycles)
    {
        if (timeoutCycles < 0)
        {
            throw new IllegalArgumentException("the timeout of a wait for Octopus record '" + name +
                "' is negative: " + timeoutCycles + " cycles");
        }
        return timeoutCycles;
    }

    /** Names of the records matching {@code pattern} ({@code *} any run, {@code ?} one character), sorted. */
    public String[] names(final String pattern)
    {
        return service.names(Pattern.checkPattern(pattern));
    }

    /**
     * Watches the records matching {@code pattern}: every change the server makes after this call returns — a set
     * or a delete of a matching record — is sent to this core as a message, and {@code callback} runs on a
     * dispatcher of this core with it. A client's callbacks run one at a time, in version order.
     */
    public Watch watch(final String pattern, final Consumer<OctopusEvent> callback)
    {
        Pattern.checkPattern(pattern);
        if (sink == null)
        {
            sink = exportSink();
        }
        final long id = service.watch(pattern, sink);
        final Watch watch = new Watch(this, id, pattern, callback);
        watches.put(id, watch);
        return watch;
    }

    void cancel(final Watch watch)
    {
        watches.remove(watch.id());
        service.unwatch(watch.id());
    }

    /** Ends the client's binding; its watches stop first. */
    @Override
    public void close()
    {
        for (final Watch w : watches.values().toArray(Watch[]::new))
        {
            w.cancel();
        }
        Rpc.close(service);
    }

    /** Names of sinks are unique per core: the core's own counter, kept with its monitor's core-local state. */
    private static final class SinkNames
    {
        long next;
    }

    private String exportSink()
    {
        final long n = ++os.monitor().local(SinkNames.class, SinkNames::new).next;
        final String name = "octopus-watch/" + os.coreId() + "/" + n;
        Rpc.export(os, name, WatchSink.class, (watchId, event) ->
        {
            final Watch w = watches.get(watchId);
            if (w != null)
            {
                w.deliver(event);
            }
        });
        return name;
    }
}
