package dev.shoal.apps.kv;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A core's queue pair on the NIC as its {@link KvCore} sees it: requests in, replies out, as ring messages of
 * {@link RingDescriptor}'s layout. Live mode hands the core the NIC's rings themselves ({@link NicQueue}); the
 * exact engine hands it a {@link DevicePort}, which the host fills with host requests. Core side only: every
 * method is called by the core's kv dispatcher.
 */
interface CoreQueue
{
    /** Makes the calling dispatcher this queue's consumer. */
    void attach();

    /** Hands up to {@code limit} request messages to {@code handler}; returns how many. */
    int receive(MessageHandler handler, int limit);

    /** Parks the calling dispatcher until a request may be there (or a spurious wake-up). */
    void awaitRequests();

    /** Puts a reply message (or a piece of one) out; false when there is no room now. */
    boolean transmit(int type, UnsafeBuffer buffer, int offset, int length);

    /** Tells the device that the requests received so far are answered (replies may be waiting). */
    void kickNic();

    /** The largest message either direction takes. */
    int maxMessage();

    /** The NIC's registers, or {@link NicRegisters#ABSENT} where this JVM has no NIC. */
    NicRegisters registers();
}
