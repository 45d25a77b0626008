package dev.shoal.apps.kv;

/**
 * Layout of the messages in a NIC queue's rings (Agrona one-to-one ring buffers of bytes; the message type is the
 * ring's message type id).
 *
 * <pre>
 * receive ring (NIC → core), type REQUEST:
 *   0  int   connection id          the NIC's name for the client connection
 *   4  long  sequence               per connection, from 0, in the order the client sent its requests
 *   12 long  device time            host wall-clock milliseconds when the NIC read the request (for TTLs)
 *   20 int   argc
 *   24 int   hashed argument        the argument the filter routed by (BY_ARGUMENT), or 0 when none
 *   28 int   key hash               {@link KeyHash#fnv1a} of that argument (the RSS role: the core need not hash
 *                                   the key again), 0 when none
 *   32 argc × { int length, length bytes }   the command's arguments, the name first
 *
 * transmit ring (core → NIC), type REPLY, REPLY_AND_CLOSE or SHUTDOWN:
 *   0  int   connection id
 *   4  long  sequence               of the request answered
 *   12 ...   the reply, RESP-encoded
 * </pre>
 */
final class RingDescriptor
{
    static final int REQUEST = 1;
    static final int REPLY = 1;
    /** The reply, after which the NIC closes the connection (QUIT). */
    static final int REPLY_AND_CLOSE = 2;
    /** The reply (possibly empty), after which the appliance shuts down (SHUTDOWN). */
    static final int SHUTDOWN = 3;

    static final int CONNECTION_OFFSET = 0;
    static final int SEQUENCE_OFFSET = 4;
    static final int DEVICE_TIME_OFFSET = 12;
    static final int ARGC_OFFSET = 20;
    static final int HASHED_ARGUMENT_OFFSET = 24;
    static final int KEY_HASH_OFFSET = 28;
    static final int REQUEST_HEADER = 32;
    static final int REPLY_HEADER = 12;

    private RingDescriptor()
    {
    }
}
