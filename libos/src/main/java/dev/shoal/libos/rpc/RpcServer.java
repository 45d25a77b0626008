package dev.shoal.libos.rpc;

import java.lang.reflect.InvocationTargetException;

import dev.shoal.libos.Channel;
import dev.shoal.libos.Os;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.monitor.MalformedMessageException;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;

/**
 * An exported RPC service: the server dispatcher side of every binding to it. {@link Rpc#export} starts one
 * accepting dispatcher on the exporting core, and that starts one dispatcher per client binding, which decodes
 * each CALL, invokes the implementation and sends the RESULT or ERROR. A call that blocks (waiting for a record,
 * say) therefore holds up only its own client. All of them run on the exporting core, so the implementation sees
 * one call at a time between its blocking points and needs no locks.
 *
 * <p>The service stays exported for the life of the machine (the name service has no unregister).
 */
public final class RpcServer<T>
{
    private final String name;
    private final RpcInterface<T> iface;
    private final T impl;
    private final int core;
    private long clients;
    private long calls;

    RpcServer(final String name, final RpcInterface<T> iface, final T impl, final int core)
    {
        this.name = name;
        this.iface = iface;
        this.impl = impl;
        this.core = core;
    }

    public String name()
    {
        return name;
    }

    public Class<T> interfaceType()
    {
        return iface.type();
    }

    /** The exporting core. */
    public int core()
    {
        return core;
    }

    /** Clients that bound so far. Read on the exporting core. */
    public long clients()
    {
        return clients;
    }

    /** Calls answered so far (results and errors). Read on the exporting core. */
    public long calls()
    {
        return calls;
    }

    void acceptLoop(final Os os, final dev.shoal.libos.Service service)
    {
        while (true)
        {
            final Channel client = service.accept();
            final long number = ++clients;
            os.spawnThread("rpc:" + name + "#" + number, () -> serve(client));
        }
    }

    /** One client's binding: HELLO, then calls until BYE. */
    void serve(final Channel client)
    {
        final MessageWriter writer = new MessageWriter();
        final MessageReader reader = new MessageReader();
        if (!accepted(client, writer, reader))
        {
            return;
        }
        while (true)
        {
            final byte[] request = client.receiveBytes();
            int callId = 0;
            final RpcInterface.RemoteMethod remote;
            final Object[] args;
            try
            {
                final MessageReader in = RpcWire.read(reader, request, "request to " + name);
                if (RpcWire.kind(in, RpcWire.CALL, RpcWire.BYE) == RpcWire.BYE)
                {
                    return;
                }
                callId = in.getInt();
                final int methodId = in.getInt();
                remote = iface.byId(methodId);
                if (remote == null)
                {
                    throw new MalformedMessageException("no method has id " + methodId + " (" +
                        iface.methodCount() + " methods)");
                }
                final WireType[] parameters = remote.parameters();
                args = new Object[parameters.length];
                for (int i = 0; i < parameters.length; i++)
                {
                    args[i] = parameters[i].decode(in);
                    if (args[i] == null && remote.method().getParameterTypes()[i].isPrimitive())
                    {
                        throw new MalformedMessageException("no value for primitive parameter " + (i + 1));
                    }
                }
                in.expectEnd();
            }
            catch (final MalformedMessageException ex)
            {
                calls++;
                client.sendBytes(RpcWire.error(writer, callId, ShoalError.RPC_MALFORMED, "",
                    "malformed request to service '" + name + "': " +
                    ex.getMessage()));
                continue;
            }
            client.sendBytes(invoke(remote, callId, args, writer));
        }
    }

    private boolean accepted(final Channel client, final MessageWriter writer, final MessageReader reader)
    {
        final String refusal;
        try
        {
            final MessageReader in = RpcWire.read(reader, client.receiveBytes(), "HELLO to " + name);
            RpcWire.kind(in, RpcWire.HELLO);
            final String clientInterface = in.getString();
            final long fingerprint = in.getLong();
            in.expectEnd();
            if (!clientInterface.equals(iface.name()))
            {
                refusal = "it implements " + iface.name() + ", not " + clientInterface;
            }
            else if (fingerprint != iface.fingerprint())
            {
                refusal = "client and server were built from different versions of " + iface.name() +
                    " (fingerprints " + Long.toHexString(fingerprint) + " and " + Long.toHexString(iface.fingerprint()) +
                    ")";
            }
            else
            {
                client.sendBytes(RpcWire.emptyResult(writer, RpcWire.HELLO_CALL_ID));
                return true;
            }
        }
        catch (final MalformedMessageException ex)
        {
            client.sendBytes(RpcWire.error(writer, RpcWire.HELLO_CALL_ID, ShoalError.RPC_MALFORMED, "",
                "malformed HELLO: " + ex.getMessage()));
            return false;
        }
        client.sendBytes(RpcWire.error(writer, RpcWire.HELLO_CALL_ID, ShoalError.RPC_INTERFACE_MISMATCH, "", refusal));
        return false;
    }

    private byte[] invoke(final RpcInterface.RemoteMethod remote, final int callId, final Object[] args,
        final MessageWriter writer)
    {
        calls++;
        final Object result;
        try
        {
            result = remote.method().invoke(impl, args);
        }
        catch (final InvocationTargetException ex)
        {
            final Throwable cause = ex.getCause();
            return thrown(writer, callId, cause);
        }
        catch (final IllegalAccessException ex)
        {
            return RpcWire.error(writer, callId, ShoalError.RPC_SERVER_EXCEPTION, "",
                "service '" + name + "' cannot invoke " + remote.signature() +
                ": " + ex.getMessage());
        }
        try
        {
            writer.reset().putByte(RpcWire.RESULT).putInt(callId);
            remote.result().encode(result, writer);
            return RpcWire.bytes(writer);
        }
        catch (final RuntimeException ex)
        {
            // A result that cannot travel (a null inside a record) is the server's failure: report it to the caller.
            return thrown(writer, callId, ex);
        }
    }

    /** The reply to a call whose method threw: a Shoal error keeps its code and detail, anything else is named. */
    private static byte[] thrown(final MessageWriter writer, final int callId, final Throwable cause)
    {
        if (cause instanceof ShoalException shoal)
        {
            return RpcWire.error(writer, callId, shoal.error(), cause.getClass().getName(), shoal.detail());
        }
        return RpcWire.error(writer, callId, ShoalError.RPC_SERVER_EXCEPTION, cause.getClass().getName(),
            cause.getMessage());
    }
}
