package dev.shoal.kernel;

/**
 * A core's allocator of physical frames from its own region of {@link PhysicalMemory}: a bump pointer over lazily
 * allocated chunks, core-local, so allocation needs no lock and no cross-core traffic. Frames are zeroed and
 * cache-line aligned; a frame never spans chunks. Nothing is freed yet (capabilities will own that).
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
        if (bytes <= 0 || bytes > PhysicalMemory.CHUNK_SIZE)
        {
            throw new IllegalArgumentException("frame size must be 1.." + PhysicalMemory.CHUNK_SIZE + ": " + bytes);
        }
        final int aligned = (bytes + PhysicalMemory.LINE - 1) & -PhysicalMemory.LINE;
        if (used + aligned > PhysicalMemory.CHUNK_SIZE)
        {
            chunk++;
            memory.newChunk(core, chunk);
            used = 0;
        }
        final long address = ((long)core << PhysicalMemory.CORE_SHIFT) | ((long)chunk << PhysicalMemory.CHUNK_SHIFT) |
            used;
        used += aligned;
        return address;
    }
}
