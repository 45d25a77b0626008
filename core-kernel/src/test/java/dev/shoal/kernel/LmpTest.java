package dev.shoal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LmpTest
{
    private static final long LRPC = 1000;
    private Machine machine;
    private Core core;

    @BeforeEach
    void start()
    {
        machine = new Machine(2, CostModel.forLrpc(LRPC), (c, arg) -> { });
        machine.core(0).start(0);
        machine.core(1).start(0);
        core = machine.core(0);
    }

    @AfterEach
    void close()
    {
        machine.close();
    }

    @Test
    void shouldDeliverUpToTenWordsInOrderAndChargeTheRoundTrip() throws Exception
    {
        final LmpChannel channel = LmpChannel.create(core);
        final List<long[]> received = new CopyOnWriteArrayList<>();
        final long[] clockAtEnd = new long[1];
        final Dispatcher server = core.spawn("server", () ->
        {
            for (int i = 0; i < 100; i++)
            {
                final long[] request = channel.second().receive();
                received.add(request);
                channel.second().send(request.length, request.length > 0 ? request[0] : -1);
            }
        });
        final Dispatcher client = core.spawn("client", () ->
        {
            final long startCycle = core.clock().now();
            final long[] reply = new long[LmpChannel.MAX_WORDS];
            for (int i = 0; i < 100; i++)
            {
                final long[] request = new long[i % (LmpChannel.MAX_WORDS + 1)];
                for (int w = 0; w < request.length; w++)
                {
                    request[w] = i * 100L + w;
                }
                final int n = channel.first().call(request, request.length, reply);
                assertEquals(2, n);
                assertEquals(request.length, reply[0]);
            }
            clockAtEnd[0] = core.clock().now() - startCycle;
        });
        assertTrue(client.join(Duration.ofSeconds(10)));
        assertTrue(server.join(Duration.ofSeconds(10)));
        assertNull(client.failure());
        assertNull(server.failure());
        assertEquals(100, received.size());
        for (int i = 0; i < 100; i++)
        {
            final long[] expected = new long[i % (LmpChannel.MAX_WORDS + 1)];
            for (int w = 0; w < expected.length; w++)
            {
                expected[w] = i * 100L + w;
            }
            assertArrayEquals(expected, received.get(i));
        }
        assertEquals(100 * LRPC, clockAtEnd[0], "each round trip costs one LRPC");
    }

    @Test
    void shouldRejectMoreThanTenWords() throws Exception
    {
        final LmpChannel channel = LmpChannel.create(core);
        final Dispatcher d = core.spawn("big", () -> channel.first().send(new long[11]));
        assertTrue(d.join(Duration.ofSeconds(5)));
        assertInstanceOf(IllegalArgumentException.class, d.failure());
    }

    @Test
    void shouldRejectUseFromAnotherCore() throws Exception
    {
        final LmpChannel channel = LmpChannel.create(core);
        final Dispatcher d = machine.core(1).spawn("intruder", () -> channel.first().send(1L));
        assertTrue(d.join(Duration.ofSeconds(5)));
        assertInstanceOf(IllegalStateException.class, d.failure());
    }

    @Test
    void shouldBlockASenderUntilThePeerTookThePreviousMessage() throws Exception
    {
        final LmpChannel channel = LmpChannel.create(core);
        final List<String> events = new CopyOnWriteArrayList<>();
        final Dispatcher sender = core.spawn("sender", () ->
        {
            for (int i = 0; i < 3; i++)
            {
                channel.first().send(i);
                events.add("sent" + i);
            }
        });
        final Dispatcher receiver = core.spawn("receiver", () ->
        {
            for (int i = 0; i < 3; i++)
            {
                final long[] m = channel.second().receive();
                events.add("got" + m[0]);
            }
        });
        assertTrue(sender.join(Duration.ofSeconds(5)) && receiver.join(Duration.ofSeconds(5)));
        assertEquals(6, events.size());
        // The second send cannot complete before the first message was taken.
        assertTrue(events.indexOf("got0") < events.indexOf("sent1"));
        assertTrue(events.indexOf("got1") < events.indexOf("sent2"));
    }
}
