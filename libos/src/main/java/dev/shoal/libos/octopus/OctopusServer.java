package dev.shoal.libos.octopus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import dev.shoal.libos.Os;
import dev.shoal.libos.rpc.Rpc;
import dev.shoal.libos.rpc.RpcException;

/**
 * The Octopus store, served by RPC from one core. Every method runs on a server dispatcher of that core (one per
 * client binding) and none blocks between reading and changing the store, so each change is atomic and the
 * changes are totally ordered by their version. Watch events are queued per watching client and delivered by one
 * notifier dispatcher per client, so a change never waits for a watcher, and each watcher sees events in version
 * order.
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

    private static final class Waiter
    {
        final Thread thread;
        OctopusRecord record;

        Waiter(final Thread thread)
        {
            this.thread = thread;
        }
    }

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
        final OctopusRecord present = records.get(Pattern.checkName(name));
        if (present != null)
        {
            return present;
        }
        final Waiter waiter = new Waiter(Thread.currentThread());
        waiters.computeIfAbsent(name, n -> new ArrayList<>()).add(waiter);
        while (waiter.record == null)
        {
            LockSupport.park(this);
        }
        return waiter.record;
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
