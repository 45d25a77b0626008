package dev.shoal.kernel.paging;

import java.util.Objects;

/**
 * A virtual address space as the translation sees it: the id that tags its TLB entries, the physical address of
 * its root (L4) table, and the handler its page faults are upcalled to.
 *
 * <p>Immutable; shared freely. Two address spaces with the same id on one core would share TLB entries, so ids
 * must be unique per core (the libOS hands them out).
 */
public record AddressSpace(int asid, long l4Table, PageFaultHandler faultHandler)
{
    public AddressSpace
    {
        if (asid < 0)
        {
            throw new IllegalArgumentException("address-space ids are non-negative: " + asid);
        }
        if (!PageTableFormat.isPageAligned(l4Table) || !PageTableFormat.fitsEntry(l4Table))
        {
            throw new IllegalArgumentException("root table must be a page-aligned physical address: 0x" +
                Long.toHexString(l4Table));
        }
        Objects.requireNonNull(faultHandler, "faultHandler");
    }

    /** An address space whose faults all fail their access. */
    public AddressSpace(final int asid, final long l4Table)
    {
        this(asid, l4Table, PageFaultHandler.ALWAYS_FAIL);
    }

    /** The same tables and id with another fault handler. */
    public AddressSpace withFaultHandler(final PageFaultHandler handler)
    {
        return new AddressSpace(asid, l4Table, handler);
    }
}
