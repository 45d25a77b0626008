package dev.shoal.libos;

import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;

/**
 * First-fit allocation inside a RAM capability, with the mapping database as the only record of what is taken:
 * the free ranges are the gaps between the RAM's descendants. Whoever else retypes the same RAM (the monitor, the
 * application's own policy) is therefore never collided with, and memory whose capabilities were deleted or revoked
 * is free again at once.
 *
 * <p>Linear in the number of descendants; core-local, like the mapping database it reads.
 */
final class RamGaps
{
    private RamGaps()
    {
    }

    /**
     * The offset into {@code ram} of {@code bytes} that no descendant of it covers, with the physical address
     * aligned to {@code alignment} (a power of two).
     *
     * @throws ShoalException OUT_OF_MEMORY when there is no such gap.
     */
    static long find(final CapOps caps, final Capability ram, final long bytes, final long alignment)
    {
        long cursor = ram.base();
        long start = align(cursor, alignment);
        // Descendants come in order of their base, so the first gap big enough is the lowest.
        for (final Cte d : caps.mdb().descendants(ram))
        {
            if (start + bytes <= d.capability().base())
            {
                break;
            }
            cursor = Math.max(cursor, d.capability().end());
            start = align(cursor, alignment);
        }
        if (start + bytes > ram.end())
        {
            throw ShoalError.OUT_OF_MEMORY.exception(bytes + " bytes from " + ram);
        }
        return start - ram.base();
    }

    static long align(final long value, final long alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
