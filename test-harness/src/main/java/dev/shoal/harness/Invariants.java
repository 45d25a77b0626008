package dev.shoal.harness;

import java.util.Map;

import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.NameServiceOperation;

/** Invariant checkers for the built-in protocols. */
public final class Invariants
{
    private Invariants()
    {
    }

    /** Boot starts each core's monitor at most once (and, once boot is complete, exactly once). */
    public static Invariant bootOncePerCore()
    {
        return system ->
        {
            for (int c = 0; c < system.cores(); c++)
            {
                if (system.monitorStarts(c) > 1)
                {
                    throw new AssertionError("core " + c + "'s monitor started " + system.monitorStarts(c) + " times");
                }
            }
        };
    }

    /**
     * The name service never binds one name twice: every name in the name server's registry points at a service
     * that its core exports under that very name, and no two names point at the same service.
     */
    public static Invariant nameServiceBindsEachNameOnce()
    {
        return system ->
        {
            final Monitor server = system.peekMonitor(NameServiceOperation.NAME_SERVER);
            if (server == null)
            {
                return;
            }
            final Map<String, NameServiceOperation.ServiceRef> registered = NameServiceOperation.registered(server);
            final java.util.Set<Long> services = new java.util.HashSet<>();
            for (final Map.Entry<String, NameServiceOperation.ServiceRef> e : registered.entrySet())
            {
                final NameServiceOperation.ServiceRef ref = e.getValue();
                final Monitor home = system.peekMonitor(ref.core());
                final String exported = home == null ? null : NameServiceOperation.exported(home).get(ref.serviceId());
                if (!e.getKey().equals(exported))
                {
                    throw new AssertionError("name '" + e.getKey() + "' is bound to service " + ref.serviceId() +
                        " of core " + ref.core() + ", which exports " + exported);
                }
                if (!services.add(((long)ref.core() << 32) | ref.serviceId()))
                {
                    throw new AssertionError("service " + ref.serviceId() + " of core " + ref.core() +
                        " is bound under two names");
                }
            }
        };
    }

    /**
     * Capability ownership is unique: for every object, at most one core holds a copy while believing itself the
     * owner. (While ownership moves, the old owner gives it up before the new owner learns of it, so the count
     * may briefly be zero, never two.)
     */
    public static Invariant capabilityOwnershipUnique()
    {
        return system ->
        {
            final java.util.Map<Long, Integer> selfOwnedBy = new java.util.HashMap<>();
            for (int c = 0; c < system.cores(); c++)
            {
                final dev.shoal.monitor.Monitor monitor = system.peekMonitor(c);
                if (monitor == null || monitor.core().isHalted() || !monitor.core().hasCaps())
                {
                    continue;
                }
                for (final dev.shoal.kernel.caps.Cte cte : monitor.core().caps().mdb().entries())
                {
                    final dev.shoal.kernel.caps.Capability cap = cte.capability();
                    if (cap != null && cap.owner() == c)
                    {
                        final Integer other = selfOwnedBy.putIfAbsent(cap.objectId(), c);
                        if (other != null && other != c)
                        {
                            throw new AssertionError(cap + " is owned by both core " + other + " and core " + c);
                        }
                    }
                }
            }
        };
    }

    /**
     * The post-condition of a revoke that returned: no core other than the owner holds a copy of {@code cap}'s
     * object, and no core holds a descendant. With no capability left, no memory of the object is reachable:
     * every mapping is recorded on the capability it was made through and goes when that capability goes.
     */
    public static Invariant nothingLeftAfterRevoke(final dev.shoal.kernel.caps.Capability cap)
    {
        return system ->
        {
            for (int c = 0; c < system.cores(); c++)
            {
                final dev.shoal.monitor.Monitor monitor = system.peekMonitor(c);
                if (monitor == null || monitor.core().isHalted() || !monitor.core().hasCaps())
                {
                    continue;
                }
                final var mdb = monitor.core().caps().mdb();
                final var copy = mdb.findCopy(cap);
                if (copy != null && c != cap.owner())
                {
                    throw new AssertionError("core " + c + " still holds " + copy + " after the revoke");
                }
                if (copy != null && mdb.hasDescendants(copy) || copy == null && mdb.hasDescendants(cap))
                {
                    throw new AssertionError("core " + c + " still holds a descendant of " + cap + " after the revoke");
                }
            }
        };
    }
}
