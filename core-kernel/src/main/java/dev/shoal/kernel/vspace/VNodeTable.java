package dev.shoal.kernel.vspace;

import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.paging.PageTableFormat;

/**
 * The kernel's bookkeeping for one page table named by a VNODE capability, kept beside the table's bytes in
 * physical memory: which capability-table entry filled each of its entries (so an unmap finds the mapping record
 * to change) and where the table is linked (so a change can be turned into a virtual range to invalidate).
 *
 * <p>Invariant, kept by {@link VNodeOps}: {@code owners[i]} is non-null exactly when entry {@code i} was filled
 * through a capability, and then that entry's {@link Cte#mappings()} hold one record covering {@code i}. A table
 * that is not linked to a root has no translation cached in any TLB (unlinking invalidated them).
 *
 * <p>Core-local, like the invocations that change it.
 */
final class VNodeTable
{
    final long table;
    final int level;
    final Cte[] owners = new Cte[PageTableFormat.ENTRIES];
    /** The table this one is linked into, or null. */
    VNodeTable parent;
    int parentSlot = -1;
    /** For a root (L4) table, the address-space id bound to it, or {@link VNodeOps#NO_ASID}. */
    int asid = VNodeOps.NO_ASID;

    VNodeTable(final long table, final int level)
    {
        this.table = table;
        this.level = level;
    }

    /** The root table above this one, or null when the chain of links stops below L4. */
    VNodeTable root()
    {
        VNodeTable t = this;
        while (t.parent != null)
        {
            t = t.parent;
        }
        return t.level == PageTableFormat.L4 ? t : null;
    }

    /** The virtual address entry 0 of this table covers (linked tables only), not yet sign-extended. */
    long base()
    {
        long va = 0;
        for (VNodeTable t = this; t.parent != null; t = t.parent)
        {
            va += (long)t.parentSlot << PageTableFormat.levelShift(t.parent.level);
        }
        return va;
    }

    @Override
    public String toString()
    {
        return PageTableFormat.levelName(level) + " table 0x" + Long.toHexString(table) +
            (parent == null ? "" : " in entry " + parentSlot + " of 0x" + Long.toHexString(parent.table));
    }
}
