package dev.shoal.apps.partition;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;

/**
 * How the JVMs of a machine spread over hosts find each other (Aeron UDP): each worker tells the coordinator's
 * listening endpoint its version and its own endpoint on a stream of its own ({@link #JOIN_STREAM}); the
 * coordinator numbers the workers in the order they joined and sends each the roster, every partition's endpoint.
 * Then each partition subscribes at its own endpoint and publishes to every other's ({@link AeronPartitionLink}).
 */
final class UdpRendezvous
{
    static final int JOIN_STREAM = 999;
    private static final byte UNKNOWN = (byte)0xff;

    /** A worker's place: its partition, the partition count and every partition's endpoint (host:port). */
    record Roster(int self, int count, List<String> endpoints)
    {
    }

    private UdpRendezvous()
    {
    }

    static String channel(final String endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint + "|term-length=" + PartitionSession.TERM_LENGTH;
    }

    /** A free UDP port on {@code host}, or -1 when {@code port} was given and is taken. */
    static int freePort(final InetAddress host, final int port)
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, port)))
        {
            return socket.getLocalPort();
        }
        catch (final SocketException ex)
        {
            return -1;
        }
    }

    /** The local address this host uses to reach {@code host} (its endpoint, as the coordinator will see it). */
    static InetAddress localAddressTowards(final InetAddress host)
    {
        try (DatagramSocket probe = new DatagramSocket())
        {
            probe.connect(host, 9);
            final InetAddress local = probe.getLocalAddress();
            return local.isAnyLocalAddress() ? host : local;
        }
        catch (final SocketException ex)
        {
            return host;
        }
    }

    /**
     * The coordinator: waits (at most {@code millis}) for {@code count - 1} workers to join at its endpoint, refuses
     * any of another version, and sends each the roster.
     *
     * @return every partition's endpoint, the coordinator's first.
     */
    static List<String> gather(final Aeron aeron, final String self, final int count, final long millis)
    {
        final List<String> endpoints = new ArrayList<>();
        endpoints.add(self);
        final List<String> refused = new ArrayList<>();
        try (Subscription joins = aeron.addSubscription(channel(self), JOIN_STREAM))
        {
            final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
            {
                if (buffer.getByte(offset + Wire.TYPE_OFFSET) != Wire.HELLO)
                {
                    return;
                }
                final String[] hello = buffer.getStringWithoutLengthUtf8(offset + Wire.BODY_OFFSET,
                    length - Wire.BODY_OFFSET).split("\n");
                if (hello.length != 2)
                {
                    return;
                }
                if (!PartitionSession.VERSION.equals(hello[0]))
                {
                    refused.add(hello[1] + " runs Shoal " + hello[0]);
                    send(aeron, hello[1], Wire.REFUSED, "this worker runs Shoal " + hello[0] + ", the coordinator " +
                        PartitionSession.VERSION, millis);
                }
                else if (!endpoints.contains(hello[1]) && endpoints.size() < count)
                {
                    endpoints.add(hello[1]);
                }
            });
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
            while (endpoints.size() < count && refused.isEmpty() && System.nanoTime() < deadline)
            {
                idle.idle(joins.poll(assembler, 16));
            }
        }
        if (!refused.isEmpty())
        {
            throw new IllegalArgumentException("the worker at " + refused.get(0) + ", not " +
                PartitionSession.VERSION + ": refused");
        }
        if (endpoints.size() < count)
        {
            throw new IllegalArgumentException("only " + (endpoints.size() - 1) + " of " + (count - 1) +
                " workers joined within " + TimeUnit.MILLISECONDS.toSeconds(millis) + " s");
        }
        final StringBuilder roster = new StringBuilder().append(count);
        endpoints.forEach(e -> roster.append('\n').append(e));
        for (int p = 1; p < count; p++)
        {
            send(aeron, endpoints.get(p), Wire.WELCOME, p + "\n" + roster, millis);
        }
        return endpoints;
    }

    /**
     * A worker: says hello to the coordinator at {@code coordinator} from {@code self} and waits (at most
     * {@code millis}) for the roster.
     */
    static Roster join(final Aeron aeron, final String coordinator, final String self, final String version,
        final long millis)
    {
        try (Subscription welcome = aeron.addSubscription(channel(self), JOIN_STREAM))
        {
            if (!send(aeron, coordinator, Wire.HELLO, version + "\n" + self, millis))
            {
                throw new IllegalArgumentException("cannot reach the coordinator at " + coordinator + " within " +
                    TimeUnit.MILLISECONDS.toSeconds(millis) + " s");
            }
            final String[][] reply = new String[1][];
            final byte[] type = new byte[1];
            final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
            {
                type[0] = buffer.getByte(offset + Wire.TYPE_OFFSET);
                reply[0] = buffer.getStringWithoutLengthUtf8(offset + Wire.BODY_OFFSET, length - Wire.BODY_OFFSET)
                    .split("\n");
            });
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis) * 6;
            final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
            while (reply[0] == null && System.nanoTime() < deadline)
            {
                idle.idle(welcome.poll(assembler, 1));
            }
            if (reply[0] == null)
            {
                throw new IllegalArgumentException("the coordinator at " + coordinator + " did not answer");
            }
            if (type[0] == Wire.REFUSED)
            {
                throw new IllegalArgumentException("refused by the coordinator: " + String.join(" ", reply[0]));
            }
            final int selfIndex = Integer.parseInt(reply[0][0]);
            final int count = Integer.parseInt(reply[0][1]);
            final List<String> endpoints = new ArrayList<>(List.of(reply[0]).subList(2, 2 + count));
            endpoints.set(0, coordinator);
            return new Roster(selfIndex, count, endpoints);
        }
    }

    /** Sends one join message to {@code endpoint}, waiting at most {@code millis} for it to connect. */
    private static boolean send(final Aeron aeron, final String endpoint, final byte type, final String text,
        final long millis)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Wire.BODY_OFFSET + bytes.length]);
        b.putByte(Wire.TYPE_OFFSET, type);
        b.putByte(Wire.FROM_OFFSET, UNKNOWN);
        b.putBytes(Wire.BODY_OFFSET, bytes);
        try (Publication publication = aeron.addExclusivePublication(channel(endpoint), JOIN_STREAM))
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
            while (System.nanoTime() < deadline)
            {
                if (publication.offer(b) > 0)
                {
                    // Closing does not drop it: the driver lingers a closed publication until its data is sent.
                    return true;
                }
                idle.idle();
            }
            return false;
        }
    }
}
