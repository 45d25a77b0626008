package dev.shoal.monitor;

import java.util.HashMap;
import java.util.Map;

import dev.shoal.kernel.LmpChannel;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.monitor.ump.UmpEndpoint;

/**
 * Exporting services and binding to them. A client's monitor looks the name up in the name service; if the
 * service runs on the same core the binding is an LMP channel, otherwise the client's monitor allocates a fresh
 * UMP channel and sends its addresses to the service's monitor in a {@link BindRequest}; that monitor hands the
 * other end to the service's accept queue and answers.
 */
public final class BindingOperation implements MonitorOperation
{
    public record BindRequest(long requestId, int serviceId, long clientTx, long clientRx, int slots)
    {
    }

    /** {@code error} is a {@link ShoalError} code, or {@link NameServiceOperation#OK}. */
    public record BindReply(long requestId, int error, String detail)
    {
        public boolean ok()
        {
            return error == NameServiceOperation.OK;
        }
    }

    /** This core's exported services. */
    static final class Services
    {
        final Map<Integer, ServiceExport> byId = new HashMap<>();
        int nextId = 1;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(BindRequest.class, BindingOperation::onBindRequest);
        protocol.message(BindReply.class, (m, from, reply) -> m.complete(reply.requestId(), reply));
    }

    /**
     * Exports a service of the calling dispatcher's core under {@code name}. Called by a dispatcher of
     * {@code monitor}'s core; blocks it until the name service answers.
     */
    public static ServiceExport export(final Monitor monitor, final String name)
    {
        final Services services = monitor.local(Services.class, Services::new);
        final ServiceExport export = new ServiceExport(name, services.nextId++);
        services.byId.put(export.serviceId(), export);
        try
        {
            NameServiceOperation.register(monitor, name, export.serviceId());
        }
        catch (final NameServiceException ex)
        {
            services.byId.remove(export.serviceId());
            throw ex;
        }
        return export;
    }

    /**
     * Binds to the service named {@code name}. Called by a dispatcher of {@code monitor}'s core; blocks it until
     * the binding is set up.
     *
     * @throws NameServiceException when no service has that name.
     */
    public static Binding bind(final Monitor monitor, final String name)
    {
        final NameServiceOperation.ServiceRef ref = NameServiceOperation.lookup(monitor, name);
        if (ref == null)
        {
            throw new NameServiceException(ShoalError.NAME_NOT_FOUND,
                "no service is bound to the name '" + name + "'");
        }
        return bindTo(monitor, name, ref);
    }

    /**
     * Binds to the service named {@code name}, first waiting until some dispatcher exports it. Called by a
     * dispatcher of {@code monitor}'s core; blocks it until the binding is set up.
     */
    public static Binding bindWhenExported(final Monitor monitor, final String name)
    {
        return bindTo(monitor, name, NameServiceOperation.awaitLookup(monitor, name));
    }

    private static Binding bindTo(final Monitor monitor, final String name, final NameServiceOperation.ServiceRef ref)
    {
        if (ref.core() == monitor.coreId())
        {
            final ServiceExport export = monitor.local(Services.class, Services::new).byId.get(ref.serviceId());
            if (export == null)
            {
                throw new NameServiceException(ShoalError.SERVICE_GONE, "service '" + name + "' is gone from core " +
                    ref.core());
            }
            final LmpChannel channel = LmpChannel.create(monitor.core());
            final long keys = monitor.newLmpTimelineKeys();
            export.offer(new LmpBinding(channel.second(), monitor.core(), keys + 1, keys));
            return new LmpBinding(channel.first(), monitor.core(), keys, keys + 1);
        }
        final int slots = monitor.system().config().channelSlots();
        final RingPair rings = RingPair.allocate(monitor.core(), slots);
        final BindReply reply = (BindReply)monitor.call(ref.core(),
            id -> new BindRequest(id, ref.serviceId(), rings.forward(), rings.backward(), slots));
        if (!reply.ok())
        {
            throw NameServiceException.fromReply(reply.error(), reply.detail());
        }
        return attach(monitor, ref.core(), rings.forward(), rings.backward(), slots);
    }

    private static void onBindRequest(final Monitor monitor, final int from, final BindRequest request)
    {
        final ServiceExport export = monitor.local(Services.class, Services::new).byId.get(request.serviceId());
        if (export == null)
        {
            monitor.send(from, new BindReply(request.requestId(), ShoalError.SERVICE_GONE.code(),
                "core " + monitor.coreId() + " exports no service " + request.serviceId()));
            return;
        }
        export.offer(attach(monitor, from, request.clientRx(), request.clientTx(), request.slots()));
        monitor.send(from, new BindReply(request.requestId(), NameServiceOperation.OK, ""));
    }

    private static UmpBinding attach(final Monitor monitor, final int peer, final long tx, final long rx,
        final int slots)
    {
        final UmpEndpoint endpoint = RingPair.connect(monitor.system(), monitor.coreId(), peer, tx, rx, slots);
        final UmpBinding binding = new UmpBinding(monitor, endpoint, peer, tx, rx);
        monitor.addBinding(binding, rx);
        return binding;
    }
}
