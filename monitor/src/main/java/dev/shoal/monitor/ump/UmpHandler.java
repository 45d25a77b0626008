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
     * <p>{@code buffer} is the receiving core's own copy of the message, not the shared ring, and is valid only
     * during the call: copy out what must outlive it. The handler may {@link UmpEndpoint#send send} on the same
     * endpoint (and so reply at once), but must not poll it.
     *
     * @param sendCycle the sender's clock, in simulated cycles, when it sent the message.
     * @param buffer    holds the message.
     * @param offset    of the message's first byte in {@code buffer}.
     * @param length    of the message in bytes, 0..{@value UmpDescriptor#MAX_MESSAGE_LENGTH}.
     */
    void onMessage(long sendCycle, DirectBuffer buffer, int offset, int length);
}
