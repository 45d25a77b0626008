package dev.shoal.monitor.ump;

import org.agrona.DirectBuffer;

/**
 * Receives the messages of a UMP channel, one complete (reassembled) message per call.
 */
@FunctionalInterface
public interface UmpHandler
{
    /**
     * Called by {@link UmpEndpoint#poll(UmpHandler, int)} on the endpoint's owning thread, once per message, in the
     * order the peer sent them.
     *
     * <p>{@code buffer} is valid only during the call: copy out what must outlive it. A message of one slot is read
     * in place, from the ring's slot, which the peer cannot reuse before the call returns (the slot is consumed,
     * and so acknowledged, only then); a longer message is the receiving core's own reassembled copy. Either way
     * the bytes do not change during the call. The handler may {@link UmpEndpoint#send send} on the same
     * endpoint (and so reply at once), but must not poll it.
     *
     * @param sendCycle the sender's clock, in simulated cycles, when it sent the message.
     * @param buffer    holds the message.
     * @param offset    of the message's first byte in {@code buffer}.
     * @param length    of the message in bytes, 0..{@value UmpDescriptor#MAX_MESSAGE_LENGTH}.
     */
    void onMessage(long sendCycle, DirectBuffer buffer, int offset, int length);
}
