package dev.shoal.kernel.vspace;

/**
 * Where a mapping or a page table appears in an address space now: its root table, the id bound to that root
 * ({@link VNodeOps#NO_ASID} when none), and the virtual range its entries cover.
 *
 * <p>A value; any thread.
 */
public record VirtualRange(int asid, long l4Table, long vaddr, long bytes)
{
    @Override
    public String toString()
    {
        return "asid " + asid + " root 0x" + Long.toHexString(l4Table) + " [0x" + Long.toHexString(vaddr) + "+0x" +
            Long.toHexString(bytes) + ")";
    }
}
