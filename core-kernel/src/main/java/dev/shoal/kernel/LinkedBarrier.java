package dev.shoal.kernel;

/**
 * The window barrier across JVMs: one partition per JVM, the votes exchanged over a {@link PartitionLink} (each
 * partition sends its vote after everything it sent in the window, so a vote received means the peer's window is
 * flushed). Every partition computes the same reduction from the same votes. What a peer sent arrives through
 * {@code inbound} before its vote is counted. The one partition thread of this JVM only.
 *
 * <p>At a quiescent barrier where host requests land, the coordinator's vote says where they land in each partition
 * ({@link #predict}); every partition then counts a partition's earliest event as the earlier of its vote and its
 * landings, which is what that partition would vote after taking them, and the engine starts the next window at
 * once ({@link #predicted}) instead of exchanging one more round of votes to learn it.
 */
final class LinkedBarrier implements PartitionBarrier
{
    private final PartitionLink link;
    private final PartitionLink.Inbound inbound;
    private final Runnable action;
    private final java.util.function.LongConsumer beforeVote;
    private PartitionLink.Vote[] votes;
    /** Each partition's earliest event as counted (its vote, or the landings the coordinator predicted there). */
    private long[] earliest = new long[0];
    private long[] landings;
    private boolean predicted;
    private long globalMin = Long.MAX_VALUE;
    private long globalMax;
    private boolean anyPosted;
    private boolean exit;
    private boolean exitRequested;

    /**
     * @param beforeVote flushes what this partition wrote to rings other partitions read (given the earliest event
     *                   it is about to vote).
     */
    LinkedBarrier(final PartitionLink link, final PartitionLink.Inbound inbound,
        final java.util.function.LongConsumer beforeVote,
        final Runnable action)
    {
        this.link = link;
        this.inbound = inbound;
        this.beforeVote = beforeVote;
        this.action = action;
    }

    @Override
    public void arrive(final int party, final long earliest, final long latest, final boolean postedSince,
        final boolean runAction)
    {
        beforeVote.accept(earliest);
        votes = link.exchange(new PartitionLink.Vote(earliest, latest, postedSince, exitRequested, landings), inbound);
        landings = null;
        final long[] landed = votes[0].landings();
        predicted = landed != null;
        if (this.earliest.length != votes.length)
        {
            this.earliest = new long[votes.length];
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean posted = false;
        for (int p = 0; p < votes.length; p++)
        {
            final PartitionLink.Vote v = votes[p];
            final long e = predicted ? Math.min(v.earliest(), landed[p]) : v.earliest();
            this.earliest[p] = e;
            min = Math.min(min, e);
            max = Math.max(max, v.latest());
            posted |= v.posted();
        }
        globalMin = min;
        globalMax = max;
        anyPosted = posted;
        exit = votes[0].exit();
        if (runAction && action != null)
        {
            action.run();
        }
    }

    @Override
    public void breakAll()
    {
    }

    @Override
    public long globalMin()
    {
        return globalMin;
    }

    @Override
    public long minOfOthers(final int party)
    {
        long m = Long.MAX_VALUE;
        for (int p = 0; p < earliest.length; p++)
        {
            if (p != party)
            {
                m = Math.min(m, earliest[p]);
            }
        }
        return m;
    }

    @Override
    public long globalMax()
    {
        return globalMax;
    }

    @Override
    public boolean anyPosted()
    {
        return anyPosted;
    }

    @Override
    public boolean exitRequested()
    {
        return exit;
    }

    @Override
    public void requestExit()
    {
        exitRequested = true;
    }

    @Override
    public void predict(final long[] landingsByPartition)
    {
        landings = landingsByPartition.clone();
    }

    @Override
    public boolean predicted()
    {
        return predicted;
    }
}
