package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How operations join the protocol: told apart by class, never by simple name; ids from names, never from order. */
class ProtocolTest
{
    /** Another record called Ping, declared by an operation that claims {@link Named}'s name. */
    static final class Other
    {
        record Ping(int n)
        {
        }
    }

    /** An operation with a declared name. */
    static final class Named implements MonitorOperation
    {
        @Override
        public String name()
        {
            return "barrier";
        }

        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Ping.class, (m, from, ping) -> { });
        }
    }

    /** Claims {@link Named}'s name and declares a message of the same simple name: the two ids clash. */
    static final class Impostor implements MonitorOperation
    {
        @Override
        public String name()
        {
            return "barrier";
        }

        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Other.Ping.class, (m, from, ping) -> { });
        }
    }

    record Ping(int n)
    {
    }

    record Pong(int n)
    {
    }

    /** A user's operation that happens to share the built-in boot operation's simple name. */
    static final class BootOperation implements MonitorOperation
    {
        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Ping.class, (m, from, ping) -> { });
        }
    }

    static final class First
    {
        static final class Barrier implements MonitorOperation
        {
            @Override
            public void register(final Protocol.Builder protocol)
            {
                protocol.message(Ping.class, (m, from, ping) -> { });
            }
        }
    }

    static final class Second
    {
        static final class Barrier implements MonitorOperation
        {
            @Override
            public void register(final Protocol.Builder protocol)
            {
                protocol.message(Pong.class, (m, from, pong) -> { });
            }
        }
    }

    /** Registers Ping, as {@link First.Barrier} does: a real clash. */
    static final class AlsoPing implements MonitorOperation
    {
        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(Ping.class, (m, from, ping) -> { });
        }
    }

    @Test
    void shouldRegisterAUserOperationNamedLikeABuiltInOne()
    {
        final Protocol.Builder builder = Protocol.builder();
        BuiltinOperations.registerAll(builder);
        final Protocol protocol = builder.operation(new BootOperation()).build();
        assertSame(Ping.class, protocol.typeOf(new Ping(1)).type());
    }

    @Test
    void shouldRegisterTwoOperationsWithTheSameSimpleNameFromDifferentClasses()
    {
        final Protocol protocol = Protocol.builder().operation(new First.Barrier()).operation(new Second.Barrier())
            .build();
        assertSame(Ping.class, protocol.typeOf(new Ping(1)).type());
        assertSame(Pong.class, protocol.typeOf(new Pong(1)).type());
    }

    @Test
    void shouldSkipTheSameOperationClassRegisteredTwice()
    {
        final Protocol protocol = Protocol.builder().operation(new First.Barrier()).operation(new First.Barrier())
            .build();
        assertEquals(1, protocol.messageTypes());
    }

    @Test
    void shouldRefuseTwoOperationsDeclaringTheSameMessageAndNameBoth()
    {
        final Protocol.Builder builder = Protocol.builder().operation(new First.Barrier());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> builder.operation(new AlsoPing()));
        assertTrue(ex.getMessage().contains(First.Barrier.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains(AlsoPing.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains(Ping.class.getName()), ex.getMessage());
        assertEquals(1, ex.getMessage().lines().count(), ex.getMessage());
    }

    @Test
    void shouldDeriveEveryIdFromTheOperationAndMessageNames()
    {
        final Protocol protocol = Protocol.builder().operation(new Named()).operation(new Second.Barrier()).build();
        assertEquals(Protocol.idOf("barrier", "Ping"), protocol.typeOf(new Ping(1)).id());
        assertEquals(Protocol.idOf(Second.Barrier.class.getName(), "Pong"), protocol.typeOf(new Pong(1)).id());
        assertSame(Pong.class, protocol.byId(Protocol.idOf(Second.Barrier.class.getName(), "Pong")).type());
    }

    @Test
    void shouldGiveTheSameIdsWhateverTheRegistrationOrder()
    {
        final Protocol forward = Protocol.builder().operation(new First.Barrier()).operation(new Second.Barrier())
            .build();
        final Protocol backward = Protocol.builder().operation(new Second.Barrier()).operation(new First.Barrier())
            .build();
        assertEquals(forward.typeOf(new Ping(1)).id(), backward.typeOf(new Ping(1)).id());
        assertEquals(forward.typeOf(new Pong(1)).id(), backward.typeOf(new Pong(1)).id());
    }

    @Test
    void shouldRefuseClashingIdsAndNameBothMessages()
    {
        final Protocol.Builder builder = Protocol.builder().operation(new Named());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> builder.operation(new Impostor()));
        assertTrue(ex.getMessage().contains("barrier.Ping clashes with barrier.Ping"), ex.getMessage());
        assertEquals(1, ex.getMessage().lines().count(), ex.getMessage());
    }

    @Test
    void shouldKeepTheIdOfABuiltInMessageAcrossReleases()
    {
        // FNV-1a 32 of "dev.shoal.monitor.BootOperation.BootCore", computed outside Java: a change of the hash or of
        // the key's form would renumber every message a machine in another process still speaks.
        assertEquals(0xea5fc5fd, Protocol.idOf("dev.shoal.monitor.BootOperation", "BootCore"));
    }

    @Test
    void shouldLeaveEveryBuiltInIdUnchangedWhenAUserOperationJoinsBeforeOrAfterThem()
    {
        final java.util.Map<Class<?>, Integer> builtIn = ids(MonitorConfig.protocol(java.util.List.of(), null));
        final Protocol.Builder userFirst = Protocol.builder().operation(new Named());
        BuiltinOperations.registerAll(userFirst);
        final Protocol after = MonitorConfig.protocol(java.util.List.of(new Named(), new Second.Barrier()), null);
        final java.util.Map<Class<?>, Integer> first = ids(userFirst.build());
        final java.util.Map<Class<?>, Integer> last = ids(after);
        builtIn.forEach((type, id) ->
        {
            assertEquals(id, first.get(type), type.getName());
            assertEquals(id, last.get(type), type.getName());
        });
        assertEquals(builtIn.size() + 2, last.size());
    }

    private static java.util.Map<Class<?>, Integer> ids(final Protocol protocol)
    {
        final java.util.Map<Class<?>, Integer> out = new java.util.HashMap<>();
        protocol.types().forEach(t -> out.put(t.type(), t.id()));
        return out;
    }
}
