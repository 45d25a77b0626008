package dev.shoal.apps.partition;

/**
 * The messages between the JVMs of a partitioned machine, one Aeron message each (docs/partitions.md). Every
 * message starts with its type (one byte) and the sending partition (one byte); fields follow little-endian at the
 * offsets below. Only bytes travel: ring lines, doorbells, start-up IPIs, barrier votes, a worker's trace lines and
 * timeline events, and the control messages that set a run up and tear it down.
 */
final class Wire
{
    static final int TYPE_OFFSET = 0;
    static final int FROM_OFFSET = 1;
    static final int BODY_OFFSET = 8;

    /** Worker → coordinator: version (UTF-8 text), then for UDP the worker's own endpoint. */
    static final byte HELLO = 1;
    /** Coordinator → worker: your partition, the partition count, the endpoints (UDP), as text. */
    static final byte WELCOME = 2;
    /** Coordinator → worker: refused (text: why); the worker prints it and exits 2. */
    static final byte REFUSED = 3;
    /** Coordinator → worker: the next machine, as text (MonitorSystem's description plus seed and jitter). */
    static final byte MACHINE = 4;
    /** Coordinator → worker: no more machines, exit. */
    static final byte BYE = 5;
    /** Any → any: still alive (handled by the receiving thread, never queued). */
    static final byte HEARTBEAT = 6;
    /** address (8), 64 bytes of a ring line. */
    static final byte LINE = 10;
    /** core (4), channel (8). */
    static final byte DOORBELL = 11;
    /** core (4), argument (8), at (8), the 64-byte line at argument. */
    static final byte START = 12;
    /**
     * earliest (8), latest (8), posted (1), exit (1); from the coordinator at a quiescent barrier where host requests
     * land, then also the partition count (4) and, by partition, the earliest cycle one lands there (8 each).
     */
    static final byte VOTE = 13;
    /**
     * Worker → coordinator just before a vote that says it has nothing pending, if any of its cores recorded events
     * since it last sent them; in chunks of at most {@link #HASH_CHUNK} cores (an Aeron message has a maximum
     * length): count (4), more chunks follow (4: 1 or 0), then per core: core (4), events (8), hash (8).
     */
    static final byte HASHES = 14;

    /** Coordinator → worker: core (4), at (8), id (8), then the host request's bytes. */
    static final byte REQUEST = 15;
    /** Worker → coordinator: id (8), then the bytes the host request answered. */
    static final byte REPLY = 16;

    /** Worker → coordinator before its vote, with a trace file: trace lines, TraceRecorder.LINE_BYTES each. */
    static final byte TRACE_LINES = 17;
    /** Trace lines per TRACE_LINES message: 8,192 of 40 bytes, within Aeron's maximum message of 512 KiB. */
    static final int TRACE_CHUNK = 8192;
    /** Worker → coordinator before its vote, with a timeline: encoded events (Timeline.drainEvents), whole ones. */
    static final byte TIMELINE_EVENTS = 18;

    static final int LINE_ADDRESS = BODY_OFFSET;
    static final int LINE_BYTES = BODY_OFFSET + 8;
    static final int LINE_LENGTH = LINE_BYTES + 64;

    static final int DOORBELL_CORE = BODY_OFFSET;
    static final int DOORBELL_CHANNEL = BODY_OFFSET + 8;
    static final int DOORBELL_LENGTH = DOORBELL_CHANNEL + 8;

    static final int START_CORE = BODY_OFFSET;
    static final int START_ARGUMENT = BODY_OFFSET + 8;
    static final int START_AT = BODY_OFFSET + 16;
    static final int START_LINE = BODY_OFFSET + 24;
    static final int START_LENGTH = START_LINE + 64;

    static final int VOTE_EARLIEST = BODY_OFFSET;
    static final int VOTE_LATEST = BODY_OFFSET + 8;
    static final int VOTE_POSTED = BODY_OFFSET + 16;
    static final int VOTE_EXIT = BODY_OFFSET + 17;
    static final int VOTE_LENGTH = VOTE_EXIT + 1;
    static final int VOTE_LANDINGS_COUNT = VOTE_LENGTH;
    static final int VOTE_LANDINGS = VOTE_LANDINGS_COUNT + 4;

    static final int REQUEST_CORE = BODY_OFFSET;
    static final int REQUEST_AT = BODY_OFFSET + 8;
    static final int REQUEST_ID = BODY_OFFSET + 16;
    static final int REQUEST_BYTES = BODY_OFFSET + 24;

    static final int REPLY_ID = BODY_OFFSET;
    static final int REPLY_BYTES = BODY_OFFSET + 8;

    static final int HASHES_COUNT = BODY_OFFSET;
    static final int HASHES_MORE = BODY_OFFSET + 4;
    static final int HASHES_FIRST = BODY_OFFSET + 8;
    static final int HASH_ENTRY = 24;
    /** Cores per HASHES message: 8,192 entries make 192 KiB, within Aeron's default maximum message of 512 KiB. */
    static final int HASH_CHUNK = 8192;

    private Wire()
    {
    }
}
