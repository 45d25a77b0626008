package dev.shoal.libos.alloc;

import dev.shoal.libos.Os;

/**
 * A slab-style policy: requests are rounded up to a power-of-two size class (16 bytes up to the region's chunk
 * size); each class keeps a LIFO free list threaded through the free blocks themselves — the first 8 bytes of a
 * free block, in the region's mapped memory, hold the address of the next one. Only the list heads live in this
 * object. A class with an empty list carves new blocks from the current chunk; when the chunk is spent, its
 * leftover is cut into blocks of smaller classes and the region {@link MappedRegion#grow() grows} by a chunk.
 *
 * <p>Freed blocks are reused before new memory is carved (most recently freed first, which keeps the software TLB
 * warm). When the RAM is spent, a free block of a larger class is split in halves to serve a smaller request;
 * blocks are not merged again, so a long-lived mix of sizes can fragment. Memory is never given back to the RAM while the allocator lives: {@link #release()} returns it all.
 *
 * <p>Core-local: one dispatcher's allocator, used only on its core.
 */
public final class SizeClassAllocator implements AllocationPolicy
{
    /** The smallest block: room for the free-list link and a little more. */
    public static final int MIN_BLOCK = 16;
    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_BLOCK);

    private final MappedRegion region;
    private final Os os;
    private final int maxBlock;
    /** Head of each class's free list (a virtual address), or 0 when empty. */
    private final long[] freeHeads;
    private long carve;
    private long carveEnd;
    private long inUse;

    public SizeClassAllocator(final MappedRegion region)
    {
        if (region.chunkBytes() > (1L << 30))
        {
            throw new IllegalArgumentException("a size-class allocator needs chunks of at most 1 GiB: " +
                region.chunkBytes());
        }
        this.region = region;
        this.os = region.os();
        this.maxBlock = (int)Long.highestOneBit(region.chunkBytes());
        this.freeHeads = new long[classOf(maxBlock) + 1];
    }

    /** The class of a request of {@code bytes}: 0 for up to 16 bytes, 1 for up to 32, ... */
    static int classOf(final int bytes)
    {
        if (bytes <= MIN_BLOCK)
        {
            return 0;
        }
        return 32 - Integer.numberOfLeadingZeros(bytes - 1) - MIN_SHIFT;
    }

    /** The block size handed out for a request of {@code bytes}. */
    public static int blockSize(final int bytes)
    {
        return MIN_BLOCK << classOf(bytes);
    }

    @Override
    public long allocate(final int bytes)
    {
        if (bytes <= 0 || bytes > maxBlock)
        {
            throw new IllegalArgumentException("allocation of " + bytes + " bytes: 1.." + maxBlock);
        }
        final int c = classOf(bytes);
        final int size = MIN_BLOCK << c;
        long block = freeHeads[c];
        if (block != 0)
        {
            freeHeads[c] = os.readLong(block);
        }
        else
        {
            block = carve(size);
            if (block == NO_MEMORY)
            {
                block = split(c);
                if (block == NO_MEMORY)
                {
                    return NO_MEMORY;
                }
            }
        }
        inUse += size;
        return block;
    }

    @Override
    public void free(final long vaddr, final int bytes)
    {
        if (vaddr < region.base() || vaddr >= region.base() + region.bytesMapped() || bytes <= 0 || bytes > maxBlock)
        {
            throw new IllegalArgumentException("free of 0x" + Long.toHexString(vaddr) + " (" + bytes +
                " bytes): not a block of this allocator");
        }
        final int c = classOf(bytes);
        push(c, vaddr);
        inUse -= MIN_BLOCK << c;
    }

    @Override
    public int maxAllocation()
    {
        return maxBlock;
    }

    @Override
    public long bytesInUse()
    {
        return inUse;
    }

    @Override
    public long bytesMapped()
    {
        return region.bytesMapped();
    }

    /** Gives every chunk back (see {@link MappedRegion#release()}); blocks handed out are invalid afterwards. */
    public void release()
    {
        region.release();
        java.util.Arrays.fill(freeHeads, 0);
        carve = carveEnd = 0;
        inUse = 0;
    }

    /**
     * With no new memory left, takes the smallest free block of a larger class and splits it in halves down to
     * class {@code c} (the buddy system's split, without its merging): one half of each size goes to its free list.
     */
    private long split(final int c)
    {
        for (int k = c + 1; k < freeHeads.length; k++)
        {
            final long block = freeHeads[k];
            if (block != 0)
            {
                freeHeads[k] = os.readLong(block);
                for (int j = k - 1; j >= c; j--)
                {
                    push(j, block + ((long)MIN_BLOCK << j));
                }
                return block;
            }
        }
        return NO_MEMORY;
    }

    private void push(final int c, final long vaddr)
    {
        os.writeLong(vaddr, freeHeads[c]);
        freeHeads[c] = vaddr;
    }

    /** A new block of {@code size} (a power of two) from the current chunk, growing the region when needed. */
    private long carve(final int size)
    {
        long start = (carve + size - 1) & -size;
        if (carve == 0 || start + size > carveEnd)
        {
            final long chunk = region.grow();
            if (chunk == NO_MEMORY)
            {
                return NO_MEMORY;
            }
            if (chunk != carveEnd)
            {
                spillLeftover();
                carve = chunk;
            }
            carveEnd = chunk + region.chunkBytes();
            start = (carve + size - 1) & -size;
        }
        // The alignment gap (blocks are aligned to their size) goes to smaller classes rather than being lost.
        spill(carve, start);
        carve = start + size;
        return start;
    }

    private void spillLeftover()
    {
        spill(carve, carveEnd);
        carve = carveEnd;
    }

    /** Cuts {@code [from, to)} (16-byte aligned) into the biggest aligned blocks that fit and frees them. */
    private void spill(long from, final long to)
    {
        while (to - from >= MIN_BLOCK)
        {
            int size = (int)Math.min(Long.highestOneBit(to - from), Long.lowestOneBit(from));
            size = Math.min(size, maxBlock);
            push(classOf(size), from);
            from += size;
        }
    }
}
