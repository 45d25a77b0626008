package dev.shoal.libos.alloc;

import java.util.Arrays;

/**
 * The state of every block a {@link SizeClassAllocator} can hand out, kept beside its region rather than in it.
 *
 * <p>The region is cut, from its base, into <em>frames</em> of the largest block. Each frame has two complete
 * binary trees of bits, one node per block the frame can be split into: node 1 is the whole frame, the children
 * of node {@code n} are its halves {@code 2n} and {@code 2n + 1}, and the leaves are the 16-byte blocks. Block
 * {@code i} (counted from the frame's start) of class {@code c} is node {@code 2^(top - c) + i}, so a block's buddy
 * is the node {@code n ^ 1} and the block they merge into is {@code n >> 1}.
 * <ul>
 *   <li><b>free</b>: the block is on its class's free list, whole (not inside a larger free block);</li>
 *   <li><b>live</b>: the block was handed out and is not freed yet.</li>
 * </ul>
 * Two trees of {@code 2 * frame / 16} bits are {@code frame / 32} bytes: about 3 % of the mapped memory, allocated
 * when the region grows, never on the allocation path.
 *
 * <p>Why not in the mapped memory, like the free lists? A free block could carry a tag, but a live block's bytes
 * belong to the application, so "is my buddy free?" cannot be read from the buddy itself; a table at the start of
 * each chunk would shrink the largest block below a chunk; and each look-up would be a simulated load through the
 * software TLB, charged to the core. A bit here is tested without a simulated memory access.
 *
 * <p>Offsets are relative to the region's base. Core-local: owned by one allocator, used only on its core.
 */
final class BuddyBitmap
{
    private final int frameShift;
    private final long frameMask;
    private final int topClass;
    private final int wordsPerFrame;
    private long[][] free = new long[0][];
    private long[][] live = new long[0][];
    private int frames;

    /**
     * @param frameBytes the largest block (a power of two, at least 1 KiB): the size of a frame.
     */
    BuddyBitmap(final int frameBytes)
    {
        if (Integer.bitCount(frameBytes) != 1 || frameBytes < 1024)
        {
            throw new IllegalArgumentException("frame of " + frameBytes + " bytes: a power of two, at least 1 KiB");
        }
        this.frameShift = Integer.numberOfTrailingZeros(frameBytes);
        this.frameMask = frameBytes - 1;
        this.topClass = SizeClassAllocator.classOf(frameBytes);
        this.wordsPerFrame = (2 << topClass) >>> 6;
    }

    /** Makes room for the blocks of {@code [0, bytes)}; frames already covered keep their state. */
    void cover(final long bytes)
    {
        final int needed = (int)((bytes + frameMask) >>> frameShift);
        if (needed > free.length)
        {
            final int length = Math.max(needed, 2 * free.length);
            free = Arrays.copyOf(free, length);
            live = Arrays.copyOf(live, length);
        }
        for (; frames < needed; frames++)
        {
            free[frames] = new long[wordsPerFrame];
            live[frames] = new long[wordsPerFrame];
        }
    }

    /** Forgets every frame (the region was released). */
    void clear()
    {
        free = new long[0][];
        live = new long[0][];
        frames = 0;
    }

    boolean isFree(final long offset, final int c)
    {
        return test(free, offset, c);
    }

    void setFree(final long offset, final int c, final boolean value)
    {
        set(free, offset, c, value);
    }

    boolean isLive(final long offset, final int c)
    {
        return test(live, offset, c);
    }

    void setLive(final long offset, final int c, final boolean value)
    {
        set(live, offset, c, value);
    }

    private int node(final long offset, final int c)
    {
        return (1 << (topClass - c)) | (int)((offset & frameMask) >>> (c + SizeClassAllocator.MIN_SHIFT));
    }

    private boolean test(final long[][] tree, final long offset, final int c)
    {
        final long frame = offset >>> frameShift;
        if (offset < 0 || frame >= frames)
        {
            return false;
        }
        final int n = node(offset, c);
        return (tree[(int)frame][n >>> 6] & (1L << n)) != 0;
    }

    private void set(final long[][] tree, final long offset, final int c, final boolean value)
    {
        final int n = node(offset, c);
        final long[] words = tree[(int)(offset >>> frameShift)];
        if (value)
        {
            words[n >>> 6] |= 1L << n;
        }
        else
        {
            words[n >>> 6] &= ~(1L << n);
        }
    }
}
