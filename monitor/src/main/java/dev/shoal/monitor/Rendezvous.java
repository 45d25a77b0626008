package dev.shoal.monitor;

import org.agrona.concurrent.AtomicBuffer;

import dev.shoal.kernel.PhysicalMemory;

/**
 * A core's rendezvous page ({@link PhysicalMemory#rendezvous(int)}): a bounded multi-producer, single-consumer queue
 * of channel openings in the core's kernel memory, at an address every core knows without being told. A monitor that
 * cannot reach a peer along the routing tree (a core on the way halted) allocates the rings of a direct channel and
 * leaves their addresses here; the peer's monitor connects to them when it next looks. Only bytes in memory cross:
 * the page is read and written through {@link AtomicBuffer}, as a UMP ring is.
 *
 * <pre>
 *   line 0        tail: the next ticket (producers claim tickets by compare-and-set)
 *   line 1        head: the next ticket to consume (the owning monitor's, kept in memory to survive a restart)
 *   lines 2..63   entries, one per line: state:long  opener:int  slots:int  openerTx:long  openerRx:long
 * </pre>
 * An entry's state tells producers and the consumer whose turn it is (Vyukov's bounded queue, with the page's zero
 * fill as the initial state): for ticket {@code t} in entry {@code t % CAPACITY}, {@code t + 1} means written and
 * not yet consumed, {@code -(t + 1)} consumed, so free for ticket {@code t + CAPACITY}.
 */
final class Rendezvous
{
    static final int CAPACITY = PhysicalMemory.RENDEZVOUS_BYTES / PhysicalMemory.LINE - 2;
    private static final int TAIL = 0;
    private static final int HEAD = PhysicalMemory.LINE;
    private static final int ENTRIES = 2 * PhysicalMemory.LINE;
    private static final int STATE = 0;
    private static final int OPENER = 8;
    private static final int SLOTS = 12;
    private static final int OPENER_TX = 16;
    private static final int OPENER_RX = 24;

    /** An opening read from the page: the opener transmits on {@code openerTx} and receives on {@code openerRx}. */
    record Opening(int opener, int slots, long openerTx, long openerRx)
    {
    }

    private final PhysicalMemory memory;
    private final int core;
    /** The owner's view of its page, once some core has written to it. */
    private AtomicBuffer page;

    /** The consuming side, for the monitor of {@code core}. */
    Rendezvous(final PhysicalMemory memory, final int core)
    {
        this.memory = memory;
        this.core = core;
    }

    private static int entry(final long ticket)
    {
        return ENTRIES + (int)(ticket % CAPACITY) * PhysicalMemory.LINE;
    }

    /**
     * Leaves an opening on {@code core}'s page. Any thread.
     *
     * @return false when the page is full (the owner has not consumed {@link #CAPACITY} earlier openings).
     */
    static boolean post(final PhysicalMemory memory, final int core, final Opening opening)
    {
        final AtomicBuffer page = memory.rendezvousPage(core, true);
        while (true)
        {
            final long ticket = page.getLongVolatile(TAIL);
            final int at = entry(ticket);
            final long state = page.getLongVolatile(at + STATE);
            final long free = ticket < CAPACITY ? 0 : -(ticket - CAPACITY + 1);
            if (state == free)
            {
                if (page.compareAndSetLong(TAIL, ticket, ticket + 1))
                {
                    page.putInt(at + OPENER, opening.opener());
                    page.putInt(at + SLOTS, opening.slots());
                    page.putLong(at + OPENER_TX, opening.openerTx());
                    page.putLong(at + OPENER_RX, opening.openerRx());
                    page.putLongOrdered(at + STATE, ticket + 1);
                    return true;
                }
            }
            else if (state == ticket - CAPACITY + 1)
            {
                return false; // the entry still holds the opening of the previous lap: full
            }
            // else another producer took this ticket since we read the tail: read it again
        }
    }

    /**
     * Takes the next opening left on this core's page, or null when there is none (or the next one is still being
     * written). Only the owning core's monitor.
     */
    Opening poll()
    {
        if (page == null && (page = memory.rendezvousPage(core, false)) == null)
        {
            return null;
        }
        final long ticket = page.getLong(HEAD);
        final int at = entry(ticket);
        if (page.getLongVolatile(at + STATE) != ticket + 1)
        {
            return null;
        }
        final Opening opening = new Opening(page.getInt(at + OPENER), page.getInt(at + SLOTS),
            page.getLong(at + OPENER_TX), page.getLong(at + OPENER_RX));
        page.putLong(HEAD, ticket + 1);
        page.putLongOrdered(at + STATE, -(ticket + 1));
        return opening;
    }
}
