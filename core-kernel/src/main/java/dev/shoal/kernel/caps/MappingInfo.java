package dev.shoal.kernel.caps;

/**
 * Where one capability copy is mapped: entries {@code [slot, slot + pages)} of the page table at physical address
 * {@code table}, a table of {@code level} (4..1). Barrelfish keeps the same record in the {@code mapping_info} of
 * the capability-table entry that was mapped; Shoal keeps it on the {@link Cte}, so deleting that copy can undo
 * exactly its mappings.
 *
 * <p>For a FRAME or DEV_FRAME the table is an L1 and each entry maps one page, the first one {@code offset} bytes
 * into the frame. For a VNODE the parent table's single entry links the table the capability names
 * ({@code pages == 1}, {@code offset == 0}).
 *
 * <p>The record holds no virtual address or address-space id: a table can be unlinked and linked elsewhere, so
 * where a mapping appears is computed from the tables' links when needed
 * ({@code dev.shoal.kernel.vspace.VNodeOps#locate}).
 *
 * <p>A value; any thread.
 */
public record MappingInfo(long table, int level, int slot, int pages, long offset)
{
    /** Entries of one page table. */
    public static final int TABLE_ENTRIES = 512;

    public MappingInfo
    {
        if (level < 1 || level > 4 || slot < 0 || pages < 1 || slot + pages > TABLE_ENTRIES || offset < 0 ||
            table < 0 || table % CapType.BASE_PAGE_SIZE != 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("mapping of table 0x" + Long.toHexString(table) + " level " +
                level + " entries " + slot + "+" + pages + " offset " + offset);
        }
    }

    /** One past the last entry. */
    public int end()
    {
        return slot + pages;
    }

    /** @return true when the record covers entry {@code index} of {@code table}. */
    public boolean covers(final long table, final int index)
    {
        return this.table == table && index >= slot && index < slot + pages;
    }

    @Override
    public String toString()
    {
        return "L" + level + " table 0x" + Long.toHexString(table) + " entries " + slot + ".." + (end() - 1) +
            (offset == 0 ? "" : " from offset 0x" + Long.toHexString(offset));
    }
}
