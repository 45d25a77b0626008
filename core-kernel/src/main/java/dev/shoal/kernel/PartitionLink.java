package dev.shoal.kernel;

/**
 * The exact engine's view of the other JVMs of a partitioned machine (docs/partitions.md): this JVM carries one
 * partition of contiguous packages; every other partition is reached only through this link, which carries bytes
 * and nothing else. An implementation (Aeron in the apps module) keeps one ordered stream per pair of partitions:
 * what a partition sends before its barrier vote arrives before that vote.
 *
 * <p>The send methods are called by this JVM's partition thread during a window; {@link #exchange} by that thread
 * at a barrier. {@link #announce} and {@link #collect} by the host thread, before a machine starts and after it stopped.
 */
public interface PartitionLink
{
    /** What a partition received before a peer's barrier vote: ring lines, doorbells and start-up IPIs. */
    interface Inbound
    {
        /** A 64-byte line of a ring the peer writes and a core of this partition reads. */
        void line(long address, byte[] bytes, int offset);

        /** A doorbell for {@code core} naming the ring {@code channel}. */
        void doorbell(int core, long channel);

        /** A start-up IPI for {@code core}: its boot argument, the line at that address, the cycle it lands. */
        void start(int core, long argument, byte[] line, int offset, long at);

        /** A host request for {@code core}, landing at {@code at}, encoded by the coordinator's host. */
        default void request(final int core, final long at, final long id, final byte[] request)
        {
            throw new IllegalStateException("a host request arrived where none is expected");
        }

        /** Trace lines a worker's cores recorded ({@link TraceRecorder#drainLines}): the coordinator only. */
        default void traceLines(final byte[] lines, final int offset, final int length)
        {
        }

        /** Timeline events a worker's cores recorded ({@link Timeline#drainEvents}): the coordinator only. */
        default void timelineEvents(final byte[] events, final int offset, final int length)
        {
        }

        /**
         * A worker core's event count and trace hash, sent before a vote of that worker's whenever they changed
         * ({@link TraceRecorder#drainChangedCores}): the coordinator only.
         */
        default void hashes(final int core, final long events, final long hash)
        {
        }

        /** The answer to host request {@code id}, from the partition that ran it (the coordinator only). */
        default void reply(final long id, final byte[] reply)
        {
            throw new IllegalStateException("a host request's reply arrived where none is expected");
        }
    }

    /**
     * One partition's vote at a barrier: its earliest pending event, its cores' latest clock, whether it posted. The
     * coordinator's vote at a quiescent barrier where host requests land also carries {@code landings}: by partition,
     * the earliest cycle a request lands there ({@link Long#MAX_VALUE}: none), so that every partition knows the next
     * window without another round; null otherwise.
     */
    record Vote(long earliest, long latest, boolean posted, boolean exit, long[] landings)
    {
    }

    /** This JVM's partition, 0 being the coordinator (the one the host API runs on). */
    int self();

    /** Partitions in all. */
    int count();

    /** The machine about to start, in words every partition rebuilds it from (the coordinator sends it). */
    void announce(String machine);

    /** The partition of every core of the machine that starts (to name a partition's cores in errors). */
    default void layout(final int[] partitionOfCore)
    {
    }

    void sendLine(int partition, long address, byte[] line);

    void sendDoorbell(int partition, int core, long channel);

    void sendStart(int partition, int core, long argument, byte[] line, long at);

    /** A host request (bytes) for {@code core} of {@code partition}, landing at {@code at}. The partition thread. */
    default void sendRequest(final int partition, final int core, final long at, final long id, final byte[] request)
    {
        throw new UnsupportedOperationException("this link carries no host requests");
    }

    /** This worker's trace lines since its last vote, to the coordinator, before its vote. The partition thread. */
    default void sendTraceLines(final byte[] lines)
    {
        throw new UnsupportedOperationException("this link carries no trace lines");
    }

    /**
     * This worker's timeline events since its last vote ({@link Timeline#drainEvents}, at most
     * {@link Timeline#SHIP_CHUNK} bytes), to the coordinator, before its vote. The partition thread.
     */
    default void sendTimelineEvents(final byte[] events)
    {
        throw new UnsupportedOperationException("this link carries no timeline events");
    }

    /**
     * The events and trace hash of each of {@code cores} (this worker's, changed since its last report), to the
     * coordinator, just before this worker's vote. The partition thread.
     */
    default void sendHashes(final int[] cores, final TraceRecorder trace)
    {
        throw new UnsupportedOperationException("this link carries no trace hashes");
    }

    /** The answer to host request {@code id}, to the coordinator. The partition thread (a core of it). */
    default void sendReply(final long id, final byte[] reply)
    {
        throw new UnsupportedOperationException("this link carries no host requests");
    }

    /**
     * Sends this partition's vote to every other, then hands {@code inbound} everything each peer sent before its
     * vote, and returns every partition's vote by index (this one's included). Throws
     * {@link IllegalStateException} naming the partition that stopped answering within the link's bound.
     */
    Vote[] exchange(Vote vote, Inbound inbound);

    /**
     * This JVM's partition of the engine failed: end the run on every partition (the others, waiting for its vote,
     * would otherwise wait for the liveness bound). The engine's partition thread.
     */
    default void abort(final String why)
    {
    }
}
