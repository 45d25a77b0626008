package dev.shoal.kernel.paging;

/**
 * The outcome of one page-table walk: where a virtual address leads, or the level at which the walk found no
 * present entry. A result, not an exception: an unmapped address is an ordinary answer (it becomes a page fault
 * only when an access needs it).
 *
 * @param physical   the physical address of the byte at the walked virtual address (page frame plus offset);
 *                   0 when not mapped.
 * @param flags      the effective flags of the whole walk: {@code PRESENT}; {@code WRITABLE} and {@code USER}
 *                   only if every level grants them; {@code NO_EXECUTE} if any level sets it. 0 when not mapped.
 * @param reads      how many table entries the walk read (4 for a complete walk); a TLB miss pays for each.
 * @param faultLevel 0 when mapped, otherwise the level (4..1) of the table whose entry was not present.
 */
public record Translation(long physical, long flags, int reads, int faultLevel)
{
    public static Translation mapped(final long physical, final long flags, final int reads)
    {
        return new Translation(physical, flags, reads, 0);
    }

    public static Translation notMapped(final int level, final int reads)
    {
        return new Translation(0, 0, reads, level);
    }

    public boolean isMapped()
    {
        return faultLevel == 0;
    }

    /** The physical address of the page frame (the offset cleared). */
    public long frame()
    {
        return physical & ~PageTableFormat.PAGE_MASK;
    }

    @Override
    public String toString()
    {
        return isMapped() ?
            "0x" + Long.toHexString(physical) + " " + PageTableFormat.describeFlags(flags) + " (" + reads + " reads)" :
            "not mapped at " + PageTableFormat.levelName(faultLevel) + " (" + reads + " reads)";
    }
}
