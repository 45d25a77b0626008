package dev.shoal.kernel.paging;

/**
 * What address translation costs in simulated cycles. {@link #DEFAULT} states the figures assumed for the
 * Multikernel paper's machines (mostly AMD Opterons of families 0Fh and 10h at 2.0–2.8 GHz); a machine
 * description may supply its own.
 *
 * @param tlbHit            a translation found in the TLB: 1 cycle. The hardware looks up the L1 DTLB in parallel
 *                          with the L1 cache, so a hit adds nothing measurable; the one cycle stands for the
 *                          access itself, charged once per page an access touches (hit or miss).
 * @param tableRead         each page-table entry read by a walk on a TLB miss: 15 cycles, an L2 cache hit on
 *                          K10 (L2 load-to-use ≈ 12–15 cycles). Tables of a working set stay cache-resident and the
 *                          upper levels are also held by the walker's own caches, so L2 is the typical case. An
 *                          entry the core never read before is a miss to memory instead, priced by the machine
 *                          ({@link TouchedLines}). A full walk reads 4 entries.
 * @param invalidatePage    invalidating one page's entry (INVLPG): 100 cycles. AMD's optimisation guide for
 *                          AMD64 processors lists INVLPG at ≈ 80 cycles in 64-bit mode; Linux developers measured
 *                          ≈ 260 cycles on later Intel parts. Rounded from the AMD figure, the paper's machines
 *                          being mostly Opterons.
 * @param flushAll          dropping a whole address space's entries (a CR3 reload): 100 cycles, the order of
 *                          Linux developers' measurement (≈ 96 cycles for the write itself). The real price of a
 *                          flush is the misses that follow, and the simulation charges those as they happen.
 * @param flushCeilingPages beyond this many pages a range invalidation flushes the address space instead of
 *                          invalidating page by page: 33, Linux's x86 {@code tlb_single_page_flush_ceiling},
 *                          chosen there for the same trade-off (refill misses against per-page invalidations).
 * @param faultUpcall       delivering a page fault: the trap into the CPU driver and the upcall into the
 *                          dispatcher's handler, 500 cycles. Assumed: the same two protection-domain crossings as
 *                          a one-way LMP, which on the paper's machines is half of a 757–1549 cycle LRPC.
 */
public record PagingCosts(long tlbHit, long tableRead, long invalidatePage, long flushAll, int flushCeilingPages,
    long faultUpcall)
{
    /** The figures argued above. */
    public static final PagingCosts DEFAULT = new PagingCosts(1, 15, 100, 100, 33, 500);

    public PagingCosts
    {
        if (tlbHit < 0 || tableRead < 0 || invalidatePage < 0 || flushAll < 0 || flushCeilingPages < 1 ||
            faultUpcall < 0)
        {
            throw new IllegalArgumentException("paging costs must be non-negative (flush ceiling at least 1 page)");
        }
    }

    /** Cycles of a walk that read {@code reads} table entries. */
    public long walk(final int reads)
    {
        return tableRead * reads;
    }
}
