package dev.shoal.libos.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Machines;
import dev.shoal.libos.Os;
import dev.shoal.libos.Shoal;

class RpcTest
{
    record Point(int x, long y, String label)
    {
    }

    record Shape(String name, Point corner, byte[] tag)
    {
    }

    interface Calculator
    {
        int add(int a, int b);

        long divide(long a, long b);

        String concat(String a, String b);

        byte[] reverse(byte[] bytes);

        Point move(Point p, int dx);

        Shape rename(Shape s, String name);

        String[] split(String text);

        double scale(double v, float by, char unit, boolean negate, short s, byte b);

        void note(String text);

        int notes();

        default int twice(final int a)
        {
            return add(a, a);
        }
    }

    static final class CalculatorImpl implements Calculator
    {
        final List<String> notes = new ArrayList<>();

        @Override
        public int add(final int a, final int b)
        {
            return a + b;
        }

        @Override
        public long divide(final long a, final long b)
        {
            return a / b;
        }

        @Override
        public String concat(final String a, final String b)
        {
            return a == null ? null : a + b;
        }

        @Override
        public byte[] reverse(final byte[] bytes)
        {
            final byte[] out = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++)
            {
                out[i] = bytes[bytes.length - 1 - i];
            }
            return out;
        }

        @Override
        public Point move(final Point p, final int dx)
        {
            return p == null ? null : new Point(p.x() + dx, p.y(), p.label() + "'");
        }

        @Override
        public Shape rename(final Shape s, final String name)
        {
            return new Shape(name, s.corner(), s.tag());
        }

        @Override
        public String[] split(final String text)
        {
            return text.split(" ");
        }

        @Override
        public double scale(final double v, final float by, final char unit, final boolean negate, final short s,
            final byte b)
        {
            final double r = v * by + unit + s + b;
            return negate ? -r : r;
        }

        @Override
        public void note(final String text)
        {
            if (text.isEmpty())
            {
                throw new IllegalArgumentException("an empty note");
            }
            notes.add(text);
        }

        @Override
        public int notes()
        {
            return notes.size();
        }
    }

    /** Every supported type, an exception and a void call, through a stub of {@code client}'s core. */
    private static void exercise(final Calculator calc)
    {
        assertEquals(3, calc.add(1, 2));
        assertEquals(8, calc.twice(4));
        assertEquals(-7, calc.divide(-21, 3));
        assertEquals("ab", calc.concat("a", "b"));
        assertNull(calc.concat(null, "b"));
        assertEquals("é€" + "x".repeat(500), calc.concat("é€", "x".repeat(500)));
        assertArrayEquals(new byte[] {3, 2, 1}, calc.reverse(new byte[] {1, 2, 3}));
        assertEquals(new Point(11, 1L << 40, "p'"), calc.move(new Point(1, 1L << 40, "p"), 10));
        assertNull(calc.move(null, 1));
        final Shape renamed = calc.rename(new Shape("a", new Point(1, 2, "c"), new byte[] {9}), "b");
        assertEquals("b", renamed.name());
        assertEquals(new Point(1, 2, "c"), renamed.corner());
        assertArrayEquals(new byte[] {9}, renamed.tag());
        assertArrayEquals(new String[] {"one", "two", "three"}, calc.split("one two three"));
        assertEquals(-(2.5 * 2f + 'A' + 3 + 4), calc.scale(2.5, 2f, 'A', true, (short)3, (byte)4));
        calc.note("first");
        assertEquals(1, calc.notes());

        final RpcException thrown = assertThrows(RpcException.class, () -> calc.divide(1, 0));
        assertEquals("java.lang.ArithmeticException", thrown.remoteType());
        assertEquals("/ by zero", thrown.detail());
        assertEquals(ShoalError.RPC_SERVER_EXCEPTION, thrown.error());
        assertTrue(thrown.isRemote());
        final RpcException fromVoid = assertThrows(RpcException.class, () -> calc.note(""));
        assertEquals("java.lang.IllegalArgumentException", fromVoid.remoteType());
        assertEquals("an empty note", fromVoid.detail());
        assertEquals(1, calc.notes(), "the failed call changed nothing");
        // A null inside a record cannot travel: the caller learns it before anything is sent.
        assertThrows(IllegalArgumentException.class, () -> calc.move(new Point(1, 2, null), 1));
        assertEquals(5, calc.add(2, 3), "the binding still works after failed calls");
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:1", "deterministic:7"})
    void shouldCallAServiceOnAnotherCoreOverUmp(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "amd-4x4", 16))
        {
            final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
            final Domain server = Machines.start(shoal, "calc", new int[] {15},
                os -> Rpc.export(os, "calc", Calculator.class, new CalculatorImpl()));
            Machines.run(shoal, "client", new int[] {0}, os ->
            {
                final Calculator calc = Rpc.bindWhenExported(os, "calc", Calculator.class);
                seen.put("transport", Rpc.transport(calc));
                seen.put("server", Rpc.serverCore(calc));
                exercise(calc);
            });
            Machines.join(server);
            assertEquals("ump", seen.get("transport"));
            assertEquals(15, seen.get("server"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:3"})
    void shouldCallAServiceOnTheSameCoreOverLmp(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "amd-2x2", 4))
        {
            Machines.run(shoal, "both", new int[] {2}, os ->
            {
                Rpc.export(os, "local-calc", Calculator.class, new CalculatorImpl());
                final Calculator calc = Rpc.bind(os, "local-calc", Calculator.class);
                assertEquals("lmp", Rpc.transport(calc));
                exercise(calc);
            });
        }
    }

    interface Counter
    {
        /** Adds {@code n} for {@code who} and returns the new total. */
        long add(String who, long n);

        long total();
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:11"})
    void shouldServeSeveralClientsAndConcurrentCallersOfOneStub(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:2x4", 8))
        {
            final int callsPerThread = 50;
            final Domain server = Machines.start(shoal, "counter", new int[] {0}, os ->
                Rpc.export(os, "counter", Counter.class, new Counter()
                {
                    long total;

                    @Override
                    public long add(final String who, final long n)
                    {
                        // A server-side yield lets other clients' calls interleave with this one.
                        os.yieldCore();
                        total += n;
                        return total;
                    }

                    @Override
                    public long total()
                    {
                        return total;
                    }
                }));
            Machines.join(server);
            final int[] clientCores = {0, 1, 4, 7};
            final ConcurrentHashMap<String, Long> lastSeen = new ConcurrentHashMap<>();
            Machines.run(shoal, "clients", clientCores, os ->
            {
                final Counter shared = Rpc.bind(os, "counter", Counter.class);
                final List<dev.shoal.kernel.Dispatcher> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++)
                {
                    final String who = "core" + os.coreId() + "/t" + t;
                    // Two threads share the dispatcher's stub; the third binds its own.
                    threads.add(os.spawnThread(who, () ->
                    {
                        final Counter counter = who.endsWith("t2") ? Rpc.bind(os, "counter", Counter.class) : shared;
                        long previous = 0;
                        for (int i = 0; i < callsPerThread; i++)
                        {
                            final long total = counter.add(who, 1);
                            assertTrue(total > previous, "totals only grow");
                            previous = total;
                        }
                        lastSeen.put(who, previous);
                    }));
                }
                awaitThreads(os, threads);
            });
            assertEquals(clientCores.length * 3, lastSeen.size());
            final long expected = (long)clientCores.length * 3 * callsPerThread;
            final ConcurrentHashMap<String, Long> total = new ConcurrentHashMap<>();
            Machines.run(shoal, "reader", new int[] {5}, os ->
                total.put("total", Rpc.bind(os, "counter", Counter.class).total()));
            assertEquals(expected, total.get("total"));
            assertEquals(expected, lastSeen.values().stream().mapToLong(Long::longValue).max().orElseThrow(),
                "the last call to finish saw every call before it");
        }
    }

    /** Waits on the core (no host waiting) until the threads ended; rethrows the first failure. */
    static void awaitThreads(final Os os, final List<dev.shoal.kernel.Dispatcher> threads)
    {
        for (final var t : threads)
        {
            while (t.isAlive())
            {
                os.yieldCore();
            }
            if (t.failure() != null)
            {
                throw new AssertionError("thread " + t.name() + " failed: " + t.failure(), t.failure());
            }
        }
    }

    interface WithList
    {
        void put(List<String> values);
    }

    record Holder(Object anything)
    {
    }

    interface WithBadRecord
    {
        int count(String name, Holder holder);
    }

    interface WithBadResult
    {
        Object fetch();
    }

    @ParameterizedTest
    @ValueSource(strings = {"live"})
    void shouldRejectAnInterfaceWithATypeThatCannotTravelNamingMethodAndType(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x2", 2))
        {
            final ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
            Machines.run(shoal, "bad", new int[] {1}, os ->
            {
                seen.put("export", assertThrows(IllegalArgumentException.class,
                    () -> Rpc.export(os, "list", WithList.class, values -> { })).getMessage());
                seen.put("bind", assertThrows(IllegalArgumentException.class,
                    () -> Rpc.bind(os, "record", WithBadRecord.class)).getMessage());
                seen.put("result", assertThrows(IllegalArgumentException.class,
                    () -> Rpc.bind(os, "result", WithBadResult.class)).getMessage());
                seen.put("class", assertThrows(IllegalArgumentException.class,
                    () -> Rpc.bind(os, "class", CalculatorImpl.class)).getMessage());
                seen.put("impl", assertThrows(IllegalArgumentException.class,
                    () -> Rpc.export(os, "impl", Calculator.class, null)).getMessage());
            });
            assertEquals("RPC interface WithList: method put(java.util.List) parameter 1 has unsupported type " +
                "java.util.List", seen.get("export"));
            assertEquals("RPC interface WithBadRecord: method count(java.lang.String,dev.shoal.libos.rpc.RpcTest$Holder)" +
                " parameter 2 has unsupported type dev.shoal.libos.rpc.RpcTest$Holder (record " +
                "dev.shoal.libos.rpc.RpcTest$Holder component anything has unsupported type java.lang.Object)",
                seen.get("bind"));
            assertEquals("RPC interface WithBadResult: method fetch() result has unsupported type java.lang.Object",
                seen.get("result"));
            assertEquals("dev.shoal.libos.rpc.RpcTest$CalculatorImpl is not an interface; an RPC service is " +
                "described by a Java interface", seen.get("class"));
            assertEquals("the implementation of service 'impl' (null) does not implement " +
                "dev.shoal.libos.rpc.RpcTest$Calculator", seen.get("impl"));
            seen.values().forEach(m -> assertFalse(m.contains("\n"), "one line: " + m));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:5"})
    void shouldRefuseABindingWhoseInterfaceDiffersFromTheServers(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x2", 2))
        {
            final ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
            Machines.run(shoal, "server", new int[] {0},
                os -> Rpc.export(os, "counter", Counter.class, new Counter()
                {
                    @Override
                    public long add(final String who, final long n)
                    {
                        return n;
                    }

                    @Override
                    public long total()
                    {
                        return 0;
                    }
                }));
            Machines.run(shoal, "client", new int[] {1}, os ->
            {
                final RpcException ex = assertThrows(RpcException.class,
                    () -> Rpc.bind(os, "counter", Calculator.class));
                seen.put("wrong", ex.detail());
                seen.put("code", ex.error().name());
                seen.put("remote", String.valueOf(ex.isRemote()));
                assertEquals(7, Rpc.bind(os, "counter", Counter.class).add("me", 7), "a right binding still works");
            });
            assertEquals("cannot bind to service 'counter': it implements dev.shoal.libos.rpc.RpcTest$Counter, not " +
                "dev.shoal.libos.rpc.RpcTest$Calculator", seen.get("wrong"));
            assertEquals("false", seen.get("remote"));
            assertEquals("RPC_INTERFACE_MISMATCH", seen.get("code"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:2"})
    void shouldStopServingAClosedStub(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x2", 2))
        {
            final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
            final Domain server = Machines.start(shoal, "server", new int[] {0},
                os -> seen.put("server", Rpc.export(os, "calc", Calculator.class, new CalculatorImpl())));
            Machines.join(server);
            Machines.run(shoal, "client", new int[] {1}, os ->
            {
                final Calculator calc = Rpc.bind(os, "calc", Calculator.class);
                assertEquals(2, calc.add(1, 1));
                Rpc.close(calc);
                Rpc.close(calc);
                final RpcException closed = assertThrows(RpcException.class, () -> calc.add(1, 1));
                assertEquals(ShoalError.RPC_STUB_CLOSED, closed.error());
                seen.put("after", closed.detail());
                assertEquals(3, Rpc.bind(os, "calc", Calculator.class).add(1, 2));
            });
            assertEquals("the stub of service 'calc' is closed", seen.get("after"));
            final RpcServer<?> rpc = (RpcServer<?>)seen.get("server");
            Machines.run(shoal, "inspect", new int[] {0}, os ->
            {
                assertEquals(2, rpc.clients());
                assertEquals(2, rpc.calls());
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live"})
    void shouldRejectACallFromAnotherCore(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x4", 4))
        {
            final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
            Machines.run(shoal, "server", new int[] {0},
                os -> Rpc.export(os, "calc", Calculator.class, new CalculatorImpl()));
            Machines.run(shoal, "client", new int[] {1}, os -> seen.put("stub", Rpc.bind(os, "calc", Calculator.class)));
            Machines.run(shoal, "thief", new int[] {2}, os -> seen.put("error",
                assertThrows(IllegalStateException.class, () -> ((Calculator)seen.get("stub")).add(1, 2))
                    .getMessage()));
            assertEquals("the RPC stub of 'calc' belongs to core 1 and was called from core 2", seen.get("error"));
        }
    }
}
