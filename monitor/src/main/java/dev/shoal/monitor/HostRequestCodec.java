package dev.shoal.monitor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The bytes of a {@link MonitorSystem.Request} and of its answer, for a host request that crosses JVMs
 * (docs/partitions.md). A request is Java-serialized (a serializable lambda or record, and what it captures); an
 * answer is one byte ({@link #VALUE} or {@link #FAILED}) then the serialized value or the failure in words.
 * Decoding accepts only the JDK's {@code java.lang} and {@code java.util} classes, arrays, Shoal's own classes and
 * classes of a user's class path (not the rest of the JDK or the libraries), so bytes from a peer cannot name
 * an arbitrary class of the class path.
 */
final class HostRequestCodec
{
    static final byte VALUE = 0;
    static final byte FAILED = 1;
    private static final long MAX_BYTES = 1 << 20;

    private HostRequestCodec()
    {
    }

    static byte[] encode(final Object object)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(object);
        }
        catch (final NotSerializableException ex)
        {
            throw new IllegalArgumentException("a host request for a core of another partition must be " +
                "serializable, and so must what it captures and answers: " + ex.getMessage() +
                " is not (docs/partitions.md)");
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot encode a host request: " + ex, ex);
        }
        return bytes.toByteArray();
    }

    static Object decode(final byte[] bytes, final int offset)
    {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, offset,
            bytes.length - offset))
        {
            @Override
            protected Class<?> resolveClass(final ObjectStreamClass desc) throws IOException, ClassNotFoundException
            {
                // The user's operations and workloads live in the context class loader (--classpath).
                try
                {
                    return Class.forName(desc.getName(), false, Thread.currentThread().getContextClassLoader());
                }
                catch (final ClassNotFoundException ex)
                {
                    return super.resolveClass(desc);
                }
            }
        })
        {
            in.setObjectInputFilter(HostRequestCodec::check);
            return in.readObject();
        }
        catch (final InvalidClassException ex)
        {
            throw new IllegalStateException("a host request names a class it may not: " + ex.getMessage(), ex);
        }
        catch (final IOException | ClassNotFoundException ex)
        {
            throw new IllegalStateException("cannot decode a host request: " + ex, ex);
        }
    }

    private static ObjectInputFilter.Status check(final ObjectInputFilter.FilterInfo info)
    {
        if (info.streamBytes() > MAX_BYTES)
        {
            return ObjectInputFilter.Status.REJECTED;
        }
        Class<?> type = info.serialClass();
        while (type != null && type.isArray())
        {
            type = type.getComponentType();
        }
        if (type == null || type.isPrimitive())
        {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        final String name = type.getName();
        final ClassLoader loader = type.getClassLoader();
        final boolean jdk = loader == null || loader == ClassLoader.getPlatformClassLoader();
        if (jdk)
        {
            return name.startsWith("java.lang.") || name.startsWith("java.util.") ?
                ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
        }
        return name.startsWith("dev.shoal.") || loader != ClassLoader.getSystemClassLoader() ?
            ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    }

    /** The answer: a value, or the failure in words. */
    static byte[] reply(final Object value, final Throwable failure)
    {
        if (failure == null)
        {
            try
            {
                final byte[] encoded = encode((Serializable)value);
                final byte[] reply = new byte[1 + encoded.length];
                reply[0] = VALUE;
                System.arraycopy(encoded, 0, reply, 1, encoded.length);
                return reply;
            }
            catch (final ClassCastException | IllegalArgumentException ex)
            {
                return failed("its answer cannot travel: " + (value == null ? "null" : value.getClass().getName()) +
                    " is not serializable");
            }
        }
        final Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() !=
            null ? failure.getCause() : failure;
        return failed(String.valueOf(cause));
    }

    private static byte[] failed(final String why)
    {
        final byte[] text = why.getBytes(StandardCharsets.UTF_8);
        final byte[] reply = new byte[1 + text.length];
        reply[0] = FAILED;
        System.arraycopy(text, 0, reply, 1, text.length);
        return reply;
    }

    /** Completes the host's future with the answer. */
    @SuppressWarnings("unchecked")
    static <T> void complete(final CompletableFuture<T> result, final byte[] reply, final int core)
    {
        try
        {
            if (reply[0] == VALUE)
            {
                result.complete((T)decode(reply, 1));
            }
            else
            {
                result.completeExceptionally(new IllegalStateException("the host request on core " + core +
                    " failed: " + new String(reply, 1, reply.length - 1, StandardCharsets.UTF_8)));
            }
        }
        catch (final RuntimeException ex)
        {
            result.completeExceptionally(ex);
        }
    }
}
