package dev.shoal.apps.kv;

/**
 * Layout of the messages in a NIC queue's rings (Agrona one-to-one ring buffers of bytes; the message type is the
 * ring's message type id). A message carries a <em>run</em>: consecutive requests of one connection that go to the
 * same queue (a pipelining client's batch, or part of it), and their replies come back as one message too, so
 * that the ring's claim and commit, the header and the NIC's look-up of the connection are paid once a run rather
 * than once a request (the role of a NIC's coalesced receive descriptors).
 *
 * <pre>
 * receive ring (NIC → core), type REQUEST:
 *   0  int   connection id          the NIC's name for the client connection
 *   4  long  first sequence         of the run's first request; per connection, from 0, in the order the client
 *                                   sent its requests, and the run's requests have the ones that follow
 *   12 long  device time            host wall-clock milliseconds when the NIC read the requests (for TTLs)
 *   20 int   count                  requests in the run, at least 1
 *   24 int   flags                  the connection's session: FLAG_RESP3 when it chose RESP3 (HELLO 3)
 *   28 count × request:
 *      0  int   argc
 *      4  int   hashed argument     the argument the filter routed by (BY_ARGUMENT), or 0 when none
 *      8  int   key hash            {@link KeyHash#fnv1a} of that argument (the RSS role: the core need not hash
 *                                   the key again), 0 when none
 *      12 argc × { int length, length bytes }   the command's arguments, the name first
 *
 * transmit ring (core → NIC), type REPLY, REPLY_AND_CLOSE or SHUTDOWN:
 *   0  int   connection id
 *   4  long  first sequence         of the first request answered
 *   12 int   count                  requests answered, one after another from the first, at least 1
 *   16 ...   their replies, RESP-encoded, in order
 * </pre>
 * A core may answer a run in several messages (a reply that closes the connection or shuts down ends one, and so
 * does a long one); the NIC sends replies in sequence order whatever message they come in.
 *
 * <p><b>Pieces.</b> A message longer than the ring's largest ({@link NicQueue#maxMessage()}: a run holding a large
 * SET, or a GET's reply of a large value) travels in pieces: every piece but the last has type {@link #PIECE} and
 * carries the next {@code maxMessage} bytes of the message, the last carries the rest with the message's own type.
 * The pieces of one message follow each other on their ring with nothing between them (each ring has one producer),
 * and the receiver joins them before it reads the message.
 */
final class RingDescriptor
{
    static final int REQUEST = 1;
    static final int REPLY = 1;
    /** The replies, after the last of which the NIC closes the connection (QUIT). */
    static final int REPLY_AND_CLOSE = 2;
    /** The replies (possibly none but empty), after which the appliance shuts down (SHUTDOWN). */
    static final int SHUTDOWN = 3;
    /** On either ring: the next bytes of a message too long for one ring message, whose last piece follows. */
    static final int PIECE = 4;

    static final int CONNECTION_OFFSET = 0;
    static final int SEQUENCE_OFFSET = 4;
    static final int DEVICE_TIME_OFFSET = 12;
    static final int COUNT_OFFSET = 20;
    static final int FLAGS_OFFSET = 24;
    static final int REQUEST_HEADER = 28;
    /** In a run's flags: answer in RESP3. */
    static final int FLAG_RESP3 = 1;

    /** Within one request of a run. */
    static final int ARGC_OFFSET = 0;
    static final int HASHED_ARGUMENT_OFFSET = 4;
    static final int KEY_HASH_OFFSET = 8;
    static final int ARGUMENTS_OFFSET = 12;

    static final int REPLY_COUNT_OFFSET = 12;
    static final int REPLY_HEADER = 16;

    private RingDescriptor()
    {
    }
}
