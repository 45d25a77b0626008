package dev.shoal.monitor;

/**
 * Encoding of one message type. Implement it by hand for a compact layout, or take {@link RecordCodec#of(Class)}
 * which encodes a record's components in declaration order.
 */
public interface MessageCodec<M>
{
    void encode(M message, MessageWriter out);

    /** @throws MalformedMessageException when the bytes do not form a valid message. */
    M decode(MessageReader in);
}
