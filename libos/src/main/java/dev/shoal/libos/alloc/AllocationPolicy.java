package dev.shoal.libos.alloc;

/**
 * An application's policy for the memory of a {@link MappedRegion}: which bytes of the mapped chunks a request
 * gets, and what happens to them when freed. The mechanism (RAM capabilities, frames, mappings) stays in the
 * region; a policy only decides.
 *
 * <p>Addresses are virtual addresses of the dispatcher's address space, read and written with {@code Os.readBytes}
 * and friends. Core-local: a policy object belongs to one dispatcher and is used only on its core.
 */
public interface AllocationPolicy
{
    /** Returned by {@link #allocate(int)} when the region cannot grow any more (the RAM is spent). */
    long NO_MEMORY = -1;

    /**
     * Reserves at least {@code bytes} (1 or more) of mapped, writable memory.
     *
     * @return its virtual address, or {@link #NO_MEMORY}.
     * @throws IllegalArgumentException when {@code bytes} is not positive or above {@link #maxAllocation()}.
     */
    long allocate(int bytes);

    /**
     * Gives back the block at {@code vaddr} that {@link #allocate(int)} returned for a request of {@code bytes}
     * (a sized free, as C++'s sized deallocation: the caller knows the size, so no header is kept).
     */
    void free(long vaddr, int bytes);

    /** The largest request {@link #allocate(int)} accepts. */
    int maxAllocation();

    /** Bytes handed out and not freed, counted in whole blocks. */
    long bytesInUse();

    /** Bytes of memory the region has mapped for this policy. */
    long bytesMapped();
}
