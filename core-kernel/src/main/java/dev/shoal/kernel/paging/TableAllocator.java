package dev.shoal.kernel.paging;

/**
 * Supplies the frames for page tables that {@link PageTables#map} finds missing. In the kernel this is where a
 * VNode capability is retyped from RAM; in tests, a frame allocator.
 *
 * <p>Called synchronously from {@code map}, on the caller's thread.
 */
@FunctionalInterface
public interface TableAllocator
{
    /**
     * @param level the level (3, 2 or 1) of the table to create.
     * @return the physical address of a 4 KiB-aligned, backed frame for it; {@code map} zeroes it before use.
     */
    long allocateTable(int level);
}
