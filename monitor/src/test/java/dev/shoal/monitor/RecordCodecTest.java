package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordCodec}: every supported component type round-trips, the bytes are exactly the components in
 * declaration order (the wire format), and bad values or bad bytes fail the way callers rely on.
 */
class RecordCodecTest
{
    record Everything(boolean flag, byte b, short s, int i, long l, double d, String text, byte[] bytes, int[] ints,
        long[] longs)
    {
    }

    record Inner(int x, String label)
    {
    }

    record Outer(long id, Inner inner, boolean last)
    {
    }

    record Deep(Outer outer, Inner second, int[] tail)
    {
    }

    record Empty()
    {
    }

    record Positive(int value)
    {
        Positive
        {
            if (value <= 0)
            {
                throw new IllegalArgumentException("not positive: " + value);
            }
        }
    }

    record HoldsPositive(long id, Positive positive)
    {
    }

    private record Hidden(int x, long y)
    {
    }

    record Unsupported(int ok, char c)
    {
    }

    record HoldsUnsupported(Unsupported inner)
    {
    }

    record Chain(int value, Chain next)
    {
    }

    record Throwing(int value)
    {
        @Override
        public int value()
        {
            throw new UnsupportedOperationException("no value");
        }
    }

    record SneakyThrowing(int value)
    {
        @Override
        public int value()
        {
            throw RecordCodecTest.<RuntimeException>sneaky(new java.io.IOException("disk"));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(final Throwable t) throws T
    {
        throw (T)t;
    }

    private static final Everything EVERYTHING = new Everything(true, (byte)-7, Short.MIN_VALUE, Integer.MAX_VALUE,
        Long.MIN_VALUE, -0.5, "naïve ☃ text", new byte[] {1, -1, 127}, new int[] {-1, 0, 1 << 30},
        new long[] {Long.MAX_VALUE, 3});

    private static <R extends Record> byte[] encode(final MessageCodec<R> codec, final R message)
    {
        final MessageWriter out = new MessageWriter();
        codec.encode(message, out);
        final byte[] bytes = new byte[out.length()];
        out.buffer().getBytes(0, bytes);
        return bytes;
    }

    private static <R extends Record> R decode(final MessageCodec<R> codec, final byte[] bytes, final Class<R> type)
    {
        final MessageReader in = new MessageReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length, type);
        final R message = codec.decode(in);
        in.expectEnd();
        return message;
    }

    private static <R extends Record> R roundTrip(final R message)
    {
        @SuppressWarnings("unchecked")
        final Class<R> type = (Class<R>)message.getClass();
        final RecordCodec<R> codec = RecordCodec.of(type);
        return decode(codec, encode(codec, message), type);
    }

    private static void assertSameEverything(final Everything expected, final Everything actual)
    {
        assertEquals(expected.flag(), actual.flag());
        assertEquals(expected.b(), actual.b());
        assertEquals(expected.s(), actual.s());
        assertEquals(expected.i(), actual.i());
        assertEquals(expected.l(), actual.l());
        assertEquals(Double.doubleToRawLongBits(expected.d()), Double.doubleToRawLongBits(actual.d()));
        assertEquals(expected.text(), actual.text());
        assertArrayEquals(expected.bytes(), actual.bytes());
        assertArrayEquals(expected.ints(), actual.ints());
        assertArrayEquals(expected.longs(), actual.longs());
    }

    @Test
    void shouldRoundTripEveryComponentType()
    {
        assertSameEverything(EVERYTHING, roundTrip(EVERYTHING));
        final Everything other = new Everything(false, Byte.MAX_VALUE, (short)1, Integer.MIN_VALUE, Long.MAX_VALUE,
            Double.NaN, "x", new byte[] {0}, new int[] {7}, new long[] {-1});
        assertSameEverything(other, roundTrip(other));
    }

    @Test
    void shouldEncodeComponentsInDeclarationOrderWithNothingInBetween()
    {
        final MessageWriter expected = new MessageWriter()
            .putBoolean(EVERYTHING.flag()).putByte(EVERYTHING.b()).putShort(EVERYTHING.s()).putInt(EVERYTHING.i())
            .putLong(EVERYTHING.l()).putDouble(EVERYTHING.d()).putString(EVERYTHING.text())
            .putBytes(EVERYTHING.bytes()).putInts(EVERYTHING.ints()).putLongs(EVERYTHING.longs());
        final byte[] expectedBytes = new byte[expected.length()];
        expected.buffer().getBytes(0, expectedBytes);
        assertArrayEquals(expectedBytes, encode(RecordCodec.of(Everything.class), EVERYTHING));
    }

    @Test
    void shouldInlineNestedRecordsWithoutFraming()
    {
        final Deep deep = new Deep(new Outer(42, new Inner(-3, "in"), true), new Inner(9, ""), new int[] {5});
        final MessageWriter expected = new MessageWriter().putLong(42).putInt(-3).putString("in").putBoolean(true)
            .putInt(9).putString("").putInts(new int[] {5});
        final byte[] expectedBytes = new byte[expected.length()];
        expected.buffer().getBytes(0, expectedBytes);
        assertArrayEquals(expectedBytes, encode(RecordCodec.of(Deep.class), deep));

        final Deep back = roundTrip(deep);
        assertEquals(deep.outer(), back.outer());
        assertEquals(deep.second(), back.second());
        assertArrayEquals(deep.tail(), back.tail());
    }

    @Test
    void shouldRoundTripEmptyArraysEmptyStringsAndEmptyRecords()
    {
        final Everything empty = new Everything(false, (byte)0, (short)0, 0, 0, 0, "", new byte[0], new int[0],
            new long[0]);
        assertSameEverything(empty, roundTrip(empty));
        assertEquals(new Empty(), roundTrip(new Empty()));
        assertEquals(0, encode(RecordCodec.of(Empty.class), new Empty()).length);
    }

    @Test
    void shouldEncodeAPrivateRecord()
    {
        assertEquals(new Hidden(1, 2), roundTrip(new Hidden(1, 2)));
    }

    @Test
    void shouldRefuseNullComponentsNamingTheRecordAndComponent()
    {
        final List<Object[]> cases = List.of(
            new Object[] {new Everything(true, (byte)0, (short)0, 0, 0, 0, null, new byte[0], new int[0],
                new long[0]), "Everything.text is null; messages carry no nulls"},
            new Object[] {new Everything(true, (byte)0, (short)0, 0, 0, 0, "", null, new int[0], new long[0]),
                "Everything.bytes is null; messages carry no nulls"},
            new Object[] {new Everything(true, (byte)0, (short)0, 0, 0, 0, "", new byte[0], null, new long[0]),
                "Everything.ints is null; messages carry no nulls"},
            new Object[] {new Everything(true, (byte)0, (short)0, 0, 0, 0, "", new byte[0], new int[0], null),
                "Everything.longs is null; messages carry no nulls"},
            new Object[] {new Outer(1, null, false), "Outer.inner is null; messages carry no nulls"},
            new Object[] {new Outer(1, new Inner(2, null), false), "Inner.label is null; messages carry no nulls"});
        for (final Object[] c : cases)
        {
            final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> roundTrip((Record)c[0]));
            assertEquals(c[1], failure.getMessage());
        }
    }

    @Test
    void shouldReportEveryTruncationAsMalformed()
    {
        final Deep deep = new Deep(new Outer(42, new Inner(-3, "in"), true), new Inner(9, "x"), new int[] {5, 6});
        final byte[] full = encode(RecordCodec.of(Deep.class), deep);
        for (int length = 0; length < full.length; length++)
        {
            final byte[] truncated = Arrays.copyOf(full, length);
            assertThrows(MalformedMessageException.class,
                () -> RecordCodec.of(Deep.class).decode(
                    new MessageReader().wrap(new UnsafeBuffer(truncated), 0, truncated.length, Deep.class)),
                "prefix of " + length + " bytes");
        }
        final byte[] everything = encode(RecordCodec.of(Everything.class), EVERYTHING);
        final byte[] cut = Arrays.copyOf(everything, 1 + 1 + 2 + 4 + 3);
        final MalformedMessageException failure = assertThrows(MalformedMessageException.class,
            () -> decode(RecordCodec.of(Everything.class), cut, Everything.class));
        assertEquals("Everything: truncated while reading a long (needs 8 bytes, 3 left)", failure.getMessage());
    }

    @Test
    void shouldReportACorruptBooleanOrArrayLengthAsMalformed()
    {
        final byte[] bytes = encode(RecordCodec.of(Everything.class), EVERYTHING);
        bytes[0] = 2;
        assertEquals("Everything: boolean field holds 2", assertThrows(MalformedMessageException.class,
            () -> decode(RecordCodec.of(Everything.class), bytes, Everything.class)).getMessage());

        final byte[] inner = new MessageWriter().putInt(1).putInt(Integer.MAX_VALUE).buffer().byteArray();
        final byte[] lengthTooLong = Arrays.copyOf(inner, 8);
        assertEquals("Inner: byte array of length 2147483647 exceeds the message",
            assertThrows(MalformedMessageException.class,
                () -> decode(RecordCodec.of(Inner.class), lengthTooLong, Inner.class)).getMessage());
    }

    @Test
    void shouldReportFieldsTheConstructorRejectsAsMalformedNamingTheInnermostRecord()
    {
        final byte[] zero = new MessageWriter().putInt(0).buffer().byteArray();
        assertEquals("Positive: decoded fields rejected: not positive: 0",
            assertThrows(MalformedMessageException.class,
                () -> decode(RecordCodec.of(Positive.class), Arrays.copyOf(zero, 4), Positive.class))
                .getMessage());

        final byte[] nested = Arrays.copyOf(new MessageWriter().putLong(7).putInt(-1).buffer().byteArray(), 12);
        assertEquals("Positive: decoded fields rejected: not positive: -1",
            assertThrows(MalformedMessageException.class,
                () -> decode(RecordCodec.of(HoldsPositive.class), nested, HoldsPositive.class)).getMessage());
    }

    @Test
    void shouldRefuseAnUnsupportedComponentTypeWhenTheCodecIsMade()
    {
        final String expected = "record " + Unsupported.class.getName() + " component c has unsupported type char";
        assertEquals(expected,
            assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Unsupported.class)).getMessage());
        assertEquals(expected,
            assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(HoldsUnsupported.class)).getMessage());
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void shouldWorkThroughTheMessageCodecInterfaceAndErasedCalls()
    {
        final MessageCodec<Inner> codec = RecordCodec.of(Inner.class);
        final Inner inner = new Inner(3, "three");
        assertEquals(inner, decode(codec, encode(codec, inner), Inner.class));

        final MessageCodec raw = codec;
        final MessageWriter out = new MessageWriter();
        raw.encode(inner, out);
        assertEquals(inner, raw.decode(new MessageReader().wrap(out.buffer(), 0, out.length(), Inner.class)));
        assertThrows(ClassCastException.class, () -> raw.encode("not a record", new MessageWriter()));
    }

    @Test
    void shouldShareOneCodecPerRecordType()
    {
        assertSame(RecordCodec.of(Inner.class), RecordCodec.of(Inner.class));
    }

    @Test
    void shouldRefuseARecordThatContainsItself()
    {
        assertEquals("record " + Chain.class.getName() + " contains itself",
            assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Chain.class)).getMessage());
    }

    @Test
    void shouldPassOnAnAccessorsUncheckedExceptionAndWrapAChecked()
    {
        assertEquals("no value", assertThrows(UnsupportedOperationException.class,
            () -> roundTrip(new Throwing(1))).getMessage());
        final IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> roundTrip(new SneakyThrowing(1)));
        assertEquals("cannot encode SneakyThrowing: java.io.IOException: disk", failure.getMessage());
    }
}
