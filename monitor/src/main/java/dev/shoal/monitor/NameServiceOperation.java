package dev.shoal.monitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.shoal.kernel.caps.ShoalError;

/**
 * The name service: a registry of exported services, kept by the monitor of the name-server core (core 0, the
 * role of Barrelfish's nameservice) and reached from any core through the monitors. A name is bound at most once.
 */
public final class NameServiceOperation implements MonitorOperation
{
    /** The core whose monitor holds the registry. */
    public static final int NAME_SERVER = 0;

    public record Register(long requestId, String name, int core, int serviceId)
    {
    }

    /** {@code error} is a {@link dev.shoal.kernel.caps.ShoalError} code, or {@link #OK}. */
    public record RegisterReply(long requestId, int error, String detail)
    {
        public boolean ok()
        {
            return error == OK;
        }
    }

    /** The error field of a reply that reports success. */
    static final int OK = -1;

    public record Lookup(long requestId, String name)
    {
    }

    public record LookupReply(long requestId, boolean found, int core, int serviceId)
    {
    }

    /** A lookup that the name server answers only once {@code name} is registered (a blocking lookup). */
    public record AwaitLookup(long requestId, String name)
    {
    }

    /** Where a service lives. */
    public record ServiceRef(String name, int core, int serviceId)
    {
    }

    /** The registry; only the name-server core's replica is used. */
    static final class Registry
    {
        final Map<String, ServiceRef> byName = new HashMap<>();
        /** Awaited names not yet registered: who asked (core, request id), in arrival order. */
        final Map<String, List<long[]>> awaited = new HashMap<>();
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Register.class, NameServiceOperation::onRegister);
        protocol.message(RegisterReply.class, (m, from, reply) -> m.complete(reply.requestId(), reply));
        protocol.message(Lookup.class, NameServiceOperation::onLookup);
        protocol.message(LookupReply.class, (m, from, reply) -> m.complete(reply.requestId(), reply));
        protocol.message(AwaitLookup.class, NameServiceOperation::onAwaitLookup);
    }

    private static void onRegister(final Monitor monitor, final int from, final Register request)
    {
        final Registry registry = monitor.local(Registry.class, Registry::new);
        final ServiceRef existing = registry.byName.get(request.name());
        final RegisterReply reply;
        if (existing != null)
        {
            reply = new RegisterReply(request.requestId(), ShoalError.NAME_TAKEN.code(),
                "name '" + request.name() + "' is already bound to core " + existing.core());
        }
        else
        {
            registry.byName.put(request.name(), new ServiceRef(request.name(), request.core(), request.serviceId()));
            reply = new RegisterReply(request.requestId(), OK, "");
        }
        monitor.send(from, reply);
        final List<long[]> waiting = reply.ok() ? registry.awaited.remove(request.name()) : null;
        if (waiting != null)
        {
            for (final long[] asker : waiting)
            {
                monitor.send((int)asker[0], new LookupReply(asker[1], true, request.core(), request.serviceId()));
            }
        }
    }

    private static void onAwaitLookup(final Monitor monitor, final int from, final AwaitLookup request)
    {
        final Registry registry = monitor.local(Registry.class, Registry::new);
        final ServiceRef ref = registry.byName.get(request.name());
        if (ref != null)
        {
            monitor.send(from, new LookupReply(request.requestId(), true, ref.core(), ref.serviceId()));
        }
        else
        {
            registry.awaited.computeIfAbsent(request.name(), n -> new ArrayList<>())
                .add(new long[] {from, request.requestId()});
        }
    }

    private static void onLookup(final Monitor monitor, final int from, final Lookup request)
    {
        final ServiceRef ref = monitor.local(Registry.class, Registry::new).byName.get(request.name());
        monitor.send(from, ref == null ?
            new LookupReply(request.requestId(), false, -1, -1) :
            new LookupReply(request.requestId(), true, ref.core(), ref.serviceId()));
    }

    /**
     * The names bound in {@code monitor}'s replica of the registry (only the name server's is used). A read-only
     * view for invariant checkers.
     */
    public static Map<String, ServiceRef> registered(final Monitor monitor)
    {
        return java.util.Collections.unmodifiableMap(monitor.local(Registry.class, Registry::new).byName);
    }

    /** The services {@code monitor}'s core exports, by id: a read-only view for invariant checkers. */
    public static Map<Integer, String> exported(final Monitor monitor)
    {
        final Map<Integer, String> out = new java.util.TreeMap<>();
        monitor.local(BindingOperation.Services.class, BindingOperation.Services::new).byId
            .forEach((id, export) -> out.put(id, export.name()));
        return out;
    }

    /**
     * Registers {@code name} for a service of this core. Called by a dispatcher of {@code monitor}'s core; blocks
     * it until the name server answers.
     *
     * @throws NameServiceException when the name is taken.
     */
    public static void register(final Monitor monitor, final String name, final int serviceId)
    {
        final RegisterReply reply = (RegisterReply)monitor.call(NAME_SERVER,
            id -> new Register(id, name, monitor.coreId(), serviceId));
        if (!reply.ok())
        {
            throw NameServiceException.fromReply(reply.error(), reply.detail());
        }
    }

    /**
     * Looks {@code name} up. Called by a dispatcher of {@code monitor}'s core; blocks it until the answer.
     *
     * @return the service, or null when no service has that name.
     */
    public static ServiceRef lookup(final Monitor monitor, final String name)
    {
        final LookupReply reply = (LookupReply)monitor.call(NAME_SERVER, id -> new Lookup(id, name));
        return reply.found() ? new ServiceRef(name, reply.core(), reply.serviceId()) : null;
    }

    /**
     * Looks {@code name} up, waiting until some core registers it (Barrelfish's blocking lookup). Called by a
     * dispatcher of {@code monitor}'s core; blocks it until the name server answers. A name server that restarts
     * forgets who waits: such a caller waits for ever.
     */
    public static ServiceRef awaitLookup(final Monitor monitor, final String name)
    {
        final LookupReply reply = (LookupReply)monitor.call(NAME_SERVER, id -> new AwaitLookup(id, name));
        return new ServiceRef(name, reply.core(), reply.serviceId());
    }
}
