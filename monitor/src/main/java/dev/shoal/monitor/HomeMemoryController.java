package dev.shoal.monitor;

import dev.shoal.skb.Topology;

/**
 * The memory controller of a line's home node as a resource of the home core: every coherence transaction the
 * home serves occupies it for {@link Topology#homeOccupancyCycles} (one 64-byte line at the node's DRAM
 * bandwidth), one transaction at a time, so the transactions of <em>different</em> lines queue here while each
 * line's own transactions already queue at the line.
 *
 * <p>Core-local state of the home core's monitor ({@link #of}): one per monitor, created on first use, called
 * only from that core's handlers, never shared. Cores of one node that are each the home of their own memory
 * each have their own: the model does not share a controller between the cores of a node, because that would be
 * mutable state crossing cores.
 *
 * <p>A transaction is granted when its line is free, which may be later than the home handles its request, so
 * the controller keeps its reservations, later ones included, and gives each transaction the earliest time at or
 * after it is ready at which a slot of the occupancy is free (first fit): a transaction whose line is free now
 * is not held behind one that waits for a busy line. Reservations that ended before the home's clock are dropped;
 * there are never more than the transactions in flight (one per updating core).
 */
public final class HomeMemoryController
{
    private final long occupancy;
    private final OccupancySchedule schedule = new OccupancySchedule();

    HomeMemoryController(final long occupancy)
    {
        if (occupancy < 0)
        {
            throw new IllegalArgumentException("occupancy must not be negative: " + occupancy);
        }
        this.occupancy = occupancy;
    }

    /** The controller of the node whose home is {@code home}'s core: core-local, created on first use. */
    public static HomeMemoryController of(final Monitor home)
    {
        return home.local(HomeMemoryController.class,
            () -> new HomeMemoryController(home.system().topology().homeOccupancyCycles()));
    }

    /** Cycles one transaction occupies the controller. */
    public long occupancy()
    {
        return occupancy;
    }

    /**
     * Reserves the controller for one transaction that can start no earlier than {@code ready} (at least the
     * home's clock {@code now}) and returns when it starts: {@code ready} itself when the controller is free then.
     * Called on the home core only.
     */
    public long reserve(final long now, final long ready)
    {
        return schedule.reserve(now, ready, occupancy);
    }

    /** Reservations held (for tests). */
    int reservations()
    {
        return schedule.reservations();
    }
}
