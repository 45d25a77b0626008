package dev.shoal.libos.octopus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import dev.shoal.kernel.Timers;
import dev.shoal.libos.Os;
import dev.shoal.libos.rpc.Rpc;
import dev.shoal.libos.rpc.RpcException;

/**
 * The Octopus store, served by RPC from one core. Every method runs on a server dispatcher of that core (one per
 * client binding) and none blocks between reading and changing the store, so each change is atomic and the
 * changes are totally ordered by their version. Watch events are queued per watching client and delivered by one
 * notifier dispatcher per client, so a change never waits for a watcher, and each watcher sees events in version
 * order. A {@code waitFor} with a timeout arms a timer of the server's core (simulated time); the timer runs on this
 * core between server calls, like them, so a waiter ends exactly once, by a set or by its timeout.
 */
final class OctopusServer implements OctopusService
{
    private record WatchEntry(long id, String pattern, Notifier notifier)
    {
    }

    /** One watching client's queue of events and the dispatcher that delivers them to its sink. */
    private final class Notifier
    {
        final String sink;
        final ArrayDeque<Object[]> queue = new ArrayDeque<>();
        Thread waiter;

        Notifier(final String sink)
        {
            this.sink = sink;
        }

        void offer(final long watchId, final OctopusEvent event)
        {
            queue.addLast(new Object[] {watchId, event});
            final Thread w = waiter;
            if (w != null)
            {
                waiter = null;
                LockSupport.unpark(w);
            }
        }

        void run()
        {
            final WatchSink target = Rpc.bind(os, sink, WatchSink.class);
            while (true)
            {
                Object[] next;
                while ((next = queue.pollFirst()) == null)
                {
                    waiter = Thread.currentThread();
                    LockSupport.park(this);
                }
                final long watchId = (Long)next[0];
                if (!watches.containsKey(watchId))
                {
                    continue;
                }
                try
                {
                    target.onChange(watchId, (OctopusEvent)next[1]);
                }
                catch (final RpcException ex)
                {
                    // The watcher's callback threw: its own problem; the next events still go out.
                    continue;
                }
            }
        }
    }

    /**
     * A parked {@code waitFor}. It ends once: a set hands it the record, or its timer fires first and takes it off
     * the list, so a later set cannot reach it.
     */
    private static final class Waiter
    {
        final Thread thread;
        OctopusRecord record;
        boolean timedOut;
        Timers.Timer timeout;

        Waiter(final Thread thread)
        {
            this.thread = thread;
        }

        boolean ended()
        {
            return record != null || timedOut;
        }
    }

    /** {@link #await}'s "wait for as long as it takes". */
    private static final long NO_TIMEOUT = -1;

    private final Os os;
    private final TreeMap<String, OctopusRecord> records = new TreeMap<>();
    private final Map<String, List<Waiter>> waiters = new HashMap<>();
    private final LinkedHashMap<Long, WatchEntry> watches = new LinkedHashMap<>();
    private final Map<String, Notifier> notifiers = new HashMap<>();
    private long version;
    private long nextWatchId = 1;

    OctopusServer(final Os os)
    {
        this.os = os;
    }

    @Override
    public long set(final String name, final String value)
    {
        Pattern.checkName(name);
        if (value == null)
        {
            throw new IllegalArgumentException("the value of Octopus record '" + name + "' is null");
        }
        final OctopusRecord record = new OctopusRecord(name, value, ++version);
        records.put(name, record);
        final List<Waiter> waiting = waiters.remove(name);
        if (waiting != null)
        {
            for (final Waiter w : waiting)
            {
                w.record = record;
                LockSupport.unpark(w.thread);
            }
        }
        publish(new OctopusEvent(name, value, record.version(), false));
        return record.version();
    }

    @Override
    public OctopusRecord get(final String name)
    {
        return records.get(Pattern.checkName(name));
    }

    @Override
    public boolean delete(final String name)
    {
        final OctopusRecord removed = records.remove(Pattern.checkName(name));
        if (removed == null)
        {
            return false;
        }
        publish(new OctopusEvent(name, removed.value(), ++version, true));
        return true;
    }

    @Override
    public OctopusRecord waitFor(final String name)
    {
        return await(Pattern.checkName(name), NO_TIMEOUT);
    }

    @Override
    public OctopusRecord waitFor(final String name, final long timeoutCycles)
    {
        Pattern.checkName(name);
        return await(name, Octopus.checkTimeout(name, timeoutCycles));
    }

    /** Waits for {@code name}; {@code timeoutCycles} on this core's clock, or {@link #NO_TIMEOUT}. */
    private OctopusRecord await(final String name, final long timeoutCycles)
    {
        final OctopusRecord present = records.get(name);
        if (present != null || timeoutCycles == 0)
        {
            return present;
        }
        final Waiter waiter = new Waiter(Thread.currentThread());
        waiters.computeIfAbsent(name, n -> new ArrayList<>()).add(waiter);
        // Monitor.after saturates a deadline past the end of the clock: that timer never fires, and is cancelled
        // like any other when a set comes first.
        if (timeoutCycles != NO_TIMEOUT)
        {
            waiter.timeout = os.monitor().after(timeoutCycles, () -> onTimeout(name, waiter));
        }
        while (!waiter.ended())
        {
            LockSupport.park(this);
        }
        if (waiter.timeout != null && waiter.record != null)
        {
            // Set in time: the timer must neither run nor, while the machine idles, move the clock to its deadline.
            waiter.timeout.cancel();
        }
        return waiter.record;
    }

    /**
     * A wait's timer fired (on this core, between server calls): unless a set got there first, the waiter leaves the
     * list, so a later set neither finds it nor keeps it alive, and returns null.
     */
    private void onTimeout(final String name, final Waiter waiter)
    {
        if (waiter.ended())
        {
            return;
        }
        waiter.timedOut = true;
        final List<Waiter> waiting = waiters.get(name);
        if (waiting != null)
        {
            waiting.remove(waiter);
            if (waiting.isEmpty())
            {
                waiters.remove(name);
            }
        }
        LockSupport.unpark(waiter.thread);
    }

    /** Calls parked in {@code waitFor(name)}. Read on the server's core (for tests). */
    int waiting(final String name)
    {
        final List<Waiter> w = waiters.get(name);
        return w == null ? 0 : w.size();
    }

    @Override
    public String[] names(final String pattern)
    {
        Pattern.checkPattern(pattern);
        return records.keySet().stream().filter(n -> Pattern.matches(pattern, n)).toArray(String[]::new);
    }

    @Override
    public long watch(final String pattern, final String sink)
    {
        Pattern.checkPattern(pattern);
        final long id = nextWatchId++;
        final Notifier notifier = notifiers.computeIfAbsent(sink, s ->
        {
            final Notifier n = new Notifier(s);
            os.spawnThread("octopus-notify:" + s, n::run);
            return n;
        });
        watches.put(id, new WatchEntry(id, pattern, notifier));
        return id;
    }

    @Override
    public boolean unwatch(final long watchId)
    {
        return watches.remove(watchId) != null;
    }

    private void publish(final OctopusEvent event)
    {
        for (final WatchEntry w : watches.values())
        {
            if (Pattern.matches(w.pattern(), event.name()))
            {
                w.notifier().offer(w.id(), event);
            }
        }
    }
}
