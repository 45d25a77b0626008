package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How operations join the protocol: told apart by class, never by simple name. */
class ProtocolTest
{
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
}
