package dev.shoal.kernel;

/**
 * A core's allocator of physical frames from its own region of {@link PhysicalMemory}: a bump pointer over lazily
 * allocated chunks, core-local, so allocation needs no lock and no cross-core traffic. Frames are zeroed and
 * cache-line aligned; a frame never spans chunks. Nothing is freed yet (capabilities will own that). The region's
 * first {@link PhysicalMemory#RENDEZVOUS_BYTES} are the core's rendezvous page, never handed out.
 *
 * <p>Called only on the owning core.
 */
public final class FrameAllocator
{
    private final PhysicalMemory memory;
    private final int core;
    private int chunk = -1;
    private int used = PhysicalMemory.CHUNK_SIZE;

    FrameAllocator(final PhysicalMemory memory, final int core)
    {
        this.memory = memory;
        this.core = core;
    }

    /** @return the physical address of {@code bytes} fresh, zeroed bytes, aligned to 64. */
    public long allocate(final int bytes)
    {
        return allocate(bytes, PhysicalMemory.LINE);
    }

    /**
     * @param alignment a power of two from 64 to the chunk size (e.g. 4096 for a page table).
     * @return the physical address of {@code bytes} fresh, zeroed bytes, aligned to {@code alignment}.
     */
    public long allocate(final int bytes, final int alignment)
    {
        if (alignment < PhysicalMemory.LINE || alignment > PhysicalMemory.CHUNK_SIZE || Integer.bitCount(alignment) != 1)
        {
            throw new IllegalArgumentException("alignment must be a power of two in 64.." + PhysicalMemory.CHUNK_SIZE +
                ": " + alignment);
        }
        used = (used + alignment - 1) & -alignment;
        if (bytes <= 0 || bytes > PhysicalMemory.CHUNK_SIZE)
        {
            throw new IllegalArgumentException("frame size must be 1.." + PhysicalMemory.CHUNK_SIZE + ": " + bytes);
        }
        final int aligned = (bytes + PhysicalMemory.LINE - 1) & -PhysicalMemory.LINE;
        while (used + aligned > PhysicalMemory.CHUNK_SIZE)
        {
            chunk++;
            used = chunk == 0 ? Math.max(PhysicalMemory.RENDEZVOUS_BYTES, alignment) : 0;
            if (used + aligned <= PhysicalMemory.CHUNK_SIZE)
            {
                memory.newChunk(core, chunk);
            }
        }
        final long address = ((long)core << PhysicalMemory.CORE_SHIFT) | ((long)chunk << PhysicalMemory.CHUNK_SHIFT) |
            used;
        used += aligned;
        return address;
    }
}
