package dev.shoal.kernel;

/**
 * The reduction that ends a window of the exact engine: every partition arrives with its vote and leaves knowing
 * everyone's. {@link WindowBarrier} joins threads of one JVM; {@link LinkedBarrier} joins JVMs over a
 * {@link PartitionLink}. Partition threads only.
 */
interface PartitionBarrier
{
    void arrive(int party, long earliest, long latest, boolean postedSince, boolean runAction);

    void breakAll();

    long globalMin();

    long minOfOthers(int party);

    long globalMax();

    boolean anyPosted();

    /** Whether the coordinator (partition 0) decided at the last phase that the machine stops. */
    default boolean exitRequested()
    {
        return false;
    }

    /** Partition 0 only: the machine stops; told to the others with the next arrival. */
    default void requestExit()
    {
    }

    /**
     * Partition 0 only, at a quiescent barrier: by partition, the earliest cycle a host request lands there
     * ({@link Long#MAX_VALUE}: none), told to the others with the next arrival, which then counts as a settle round
     * ({@link #predicted}). A barrier that cannot tell the others ignores it.
     */
    default void predict(final long[] landingsByPartition)
    {
    }

    /**
     * Whether the last arrival carried partition 0's {@link #predict}ion: its reduction is then the one the settle
     * round after taking the landings would give, and that round is skipped.
     */
    default boolean predicted()
    {
        return false;
    }
}
