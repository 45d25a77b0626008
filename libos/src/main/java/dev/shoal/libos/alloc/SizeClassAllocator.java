package dev.shoal.libos.alloc;

import java.util.Arrays;

import dev.shoal.libos.Os;

/**
 * A buddy allocator over power-of-two size classes: requests are rounded up to a class (16 bytes up to the largest
 * power of two in the region's chunk size, the <em>frame</em>), and every block is aligned to its size from the
 * region's base. Each class keeps a free list threaded through the free blocks themselves, in the region's mapped
 * memory: the first 8 bytes of a free block hold the address of the next one, the next 8 the previous one (16
 * bytes, the smallest block, is room for both links). Only the list heads live in this object.
 *
 * <p><b>Allocation</b> pops its class's list (most recently freed first, which keeps the software TLB warm). An
 * empty list takes the smallest free block of a larger class and splits it in halves down to the class: the lower
 * half is handed out, each upper half goes to its own list. With no free block large enough, the region
 * {@link MappedRegion#grow() grows} by a chunk, which joins the free lists as the largest aligned blocks it holds.
 *
 * <p><b>Freeing merges</b>: a freed block whose buddy (the other half of the block they were split from) is free and
 * of the same class is taken off that class's list, and the two become one block of the next class; this repeats up
 * to a whole frame. So split and merge are inverses, freed memory of any mix of sizes comes back as large blocks,
 * and a long-lived mix of sizes does not fragment the region beyond what its live blocks pin. A chunk that is not a
 * power of two spans frames; its pieces merge with those of the next chunk once both are mapped.
 *
 * <p><b>Bookkeeping</b>: whether a block is free or live is kept in a {@link BuddyBitmap}, two bits per block on the
 * Java heap sized per frame (about 3 % of the mapped bytes), because a live block's bytes are the application's and
 * cannot say whether it is free. The bitmap makes {@link #free(long, int)} refuse a double free, an address it did not
 * hand out and a size of another class than the allocation's.
 *
 * <p><b>Cost</b>: an allocation from a non-empty list reads one word of the mapped memory; a free that merges
 * nothing writes two; each split or merge step adds a few words more. Splits and merges are bounded by the number
 * of classes, and nothing on these paths allocates on the Java heap. Memory is never given back to the RAM while
 * the allocator lives: {@link #release()} returns it all.
 *
 * <p>Core-local: one dispatcher's allocator, used only on its core.
 */
public final class SizeClassAllocator implements AllocationPolicy
{
    /** The smallest block: room for the two free-list links. */
    public static final int MIN_BLOCK = 16;
    static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_BLOCK);
    /** Offset in a free block of the address of the next free block of its class (0 at the end). */
    private static final int NEXT = 0;
    /** Offset in a free block of the address of the previous one; not kept up to date in the list's head. */
    private static final int PREV = 8;

    static
    {
        if (PREV + 8 > MIN_BLOCK)
        {
            throw new AssertionError("a free block's links do not fit in the smallest block");
        }
    }

    private final MappedRegion region;
    private final Os os;
    private final long base;
    private final int maxBlock;
    private final int topClass;
    /** Head of each class's free list (a virtual address), or 0 when empty. */
    private final long[] freeHeads;
    private final BuddyBitmap blocks;
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
        this.base = region.base();
        this.maxBlock = (int)Long.highestOneBit(region.chunkBytes());
        this.topClass = classOf(maxBlock);
        this.freeHeads = new long[topClass + 1];
        this.blocks = new BuddyBitmap(maxBlock);
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
        long block = take(c);
        while (block == NO_MEMORY)
        {
            // One chunk may not hold a whole frame when chunks are not a power of two: the next one completes it.
            if (!grow())
            {
                return NO_MEMORY;
            }
            block = take(c);
        }
        blocks.setLive(block - base, c, true);
        inUse += MIN_BLOCK << c;
        return block;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The block merges with its buddy, repeatedly, while the buddy is free.
     *
     * @throws IllegalArgumentException when {@code vaddr} is not a live block of the class of {@code bytes}: freed
     *         already, never handed out by this allocator (outside the region, or inside another block), or
     *         allocated with a size of another class. Nothing changes then.
     */
    @Override
    public void free(final long vaddr, final int bytes)
    {
        final int c = bytes > 0 && bytes <= maxBlock ? classOf(bytes) : -1;
        final long offset = vaddr - base;
        if (c < 0 || offset < 0 || offset >= region.bytesMapped() || (offset & ((MIN_BLOCK << c) - 1)) != 0 ||
            !blocks.isLive(offset, c))
        {
            throw new IllegalArgumentException("free of 0x" + Long.toHexString(vaddr) + " (" + bytes +
                " bytes): not a live block of this allocator (freed already, not handed out by it, or allocated " +
                "with a size of another class)");
        }
        blocks.setLive(offset, c, false);
        inUse -= MIN_BLOCK << c;
        merge(offset, c);
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
        Arrays.fill(freeHeads, 0);
        blocks.clear();
        inUse = 0;
    }

    /**
     * A free block of class {@code c}: the head of its list, or else the lower half of the smallest larger free
     * block, split down to {@code c} (the upper halves go to their lists; their buddies are not free, so they do
     * not merge). {@link #NO_MEMORY} when no free block is large enough.
     */
    private long take(final int c)
    {
        for (int k = c; k <= topClass; k++)
        {
            if (freeHeads[k] != 0)
            {
                final long block = pop(k);
                for (int j = k - 1; j >= c; j--)
                {
                    push(j, block + ((long)MIN_BLOCK << j));
                }
                return block;
            }
        }
        return NO_MEMORY;
    }

    /** Maps one more chunk and frees it as the largest aligned blocks it holds; false when the region cannot grow. */
    private boolean grow()
    {
        final long chunk = region.grow();
        if (chunk == NO_MEMORY)
        {
            return false;
        }
        long from = chunk - base;
        final long to = from + region.chunkBytes();
        blocks.cover(to);
        while (from < to)
        {
            final long aligned = from == 0 ? maxBlock : Math.min(Long.lowestOneBit(from), maxBlock);
            final long size = Math.min(Long.highestOneBit(to - from), aligned);
            merge(from, classOf((int)size));
            from += size;
        }
        return true;
    }

    /** Frees the block at {@code offset} of class {@code c}, merged with its buddies while they are free. */
    private void merge(long offset, int c)
    {
        while (c < topClass)
        {
            final long buddy = offset ^ ((long)MIN_BLOCK << c);
            if (!blocks.isFree(buddy, c))
            {
                break;
            }
            unlink(c, base + buddy);
            offset = Math.min(offset, buddy);
            c++;
        }
        push(c, base + offset);
    }

    private long pop(final int c)
    {
        final long block = freeHeads[c];
        freeHeads[c] = os.readLong(block + NEXT);
        blocks.setFree(block - base, c, false);
        return block;
    }

    private void push(final int c, final long block)
    {
        final long head = freeHeads[c];
        os.writeLong(block + NEXT, head);
        if (head != 0)
        {
            os.writeLong(head + PREV, block);
        }
        freeHeads[c] = block;
        blocks.setFree(block - base, c, true);
    }

    /** Takes {@code block} off the list of class {@code c}, wherever it is in the list. */
    private void unlink(final int c, final long block)
    {
        final long next = os.readLong(block + NEXT);
        if (freeHeads[c] == block)
        {
            freeHeads[c] = next;
        }
        else
        {
            final long prev = os.readLong(block + PREV);
            os.writeLong(prev + NEXT, next);
            if (next != 0)
            {
                os.writeLong(next + PREV, prev);
            }
        }
        blocks.setFree(block - base, c, false);
    }
}
