package dev.shoal.monitor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Encodes a record's components in declaration order. Supported component types: {@code boolean, byte, short,
 * int, long, double, String, byte[], int[], long[]} and nested records of those. Resolved once per type;
 * encoding uses method handles, no per-message reflection lookups.
 */
public final class RecordCodec<R extends Record> implements MessageCodec<R>
{
    private final Class<R> type;
    private final Class<?>[] kinds;
    private final MethodHandle[] accessors;
    private final MethodHandle constructor;
    private final MessageCodec<?>[] nested;

    private RecordCodec(final Class<R> type)
    {
        this.type = type;
        final RecordComponent[] components = type.getRecordComponents();
        kinds = new Class<?>[components.length];
        accessors = new MethodHandle[components.length];
        nested = new MessageCodec<?>[components.length];
        final MethodHandles.Lookup lookup = MethodHandles.lookup();
        try
        {
            for (int i = 0; i < components.length; i++)
            {
                final Class<?> kind = components[i].getType();
                if (!isSupported(kind))
                {
                    throw new IllegalArgumentException("record " + type.getName() + " component " +
                        components[i].getName() + " has unsupported type " + kind.getName());
                }
                kinds[i] = kind;
                final var accessor = components[i].getAccessor();
                accessor.setAccessible(true);
                accessors[i] = lookup.unreflect(accessor);
                if (kind.isRecord())
                {
                    nested[i] = ofUnchecked(kind);
                }
            }
            final var ctor = type.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            ctor.setAccessible(true);
            constructor = lookup.unreflectConstructor(ctor);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("cannot encode record " + type.getName() + ": " + ex, ex);
        }
    }

    public static <R extends Record> RecordCodec<R> of(final Class<R> type)
    {
        return new RecordCodec<>(type);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static MessageCodec<?> ofUnchecked(final Class<?> type)
    {
        return new RecordCodec(type);
    }

    private static boolean isSupported(final Class<?> k)
    {
        return k == boolean.class || k == byte.class || k == short.class || k == int.class || k == long.class ||
            k == double.class || k == String.class || k == byte[].class || k == int[].class || k == long[].class ||
            k.isRecord();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void encode(final R message, final MessageWriter out)
    {
        try
        {
            for (int i = 0; i < kinds.length; i++)
            {
                final Object v = accessors[i].invoke(message);
                final Class<?> k = kinds[i];
                if (k == int.class) out.putInt((Integer)v);
                else if (k == long.class) out.putLong((Long)v);
                else if (k == boolean.class) out.putBoolean((Boolean)v);
                else if (k == String.class) out.putString(requireValue((String)v, i));
                else if (k == byte.class) out.putByte((Byte)v);
                else if (k == short.class) out.putShort((Short)v);
                else if (k == double.class) out.putDouble((Double)v);
                else if (k == byte[].class) out.putBytes(requireValue((byte[])v, i));
                else if (k == int[].class) out.putInts(requireValue((int[])v, i));
                else if (k == long[].class) out.putLongs(requireValue((long[])v, i));
                else ((MessageCodec)nested[i]).encode(requireValue(v, i), out);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("cannot encode " + type.getSimpleName() + ": " + t, t);
        }
    }

    private <T> T requireValue(final T value, final int component)
    {
        if (value == null)
        {
            throw new IllegalArgumentException(type.getSimpleName() + "." +
                type.getRecordComponents()[component].getName() + " is null; messages carry no nulls");
        }
        return value;
    }

    @Override
    public R decode(final MessageReader in)
    {
        final Object[] values = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++)
        {
            final Class<?> k = kinds[i];
            if (k == int.class) values[i] = in.getInt();
            else if (k == long.class) values[i] = in.getLong();
            else if (k == boolean.class) values[i] = in.getBoolean();
            else if (k == String.class) values[i] = in.getString();
            else if (k == byte.class) values[i] = in.getByte();
            else if (k == short.class) values[i] = in.getShort();
            else if (k == double.class) values[i] = in.getDouble();
            else if (k == byte[].class) values[i] = in.getBytes();
            else if (k == int[].class) values[i] = in.getInts();
            else if (k == long[].class) values[i] = in.getLongs();
            else values[i] = nested[i].decode(in);
        }
        try
        {
            return type.cast(constructor.invokeWithArguments(values));
        }
        catch (final Throwable t)
        {
            throw new MalformedMessageException(type.getSimpleName() + ": decoded fields rejected: " + t.getMessage());
        }
    }
}
