package dev.shoal.libos.rpc;

import java.lang.reflect.Proxy;

import dev.shoal.libos.Channel;
import dev.shoal.libos.Os;
import dev.shoal.libos.Service;

/**
 * Typed RPC over the libOS's bindings (the role of Barrelfish's Flounder stubs). A Java interface describes the
 * service; its stubs are built at start-up by reflection, not generated at build time:
 * <pre>{@code
 * interface Calculator { int add(int a, int b); Result solve(Problem p); }
 *
 * Rpc.export(os, "calc", Calculator.class, new CalculatorImpl());     // on the server's core
 * Calculator calc = Rpc.bind(os, "calc", Calculator.class);          // on any core
 * int three = calc.add(1, 2);                                         // a CALL and a RESULT message
 * }</pre>
 * A call on the stub marshals the method id and the arguments into bytes and sends them over the binding the
 * monitors set up ({@link Os#bind}: LMP when the server is on the caller's core, a UMP channel otherwise), then
 * blocks the calling dispatcher until the reply. It never calls the implementation directly.
 *
 * <p>Parameter and result types: all primitives, {@code String}, {@code byte[]}, {@code int[]}, {@code long[]},
 * {@code String[]}, records whose components are of the {@code RecordCodec} types, and {@code void} results.
 * References may be null (records' components may not). An exception thrown by the implementation comes back as
 * an {@link RpcException} with the exception's class name and message. Default methods run on the client.
 * The wire format is in {@link RpcWire}.
 */
public final class Rpc
{
    private Rpc()
    {
    }

    /**
     * Exports {@code impl} under {@code name} from the calling dispatcher's core and starts serving it there (see
     * {@link RpcServer}). Returns once the name is registered.
     *
     * @throws IllegalArgumentException when {@code iface} has a method with a type that cannot travel, naming
     *                                  both, or {@code impl} does not implement it.
     * @throws dev.shoal.monitor.NameServiceException when the name is taken.
     */
    public static <T> RpcServer<T> export(final Os os, final String name, final Class<T> iface, final T impl)
    {
        final RpcInterface<T> description = RpcInterface.of(iface);
        if (!iface.isInstance(impl))
        {
            throw new IllegalArgumentException("the implementation of service '" + name + "' (" +
                (impl == null ? "null" : impl.getClass().getName()) + ") does not implement " + iface.getName());
        }
        for (int id = 0; id < description.methodCount(); id++)
        {
            // The interface may be package-private (declared next to its users).
            description.byId(id).method().setAccessible(true);
        }
        final Service service = os.export(name);
        final RpcServer<T> server = new RpcServer<>(name, description, impl, os.coreId());
        os.spawnThread("rpc-accept:" + name, () -> server.acceptLoop(os, service));
        return server;
    }

    /**
     * Binds to the service {@code name} and returns a stub implementing {@code iface}. Blocks the calling
     * dispatcher until the server has accepted the binding.
     *
     * @throws IllegalArgumentException when {@code iface} cannot be used for RPC (naming the method and type).
     * @throws dev.shoal.monitor.NameServiceException when no service has that name.
     * @throws RpcException when the service implements another interface or another version of it.
     */
    public static <T> T bind(final Os os, final String name, final Class<T> iface)
    {
        final RpcInterface<T> description = RpcInterface.of(iface);
        return stub(os, name, description, os.bind(name));
    }

    /** As {@link #bind}, but first waits until some dispatcher exports {@code name}. */
    public static <T> T bindWhenExported(final Os os, final String name, final Class<T> iface)
    {
        final RpcInterface<T> description = RpcInterface.of(iface);
        return stub(os, name, description, os.bindWhenExported(name));
    }

    private static <T> T stub(final Os os, final String name, final RpcInterface<T> description, final Channel channel)
    {
        final RpcClient<T> client = new RpcClient<>(description, name, channel, os.coreId());
        client.hello();
        return description.type().cast(Proxy.newProxyInstance(description.type().getClassLoader(),
            new Class<?>[] {description.type()}, client));
    }

    /**
     * Closes a stub: the server's dispatcher for its binding ends and later calls throw {@link RpcException}.
     * Called on the stub's core.
     */
    public static void close(final Object stub)
    {
        client(stub).close();
    }

    /** "lmp" when the stub's server runs on its core, "ump" otherwise. */
    public static String transport(final Object stub)
    {
        return client(stub).channel().transport();
    }

    /** The core of the stub's server. */
    public static int serverCore(final Object stub)
    {
        return client(stub).channel().peerCore();
    }

    private static RpcClient<?> client(final Object stub)
    {
        if (stub != null && Proxy.isProxyClass(stub.getClass()) &&
            Proxy.getInvocationHandler(stub) instanceof RpcClient<?> client)
        {
            return client;
        }
        throw new IllegalArgumentException(stub + " is not an RPC stub");
    }
}
