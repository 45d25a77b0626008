package dev.shoal.libos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One sanity suite that every {@code Binding} implementation passes, as the UMP channel suite does for rings: a
 * channel between two dispatchers carries messages of every length, in order, exactly once, byte for byte, in
 * both directions, in live and deterministic mode; and a cross-core channel obeys the machine's arrival rule, so
 * the channel-delay fault reaches it as it reaches the monitors' channels. Subclasses say how the pair of
 * dispatchers gets its channel: LMP (one core), UMP (two cores, name service) and a spanning domain's sibling.
 */
abstract class BindingSanityTest
{
    /** Lengths around the slot (56), fragment and piece (64 KiB) boundaries, and one of several pieces. */
    private static final int[] LENGTHS = {0, 1, 7, 55, 56, 57, 72, 73, 200, 4096, 65_535, 65_536, 65_537, 200_000};

    private final int[] cores;
    private final String transport;

    /**
     * @param first     the core of the first end (the exporter, or the lower core of a sibling pair).
     * @param second    the core of the other end (equal to {@code first} for LMP).
     * @param transport the transport the binding must report.
     */
    BindingSanityTest(final int first, final int second, final String transport)
    {
        this.cores = new int[] {first, second};
        this.transport = transport;
    }

    final int[] cores()
    {
        return cores.clone();
    }

    /**
     * Runs one end: gets its channel to the other end ({@code first} is the exporter's end). By default through the
     * name service: the first end exports, the other binds.
     */
    Channel open(final Os os, final boolean first, final String name) throws Exception
    {
        return first ? os.export(name).accept() : os.bindWhenExported(name);
    }

    private static byte[] payload(final long seed, final int length)
    {
        final byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /** Starts the pair as one domain (for LMP, two domains on one core) and runs {@code body} on each end. */
    private void runPair(final Shoal shoal, final String name, final PairBody body) throws Exception
    {
        final int[] cores = cores();
        if (cores[0] == cores[1])
        {
            final Domain a = Machines.start(shoal, name + "-a", new int[] {cores[0]}, os -> body.run(os, true));
            final Domain b = Machines.start(shoal, name + "-b", new int[] {cores[1]}, os -> body.run(os, false));
            Machines.join(a, b);
        }
        else
        {
            Machines.run(shoal, name, cores, os -> body.run(os, os.coreId() == cores[0]));
        }
    }

    @FunctionalInterface
    interface PairBody
    {
        void run(Os os, boolean first) throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:3"})
    void shouldCarryEveryLengthInOrderExactlyOnceBothWays(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "amd-8x4", 8))
        {
            final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
            runPair(shoal, "sanity", (os, first) ->
            {
                final Channel channel = open(os, first, "sanity");
                seen.put("transport " + first, channel.transport());
                final long mySeed = first ? 1 : 2;
                final long peerSeed = first ? 2 : 1;
                final List<byte[]> received = new ArrayList<>();
                for (int i = 0; i < LENGTHS.length; i++)
                {
                    // The lower end sends first, then each answers: both directions, strictly interleaved.
                    if (first)
                    {
                        channel.sendBytes(payload(mySeed * 1000 + i, LENGTHS[i]));
                        received.add(channel.receiveBytes());
                    }
                    else
                    {
                        received.add(channel.receiveBytes());
                        channel.sendBytes(payload(mySeed * 1000 + i, LENGTHS[i]));
                    }
                }
                // Then a burst one way, to fill rings and queues.
                final int burst = 300;
                if (first)
                {
                    for (int i = 0; i < burst; i++)
                    {
                        channel.sendBytes(payload(5000 + i, i % 97));
                    }
                }
                else
                {
                    for (int i = 0; i < burst; i++)
                    {
                        assertArrayEquals(payload(5000 + i, i % 97), channel.receiveBytes(), "burst message " + i);
                    }
                }
                for (int i = 0; i < LENGTHS.length; i++)
                {
                    assertArrayEquals(payload(peerSeed * 1000 + i, LENGTHS[i]), received.get(i),
                        "message " + i + " of " + LENGTHS[i] + " bytes");
                }
                seen.put("done " + first, true);
            });
            assertEquals(true, seen.get("done true"));
            assertEquals(true, seen.get("done false"));
            assertEquals(transport, seen.get("transport true"));
            assertEquals(transport, seen.get("transport false"));
        }
    }

    /**
     * Cross-core bindings only: on the exact engine, a message's receipt on the receiver's clock moves by exactly
     * the injected delay when the channel-delay fault is set for its sender (before the one arrival rule, bindings
     * ignored the fault).
     */
    @org.junit.jupiter.api.Test
    void shouldObeyTheChannelDelayFault() throws Exception
    {
        final int[] cores = cores();
        if (cores[0] == cores[1])
        {
            return; // one core: no link, nothing to delay
        }
        final long delay = 25_000;
        assertEquals(delay, waitedFor(delay) - waitedFor(0), "the injected delay is added to the message's arrival");
    }

    /** Cycles the receiver waits for a message sent when both ends are idle, with {@code delay} injected. */
    private long waitedFor(final long delay) throws Exception
    {
        final int[] cores = cores();
        try (Shoal shoal = Machines.boot("deterministic:5", "amd-8x4", 8))
        {
            final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();
            shoal.system().onCore(cores[1], m ->
            {
                m.delayFrom(cores[0], (int)delay);
                return null;
            }).get(30, TimeUnit.SECONDS);
            runPair(shoal, "delay", (os, first) ->
            {
                final Channel channel = open(os, first, "delay");
                // A round trip first, so that both ends are connected and idle before the timed message.
                if (first)
                {
                    channel.sendBytes(new byte[1]);
                    channel.receiveBytes();
                    channel.sendBytes(new byte[] {42});
                }
                else
                {
                    channel.receiveBytes();
                    channel.sendBytes(new byte[1]);
                    final long before = os.now();
                    channel.receiveBytes();
                    seen.put("waited", os.now() - before);
                }
            });
            return seen.get("waited");
        }
    }
}
