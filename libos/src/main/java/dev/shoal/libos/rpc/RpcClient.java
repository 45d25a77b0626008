package dev.shoal.libos.rpc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.libos.Channel;
import dev.shoal.libos.CoreLocalLock;
import dev.shoal.monitor.MalformedMessageException;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;

/**
 * The client half of a binding: turns each call on the stub into a CALL message and blocks the calling dispatcher
 * until the matching RESULT or ERROR. Calls from several dispatchers of the core through one stub take turns (one
 * call in flight per binding, first come first served); dispatchers that want calls in parallel bind stubs of
 * their own. Used only by dispatchers of the stub's core.
 */
final class RpcClient<T> implements InvocationHandler
{
    private final RpcInterface<T> iface;
    private final String service;
    private final Channel channel;
    private final int core;
    private final CoreLocalLock lock;
    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();
    private int nextCallId = 1;
    private boolean closed;

    RpcClient(final RpcInterface<T> iface, final String service, final Channel channel, final int core)
    {
        this.iface = iface;
        this.service = service;
        this.channel = channel;
        this.core = core;
        // Its holder asking again means a method called through the stub from inside its own call.
        this.lock = new CoreLocalLock("the RPC stub of service '" + service + "'");
    }

    /** Introduces the stub's interface; fails when the server implements another (or another version of it). */
    void hello()
    {
        channel.sendBytes(RpcWire.hello(writer, iface.name(), iface.fingerprint()));
        final byte[] reply = channel.receiveBytes();
        try
        {
            final MessageReader in = RpcWire.read(reader, reply, "reply to HELLO");
            final byte kind = RpcWire.kind(in, RpcWire.RESULT, RpcWire.ERROR);
            expectCallId(in, RpcWire.HELLO_CALL_ID);
            if (kind == RpcWire.ERROR)
            {
                throw RpcWire.readError(in, "cannot bind to service '" + service + "'");
            }
            in.expectEnd();
        }
        catch (final MalformedMessageException ex)
        {
            throw new RpcException(ShoalError.RPC_MALFORMED, "malformed reply from service '" + service + "': " +
                ex.getMessage());
        }
    }

    String service()
    {
        return service;
    }

    Channel channel()
    {
        return channel;
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable
    {
        if (method.getDeclaringClass() == Object.class)
        {
            return switch (method.getName())
            {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "RPC stub of " + iface.type().getSimpleName() + " bound to '" + service + "' over " +
                    channel.transport();
            };
        }
        if (method.isDefault())
        {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        final RpcInterface.RemoteMethod remote = iface.byMethod(method);
        if (remote == null)
        {
            throw new RpcException(ShoalError.RPC_NOT_REMOTE, "method " + method.getName() +
                " is not part of RPC interface " + iface.name());
        }
        checkCore();
        lock.lock();
        try
        {
            if (closed)
            {
                throw new RpcException(ShoalError.RPC_STUB_CLOSED, "the stub of service '" + service + "' is closed");
            }
            final int callId = nextCallId++;
            if (nextCallId == RpcWire.HELLO_CALL_ID)
            {
                nextCallId++;
            }
            writer.reset().putByte(RpcWire.CALL).putInt(callId).putInt(remote.id());
            final WireType[] parameters = remote.parameters();
            for (int i = 0; i < parameters.length; i++)
            {
                parameters[i].encode(args[i], writer);
            }
            channel.sendBytes(RpcWire.bytes(writer));
            return decodeReply(remote, callId, channel.receiveBytes());
        }
        finally
        {
            lock.unlock();
        }
    }

    private Object decodeReply(final RpcInterface.RemoteMethod remote, final int callId, final byte[] reply)
    {
        final Object result;
        try
        {
            final MessageReader in = RpcWire.read(reader, reply, "reply to " + remote.method().getName());
            final byte kind = RpcWire.kind(in, RpcWire.RESULT, RpcWire.ERROR);
            expectCallId(in, callId);
            if (kind == RpcWire.ERROR)
            {
                throw RpcWire.readError(in, "");
            }
            result = remote.result().decode(in);
            in.expectEnd();
        }
        catch (final MalformedMessageException ex)
        {
            throw new RpcException(ShoalError.RPC_MALFORMED, "malformed reply from service '" + service + "': " +
                ex.getMessage());
        }
        if (result == null && remote.method().getReturnType().isPrimitive() && remote.result() != WireType.VOID)
        {
            throw new RpcException(ShoalError.RPC_MALFORMED, "malformed reply from service '" + service + "': no " +
                remote.method().getReturnType() + " result");
        }
        return result;
    }

    private static void expectCallId(final MessageReader in, final int expected)
    {
        final int callId = in.getInt();
        if (callId != expected)
        {
            throw new MalformedMessageException("reply to call " + callId + ", expected call " + expected);
        }
    }

    /** Ends the binding: the server's dispatcher for it stops; later calls fail. */
    void close()
    {
        checkCore();
        lock.lock();
        try
        {
            if (!closed)
            {
                closed = true;
                channel.sendBytes(RpcWire.bye(writer));
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    private void checkCore()
    {
        final int caller = Dispatcher.current().core().id();
        if (caller != core)
        {
            throw new IllegalStateException("the RPC stub of '" + service + "' belongs to core " + core +
                " and was called from core " + caller);
        }
    }
}
