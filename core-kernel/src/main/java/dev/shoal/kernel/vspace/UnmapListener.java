package dev.shoal.kernel.vspace;

/**
 * Told when translations of a core's address spaces stopped being valid: after an unmap, the unlinking of a page
 * table, a rights reduction or the death of a root table, once the core's own TLB has been invalidated. This is
 * where the monitor or the libOS starts the TLB shootdown on the other cores that may cache the range.
 *
 * <p>Not told when a mapping is added or widened: no TLB caches a missing entry, and a stale narrower entry on
 * another core only causes a spurious fault, which the fault path re-walks (as on x86).
 *
 * <p>Called on the core that made the change, from inside the invocation or the capability deletion that made it
 * (so the tables and the mapping database are consistent). A listener must not throw and must not call back into
 * {@link dev.shoal.kernel.caps.CapOps} or {@link VNodeOps}; it may send messages.
 */
@FunctionalInterface
public interface UnmapListener
{
    /**
     * @param asid    the address-space id bound to the root table ({@link VNodeOps#bindAddressSpace}), or
     *                {@link VNodeOps#NO_ASID} when none is (the local TLB was then flushed whole).
     * @param l4Table physical address of the root table: machine-unique, unlike the core-local {@code asid}.
     * @param vaddr   first virtual address no longer translated as before (page-aligned, canonical).
     * @param bytes   length of the range, a multiple of the page size; never crosses the canonical hole.
     */
    void onUnmapped(int asid, long l4Table, long vaddr, long bytes);
}
