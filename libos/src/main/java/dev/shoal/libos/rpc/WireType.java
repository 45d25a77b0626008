package dev.shoal.libos.rpc;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.stream.Collectors;

import dev.shoal.monitor.MalformedMessageException;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;
import dev.shoal.monitor.RecordCodec;

/**
 * How one parameter or result type travels in an RPC message. Primitives are written as they are (little-endian,
 * no padding); a reference type ({@code String}, arrays, records) is preceded by one presence byte, 0 for null and
 * 1 for a value, so nulls round-trip. Records are encoded by {@link RecordCodec} (their components may not be
 * null). Immutable once built.
 */
abstract class WireType
{
    /** The Java type's name as the interface fingerprint sees it. */
    private final String description;

    private WireType(final String description)
    {
        this.description = description;
    }

    String description()
    {
        return description;
    }

    abstract void encode(Object value, MessageWriter out);

    abstract Object decode(MessageReader in);

    static final WireType VOID = new WireType("void")
    {
        @Override
        void encode(final Object value, final MessageWriter out)
        {
        }

        @Override
        Object decode(final MessageReader in)
        {
            return null;
        }
    };

    /**
     * The wire type of {@code type}.
     *
     * @throws IllegalArgumentException naming the type (and, for a record, the component) when it cannot travel.
     */
    static WireType of(final Class<?> type)
    {
        if (type == void.class) return VOID;
        if (type == boolean.class) return primitive(type, (v, o) -> o.putBoolean((Boolean)v), MessageReader::getBoolean);
        if (type == byte.class) return primitive(type, (v, o) -> o.putByte((Byte)v), MessageReader::getByte);
        if (type == short.class) return primitive(type, (v, o) -> o.putShort((Short)v), MessageReader::getShort);
        if (type == char.class) return primitive(type, (v, o) -> o.putShort((short)(char)(Character)v),
            in -> (char)in.getShort());
        if (type == int.class) return primitive(type, (v, o) -> o.putInt((Integer)v), MessageReader::getInt);
        if (type == long.class) return primitive(type, (v, o) -> o.putLong((Long)v), MessageReader::getLong);
        if (type == float.class) return primitive(type, (v, o) -> o.putInt(Float.floatToRawIntBits((Float)v)),
            in -> Float.intBitsToFloat(in.getInt()));
        if (type == double.class) return primitive(type, (v, o) -> o.putDouble((Double)v), MessageReader::getDouble);
        if (type == String.class) return nullable(type, (v, o) -> o.putString((String)v), MessageReader::getString);
        if (type == byte[].class) return nullable(type, (v, o) -> o.putBytes((byte[])v), MessageReader::getBytes);
        if (type == int[].class) return nullable(type, (v, o) -> o.putInts((int[])v), MessageReader::getInts);
        if (type == long[].class) return nullable(type, (v, o) -> o.putLongs((long[])v), MessageReader::getLongs);
        if (type == String[].class) return nullable(type, WireType::putStrings, WireType::getStrings);
        if (type.isRecord()) return record(type);
        throw new IllegalArgumentException("unsupported type " + type.getName());
    }

    @FunctionalInterface
    private interface Writer
    {
        void write(Object value, MessageWriter out);
    }

    @FunctionalInterface
    private interface Reader
    {
        Object read(MessageReader in);
    }

    private static WireType primitive(final Class<?> type, final Writer writer, final Reader reader)
    {
        return new WireType(type.getName())
        {
            @Override
            void encode(final Object value, final MessageWriter out)
            {
                writer.write(value, out);
            }

            @Override
            Object decode(final MessageReader in)
            {
                return reader.read(in);
            }
        };
    }

    private static WireType nullable(final Class<?> type, final Writer writer, final Reader reader)
    {
        return nullable(type.getSimpleName(), writer, reader);
    }

    private static WireType nullable(final String description, final Writer writer, final Reader reader)
    {
        return new WireType(description)
        {
            @Override
            void encode(final Object value, final MessageWriter out)
            {
                out.putBoolean(value != null);
                if (value != null)
                {
                    writer.write(value, out);
                }
            }

            @Override
            Object decode(final MessageReader in)
            {
                return in.getBoolean() ? reader.read(in) : null;
            }
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static WireType record(final Class<?> type)
    {
        final RecordCodec codec;
        try
        {
            codec = RecordCodec.of((Class)type);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unsupported type " + type.getName() + " (" + ex.getMessage() + ")");
        }
        return nullable(describeRecord(type), (v, o) -> codec.encode((Record)v, o), codec::decode);
    }

    /** A record's name and component types, recursively: a changed record changes the interface fingerprint. */
    private static String describeRecord(final Class<?> type)
    {
        return type.getName() + Arrays.stream(type.getRecordComponents())
            .map(c -> c.getName() + ":" + describeComponent(c))
            .collect(Collectors.joining(",", "{", "}"));
    }

    private static String describeComponent(final RecordComponent component)
    {
        final Class<?> t = component.getType();
        return t.isRecord() ? describeRecord(t) : t.getName();
    }

    private static void putStrings(final Object value, final MessageWriter out)
    {
        final String[] strings = (String[])value;
        out.putInt(strings.length);
        for (final String s : strings)
        {
            if (s == null)
            {
                throw new IllegalArgumentException("a String[] element is null; RPC arrays carry no nulls");
            }
            out.putString(s);
        }
    }

    private static Object getStrings(final MessageReader in)
    {
        final int n = in.getInt();
        // Each string takes at least its 4-byte length: a count beyond that cannot be honest.
        if (n < 0 || (long)n * Integer.BYTES > in.remaining())
        {
            throw new MalformedMessageException("String[] of length " + n + " exceeds the message");
        }
        final String[] strings = new String[n];
        for (int i = 0; i < n; i++)
        {
            strings[i] = in.getString();
        }
        return strings;
    }
}
