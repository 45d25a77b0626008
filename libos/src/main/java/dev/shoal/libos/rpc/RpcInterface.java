package dev.shoal.libos.rpc;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Java interface checked and laid out for RPC, built at start-up (bind or export) by reflection: the role of
 * a Flounder {@code .if} file compiled into stubs. Every abstract method gets an id, its index in the methods
 * sorted by signature, so client and server number them alike without any registry; the interface's fingerprint
 * (64-bit FNV-1a over those signatures, record layouts included) is compared once, when a client binds.
 * Immutable.
 */
final class RpcInterface<T>
{
    /** One remote method: its id, its Java method, how its arguments and result travel. */
    record RemoteMethod(int id, Method method, String signature, WireType[] parameters, WireType result)
    {
    }

    private final Class<T> type;
    private final RemoteMethod[] methods;
    private final Map<Method, RemoteMethod> byMethod = new HashMap<>();
    private final long fingerprint;

    private RpcInterface(final Class<T> type, final RemoteMethod[] methods, final long fingerprint)
    {
        this.type = type;
        this.methods = methods;
        this.fingerprint = fingerprint;
        for (final RemoteMethod m : methods)
        {
            byMethod.put(m.method(), m);
        }
    }

    /**
     * Checks {@code type} and numbers its methods.
     *
     * @throws IllegalArgumentException (one line) when it is no interface, or naming the method and the type
     *                                  that cannot travel.
     */
    static <T> RpcInterface<T> of(final Class<T> type)
    {
        if (!type.isInterface())
        {
            throw new IllegalArgumentException(type.getName() + " is not an interface; an RPC service is described " +
                "by a Java interface");
        }
        final List<Method> remote = new ArrayList<>();
        for (final Method m : type.getMethods())
        {
            if (!Modifier.isStatic(m.getModifiers()) && !m.isDefault())
            {
                remote.add(m);
            }
        }
        remote.sort(Comparator.comparing(RpcInterface::signatureOf));
        final RemoteMethod[] methods = new RemoteMethod[remote.size()];
        final StringBuilder all = new StringBuilder(type.getName());
        for (int id = 0; id < methods.length; id++)
        {
            final Method m = remote.get(id);
            final Class<?>[] params = m.getParameterTypes();
            final WireType[] wire = new WireType[params.length];
            for (int p = 0; p < params.length; p++)
            {
                wire[p] = wireType(type, m, params[p], "parameter " + (p + 1));
            }
            final WireType result = wireType(type, m, m.getReturnType(), "result");
            final String signature = signatureOf(m);
            methods[id] = new RemoteMethod(id, m, signature, wire, result);
            all.append(';').append(m.getName()).append(Arrays.stream(wire).map(WireType::description)
                .collect(Collectors.joining(",", "(", ")"))).append(result.description());
        }
        return new RpcInterface<>(type, methods, fnv1a(all.toString()));
    }

    private static WireType wireType(final Class<?> iface, final Method m, final Class<?> type, final String what)
    {
        if (type == void.class && !what.equals("result"))
        {
            throw new IllegalArgumentException("RPC interface " + iface.getSimpleName() + ": method " +
                signatureOf(m) + " " + what + " cannot be void");
        }
        try
        {
            return WireType.of(type);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("RPC interface " + iface.getSimpleName() + ": method " +
                signatureOf(m) + " " + what + " has " + ex.getMessage());
        }
    }

    /** {@code name(param.Type,...)}: readable in errors, unique within one interface, the sort key of ids. */
    static String signatureOf(final Method m)
    {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getTypeName)
            .collect(Collectors.joining(",", "(", ")"));
    }

    private static long fnv1a(final String text)
    {
        long hash = 0xcbf29ce484222325L;
        for (final byte b : text.getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    Class<T> type()
    {
        return type;
    }

    String name()
    {
        return type.getName();
    }

    long fingerprint()
    {
        return fingerprint;
    }

    int methodCount()
    {
        return methods.length;
    }

    /** The method with wire id {@code id}, or null. */
    RemoteMethod byId(final int id)
    {
        return id >= 0 && id < methods.length ? methods[id] : null;
    }

    /** The remote method for an interface method, or null (a default or Object method). */
    RemoteMethod byMethod(final Method method)
    {
        return byMethod.get(method);
    }
}
