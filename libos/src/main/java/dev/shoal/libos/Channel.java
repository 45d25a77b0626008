package dev.shoal.libos;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.monitor.Binding;
import dev.shoal.monitor.MalformedMessageException;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;
import dev.shoal.monitor.RecordCodec;

/**
 * A typed message channel between two dispatchers (the Flounder role): records in, records out, over LMP when
 * both ends share a core and UMP across cores. Each message carries a 32-bit tag derived from its record's class
 * name, so a receiver that expects another type gets a clear error instead of garbage.
 *
 * <p>Used only by dispatchers of the channel's core; one channel per dispatcher pair.
 */
public final class Channel
{
    private final Binding binding;
    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();
    private final Map<Class<?>, RecordCodec<?>> codecs = new HashMap<>();

    Channel(final Binding binding)
    {
        this.binding = binding;
    }

    /** Tag of a record type on the wire: stable across runs and JVMs (String.hashCode is specified). */
    static int tagOf(final Class<?> type)
    {
        return type.getName().hashCode();
    }

    @SuppressWarnings("unchecked")
    private <R extends Record> RecordCodec<R> codec(final Class<R> type)
    {
        return (RecordCodec<R>)codecs.computeIfAbsent(type, t -> RecordCodec.of(type));
    }

    /** Sends {@code message}. */
    @SuppressWarnings("unchecked")
    public <R extends Record> void send(final R message)
    {
        final Class<R> type = (Class<R>)message.getClass();
        writer.reset();
        writer.putInt(tagOf(type));
        codec(type).encode(message, writer);
        final byte[] bytes = new byte[writer.length()];
        writer.buffer().getBytes(0, bytes);
        binding.send(bytes);
    }

    /**
     * Receives the next message, which must be a {@code type}.
     *
     * @throws MalformedMessageException when the next message is of another type or does not decode.
     */
    public <R extends Record> R receive(final Class<R> type)
    {
        final byte[] bytes = binding.receive();
        reader.wrap(new UnsafeBuffer(bytes), 0, bytes.length, type.getSimpleName());
        final int tag = reader.getInt();
        if (tag != tagOf(type))
        {
            throw new MalformedMessageException("expected a " + type.getSimpleName() + " message, got type tag " + tag);
        }
        final R message = codec(type).decode(reader);
        reader.expectEnd();
        return message;
    }

    /** Sends raw bytes (no type tag): for applications with an encoding of their own. */
    public void sendBytes(final byte[] message)
    {
        binding.send(message);
    }

    /** Receives raw bytes sent with {@link #sendBytes}. */
    public byte[] receiveBytes()
    {
        return binding.receive();
    }

    /** Sends a string as raw UTF-8 bytes. */
    public void sendString(final String message)
    {
        binding.send(message.getBytes(StandardCharsets.UTF_8));
    }

    public String receiveString()
    {
        return new String(binding.receive(), StandardCharsets.UTF_8);
    }

    /** "lmp" (same core) or "ump" (across cores). */
    public String transport()
    {
        return binding.transport();
    }

    public int peerCore()
    {
        return binding.peerCore();
    }
}
