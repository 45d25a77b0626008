package dev.shoal.libos.alloc;

import java.util.ArrayList;
import java.util.List;

import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.libos.Os;

/**
 * The mechanism under an application's allocator: a range of the dispatcher's virtual address space that grows by
 * whole chunks of simulated physical memory, each obtained the exokernel way with the dispatcher's own
 * capabilities:
 * <pre>
 *   dispatcher RAM ──Os.allocateRam──▶ RAM (one chunk) ──retype──▶ FRAME ──Os.map(READ_WRITE)──▶ base + k·chunk
 * </pre>
 * Chunks are mapped one after another from {@code base}, so the region is virtually contiguous. Nothing here
 * decides who gets which bytes: that is the {@link AllocationPolicy}'s job.
 *
 * <p>Core-local: made and used by one dispatcher, on its core.
 */
public final class MappedRegion
{
    private final Os os;
    private final long base;
    private final long chunkBytes;
    private final long limitBytes;
    private final List<int[]> chunks = new ArrayList<>();
    private long mapped;

    /**
     * @param os         the dispatcher whose RAM, CSpace and address space are used.
     * @param base       first virtual address (page-aligned) of the region; nothing else may be mapped above it
     *                   within {@code limitBytes}.
     * @param chunkBytes bytes obtained per growth, a positive multiple of 4 KiB.
     * @param limitBytes the most the region may map (virtual room reserved), a multiple of {@code chunkBytes}.
     */
    public MappedRegion(final Os os, final long base, final long chunkBytes, final long limitBytes)
    {
        if (chunkBytes <= 0 || chunkBytes % CapType.BASE_PAGE_SIZE != 0)
        {
            throw new IllegalArgumentException("chunk of " + chunkBytes + " bytes: a positive multiple of 4 KiB");
        }
        if (base % CapType.BASE_PAGE_SIZE != 0 || base <= 0)
        {
            throw new IllegalArgumentException("region base 0x" + Long.toHexString(base) + ": page-aligned, above 0");
        }
        if (limitBytes < chunkBytes || limitBytes % chunkBytes != 0)
        {
            throw new IllegalArgumentException("region limit " + limitBytes + ": a multiple of the chunk " + chunkBytes);
        }
        this.os = os;
        this.base = base;
        this.chunkBytes = chunkBytes;
        this.limitBytes = limitBytes;
    }

    /** The dispatcher's libOS, for the policy's reads and writes. */
    public Os os()
    {
        return os;
    }

    public long chunkBytes()
    {
        return chunkBytes;
    }

    public long base()
    {
        return base;
    }

    /** Bytes mapped so far ({@code chunks * chunkBytes}). */
    public long bytesMapped()
    {
        return mapped;
    }

    public int chunks()
    {
        return chunks.size();
    }

    /**
     * Obtains, retypes and maps one more chunk at the end of the region.
     *
     * @return the chunk's virtual address, or {@link AllocationPolicy#NO_MEMORY} when the dispatcher's RAM has no
     *         room for the chunk (or for the page tables it needs) or the region reached its limit; nothing is kept
     *         then.
     */
    public long grow()
    {
        if (mapped + chunkBytes > limitBytes)
        {
            return AllocationPolicy.NO_MEMORY;
        }
        final int ram;
        try
        {
            ram = os.allocateRam(chunkBytes);
        }
        catch (final ShoalException ex)
        {
            if (ex.error() == ShoalError.OUT_OF_MEMORY || ex.error() == ShoalError.CNODE_FULL)
            {
                return AllocationPolicy.NO_MEMORY;
            }
            throw ex;
        }
        final long vaddr = base + mapped;
        int frame = -1;
        try
        {
            frame = os.allocateSlot();
            os.caps().retype(os.cspace(), ram, CapType.FRAME, 0, chunkBytes, 1, frame);
            os.map(frame, vaddr, Rights.READ_WRITE);
        }
        catch (final ShoalException ex)
        {
            // Deleting the RAM capability takes the frame (its descendant) with it only by revoke: undo by hand.
            if (frame >= 0 && os.cspace().capability(frame) != null)
            {
                os.delete(frame);
            }
            os.delete(ram);
            if (ex.error() == ShoalError.OUT_OF_MEMORY || ex.error() == ShoalError.CNODE_FULL)
            {
                return AllocationPolicy.NO_MEMORY;
            }
            throw ex;
        }
        chunks.add(new int[] {ram, frame});
        mapped += chunkBytes;
        return vaddr;
    }

    /** Unmaps every chunk and deletes its frame and RAM capabilities; the region is empty afterwards. */
    public void release()
    {
        for (int i = chunks.size() - 1; i >= 0; i--)
        {
            final int[] c = chunks.get(i);
            os.delete(c[1]);
            os.delete(c[0]);
        }
        chunks.clear();
        mapped = 0;
    }
}
