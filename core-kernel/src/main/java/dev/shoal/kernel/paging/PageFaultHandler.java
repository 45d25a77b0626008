package dev.shoal.kernel.paging;

/**
 * The page-fault upcall of an address space: the dispatcher's chance to repair a mapping (demand paging, a
 * growing stack, copy-on-write) before the faulting access is retried.
 *
 * <p>Called on the faulting thread, on its core, synchronously inside the access and before the access touched
 * memory. The handler may map pages (returning {@link Resolution#RETRY}), may block (the core runs other
 * dispatchers meanwhile; the access re-translates afterwards), or give up ({@link Resolution#FAIL}), in which
 * case the access throws {@link PageFaultException}. The TLB entry of the faulting page has already been dropped;
 * a handler that changes other existing mappings must invalidate them itself.
 */
@FunctionalInterface
public interface PageFaultHandler
{
    enum Resolution
    {
        /** The mapping was repaired: translate again. */
        RETRY,
        /** Not repairable: the access fails. */
        FAIL
    }

    /** A handler that repairs nothing: every fault fails its access. */
    PageFaultHandler ALWAYS_FAIL = fault -> Resolution.FAIL;

    Resolution onPageFault(PageFault fault);
}
