package dev.shoal.kernel.paging;

/**
 * A run of pages mapped contiguously, virtual and physical, with the same leaf flags: what {@code unmap} removed
 * or {@code mappings} found.
 *
 * @param vaddr    first virtual address of the run (page-aligned).
 * @param physical physical address of the first page.
 * @param bytes    length of the run, a multiple of the page size.
 * @param flags    the leaf entries' flag bits (including {@code PRESENT}).
 */
public record Mapping(long vaddr, long physical, long bytes, long flags)
{
    public long pages()
    {
        return bytes >>> PageTableFormat.PAGE_SHIFT;
    }

    @Override
    public String toString()
    {
        return "0x" + Long.toHexString(vaddr) + "+0x" + Long.toHexString(bytes) + " -> 0x" +
            Long.toHexString(physical) + " " + PageTableFormat.describeFlags(flags);
    }
}
