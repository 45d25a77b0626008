package dev.shoal.kernel;

/**
 * The window barrier across JVMs: one partition per JVM, the votes exchanged over a {@link PartitionLink} (each
 * partition sends its vote after everything it sent in the window, so a vote received means the peer's window is
 * flushed). Every partition computes the same reduction from the same votes. What a peer sent arrives through
 * {@code inbound} before its vote is counted. The one partition thread of this JVM only.
 */
final class LinkedBarrier implements PartitionBarrier
{
    private final PartitionLink link;
    private final PartitionLink.Inbound inbound;
    private final Runnable action;
    private final Runnable beforeVote;
    private PartitionLink.Vote[] votes;
    private long globalMin = Long.MAX_VALUE;
    private long globalMax;
    private boolean anyPosted;
    private boolean exit;
    private boolean exitRequested;

    /** @param beforeVote flushes what this partition wrote to rings other partitions read. */
    LinkedBarrier(final PartitionLink link, final PartitionLink.Inbound inbound, final Runnable beforeVote,
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
        beforeVote.run();
        votes = link.exchange(new PartitionLink.Vote(earliest, latest, postedSince, exitRequested), inbound);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean posted = false;
        for (final PartitionLink.Vote v : votes)
        {
            min = Math.min(min, v.earliest());
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
        for (int p = 0; p < votes.length; p++)
        {
            if (p != party)
            {
                m = Math.min(m, votes[p].earliest());
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
}
