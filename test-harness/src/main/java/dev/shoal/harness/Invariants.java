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
}
