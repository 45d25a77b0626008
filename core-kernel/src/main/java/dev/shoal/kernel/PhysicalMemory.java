package dev.shoal.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The machine's physical memory: one flat 64-bit address space (BareMetal's model) backed by off-heap memory.
 *
 * <p>Layout: each core owns a region of the address space, {@code core << CORE_SHIFT}, made of chunks of
 * {@link #CHUNK_SIZE} bytes that are allocated lazily (and zeroed) when that core's {@link FrameAllocator} first
 * needs them, so idle cores hold no memory. Any core may {@link #map(long, int) map} an address it was told about
 * in a message, the way a Barrelfish monitor maps a frame whose capability it received.
 *
 * <p>Thread-safety: chunk tables are published through an {@link AtomicReferenceArray}; a chunk is written into its
 * table by the owning core before the owner sends its address anywhere, and the channel that carries the address
 * orders the two.
 */
public final class PhysicalMemory implements AutoCloseable
{
    public static final int CORE_SHIFT = 40;
    public static final int CHUNK_SHIFT = 16;
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    /** Cache-line alignment of every allocation, so that a UMP slot is one line. */
    public static final int LINE = 64;

    private final Arena arena = Arena.ofShared();
    private final AtomicReferenceArray<MemorySegment[]> chunksByCore;

    public PhysicalMemory(final int cores)
    {
        chunksByCore = new AtomicReferenceArray<>(cores);
    }

    /**
     * A view of {@code length} bytes at physical address {@code address}. Any thread.
     *
     * @throws IllegalArgumentException when the range is not backed by allocated memory.
     */
    public AtomicBuffer map(final long address, final int length)
    {
        final int core = (int)(address >>> CORE_SHIFT);
        final long offset = address & ((1L << CORE_SHIFT) - 1);
        final int chunk = (int)(offset >>> CHUNK_SHIFT);
        final int inChunk = (int)(offset & (CHUNK_SIZE - 1));
        final MemorySegment[] chunks = core < chunksByCore.length() ? chunksByCore.get(core) : null;
        if (chunks == null || chunk >= chunks.length || chunks[chunk] == null || inChunk + (long)length > CHUNK_SIZE)
        {
            throw new IllegalArgumentException("physical range 0x" + Long.toHexString(address) + "+" + length +
                " is not backed by memory");
        }
        return new UnsafeBuffer(chunks[chunk].address() + inChunk, length);
    }

    /** Allocates chunk {@code index} of {@code core}'s region; called only by that core's allocator. */
    MemorySegment newChunk(final int core, final int index)
    {
        final MemorySegment segment = arena.allocate(CHUNK_SIZE, LINE);
        MemorySegment[] chunks = chunksByCore.get(core);
        final MemorySegment[] grown = new MemorySegment[Math.max(index + 1, chunks == null ? 1 : chunks.length * 2)];
        if (chunks != null)
        {
            System.arraycopy(chunks, 0, grown, 0, chunks.length);
        }
        grown[index] = segment;
        chunksByCore.set(core, grown);
        return segment;
    }

    /** Bytes of physical memory allocated so far (all cores). Host-side statistics. */
    public long allocatedBytes()
    {
        long total = 0;
        for (int i = 0; i < chunksByCore.length(); i++)
        {
            final MemorySegment[] chunks = chunksByCore.get(i);
            if (chunks != null)
            {
                for (final MemorySegment chunk : chunks)
                {
                    total += chunk == null ? 0 : chunk.byteSize();
                }
            }
        }
        return total;
    }

    /** Frees all memory; call only after every core has stopped. */
    @Override
    public void close()
    {
        arena.close();
    }
}
