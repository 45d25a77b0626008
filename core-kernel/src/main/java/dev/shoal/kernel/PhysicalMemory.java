package dev.shoal.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The machine's physical memory: one flat 64-bit address space (BareMetal's model) backed by off-heap memory.
 *
 * <p>Layout: core {@code c} owns the region {@code [c << CORE_SHIFT, (c + 1) << CORE_SHIFT)} (1 TiB). The region is
 * split in two:
 * <pre>
 *   region base                     + KERNEL_BYTES (1 GiB)                         + REGION_SIZE (1 TiB)
 *   |-- kernel memory: FrameAllocator --|-- capability RAM: named by RAM capabilities ------------------|
 * </pre>
 * Kernel memory is handed out by the core's {@link FrameAllocator} (monitor frames, UMP rings); touching a part of it
 * the allocator has not handed out is a bug and is rejected. Its first {@link #RENDEZVOUS_BYTES} are never handed out:
 * they are every core's rendezvous page ({@link #rendezvousPage(int, boolean)}), where any core may leave the address
 * of a channel it opened to this core (the way a start-up IPI points a new core at its boot frame). The page exists
 * from power-on and is backed apart from the chunks, on first use, so that an idle core holds no host memory for it. Capability RAM "exists" from power-on, as DRAM does:
 * any range of it is backed lazily, on first use, so idle cores and unused capabilities hold no host memory. Memory
 * is backed in chunks of {@link #CHUNK_SIZE} bytes and a chunk is zero when it is first backed.
 *
 * <p>Any core may {@link #map(long, int) map} an address it was told about in a message, the way a Barrelfish monitor
 * maps a frame whose capability it received.
 *
 * <p>Thread-safety: the chunk tables are levels of {@link AtomicReferenceArray} (core → three levels of 256 →
 * chunk) whose entries are installed by compare-and-set, so any thread may back, map, read, write or zero memory.
 * When two threads first touch the same chunk at the same instant one of them wins and the loser's segment stays
 * unused until {@link #close()}. What is written into memory is ordered between cores by the channel that carries
 * its address, as on hardware.
 */
public final class PhysicalMemory implements AutoCloseable
{
    public static final int CORE_SHIFT = 40;
    /** The most cores whose regions fit below 2^63: a machine holds at most 2^23 (8,388,608) cores. */
    public static final int MAX_CORES = 1 << (Long.SIZE - 1 - CORE_SHIFT);
    /** Bytes of one core's region. */
    public static final long REGION_SIZE = 1L << CORE_SHIFT;
    /** The first bytes of each region, reserved for the core's {@link FrameAllocator}. */
    public static final long KERNEL_BYTES = 1L << 30;
    /** Bytes of capability RAM in each region, starting at {@link #capabilityRamBase(int)}. */
    public static final long CAPABILITY_RAM_BYTES = REGION_SIZE - KERNEL_BYTES;
    public static final int CHUNK_SHIFT = 16;
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    /** Bytes of each core's rendezvous page, at the start of its kernel memory (see {@link #rendezvous(int)}). */
    public static final int RENDEZVOUS_BYTES = 4096;
    /** Cache-line alignment of every allocation, so that a UMP slot is one line. */
    public static final int LINE = 64;

    /**
     * A region's chunk index (24 bits) is looked up in a radix tree of {@link #LEVELS} levels of 256 entries each:
     * small nodes, so that an idle core costs about 3 KiB of tables rather than the 32 KiB two levels of 4096 cost.
     */
    private static final int LEVEL_SHIFT = 8;
    private static final int LEVEL_SIZE = 1 << LEVEL_SHIFT;
    private static final int LEVELS = (CORE_SHIFT - CHUNK_SHIFT) / LEVEL_SHIFT;
    private static final long KERNEL_CHUNKS = KERNEL_BYTES >>> CHUNK_SHIFT;

    static
    {
        if (LEVELS * LEVEL_SHIFT != CORE_SHIFT - CHUNK_SHIFT)
        {
            throw new AssertionError("chunk tables must cover a region exactly");
        }
    }

    private final Arena arena = Arena.ofShared();
    /** Per core, the root of its region's radix tree; inner entries are nodes, leaf entries {@link MemorySegment}s. */
    private final AtomicReferenceArray<Object> rootsByCore;
    /** Per core, its rendezvous page once some core has written to it. */
    private final AtomicReferenceArray<MemorySegment> rendezvousPages;
    /** Cores of other partitions whose memory this JVM holds copies of; null in a machine of one JVM. */
    private volatile java.util.BitSet copies;

    public PhysicalMemory(final int cores)
    {
        rootsByCore = new AtomicReferenceArray<>(cores);
        rendezvousPages = new AtomicReferenceArray<>(cores);
    }

    /** Number of cores whose regions this memory holds. */
    public int cores()
    {
        return rootsByCore.length();
    }

    /** First address of {@code core}'s region. */
    public static long regionBase(final int core)
    {
        return (long)core << CORE_SHIFT;
    }

    /**
     * The core whose region holds {@code address}: the core that allocated it, whose node is the memory's home.
     */
    public static int homeCore(final long address)
    {
        return (int)(address >>> CORE_SHIFT);
    }

    /** Address of {@code core}'s rendezvous page: the first {@link #RENDEZVOUS_BYTES} of its kernel memory. */
    public static long rendezvous(final int core)
    {
        return regionBase(core);
    }

    /**
     * {@code core}'s rendezvous page, backing it when {@code create} is set (a writer); null when it was never
     * written and {@code create} is clear (a reader that finds nothing to read). Zero when first backed. Any thread.
     */
    public AtomicBuffer rendezvousPage(final int core, final boolean create)
    {
        MemorySegment page = rendezvousPages.get(core);
        if (page == null && create)
        {
            final MemorySegment fresh = arena.allocate(RENDEZVOUS_BYTES, LINE);
            page = rendezvousPages.compareAndSet(core, null, fresh) ? fresh : rendezvousPages.get(core);
        }
        return page == null ? null : new UnsafeBuffer(page.address(), RENDEZVOUS_BYTES);
    }

    /** First address of {@code core}'s capability RAM (its region's base plus {@link #KERNEL_BYTES}). */
    /**
     * A partitioned machine (docs/partitions.md): this JVM holds copies of the lines of {@code core}'s memory that
     * rings carry here, so that memory is backed when first touched rather than refused. Called by the engine
     * before any core runs.
     */
    public void holdCopiesOf(final int core)
    {
        if (copies == null)
        {
            copies = new java.util.BitSet(rootsByCore.length());
        }
        copies.set(core);
    }

    private boolean backOnUse(final long address)
    {
        return isCapabilityRam(address) || (copies != null && address >= 0 && copies.get((int)(address >>> CORE_SHIFT)));
    }

    public static long capabilityRamBase(final int core)
    {
        return regionBase(core) + KERNEL_BYTES;
    }

    /** @return true when {@code address} lies in the capability RAM of some core (not in kernel memory). */
    public static boolean isCapabilityRam(final long address)
    {
        return address >= 0 && (address & (REGION_SIZE - 1)) >= KERNEL_BYTES;
    }

    /**
     * A view of {@code length} bytes at physical address {@code address}; the range must lie within one chunk.
     * Capability RAM is backed on first use. Any thread.
     *
     * @throws IllegalArgumentException when the range lies in kernel memory the allocator has not handed out, lies
     *                                  outside the machine, or spans chunks.
     */
    public AtomicBuffer map(final long address, final int length)
    {
        final int inChunk = (int)(address & (CHUNK_SIZE - 1));
        final MemorySegment chunk = address < 0 ? null : chunk(address, backOnUse(address));
        if (chunk == null || length < 0 || inChunk + (long)length > CHUNK_SIZE)
        {
            throw new IllegalArgumentException("physical range 0x" + Long.toHexString(address) + "+" + length +
                " is not backed by memory");
        }
        return new UnsafeBuffer(chunk.address() + inChunk, length);
    }

    /**
     * Copies {@code length} bytes at {@code address} into {@code dst}; the range may span chunks. Capability RAM that
     * was never written reads as zero without being backed. Any thread.
     *
     * @throws IllegalArgumentException when part of the range is unallocated kernel memory or outside the machine.
     */
    public void read(final long address, final byte[] dst, final int offset, final int length)
    {
        checkRange(address, length);
        long at = address;
        int done = 0;
        while (done < length)
        {
            final int inChunk = (int)(at & (CHUNK_SIZE - 1));
            final int n = Math.min(length - done, CHUNK_SIZE - inChunk);
            final MemorySegment chunk = existingChunk(at);
            if (chunk != null)
            {
                MemorySegment.copy(chunk, inChunk, MemorySegment.ofArray(dst), offset + done, n);
            }
            else if (backOnUse(at))
            {
                java.util.Arrays.fill(dst, offset + done, offset + done + n, (byte)0);
            }
            else
            {
                throw unbacked(at, n);
            }
            at += n;
            done += n;
        }
    }

    /**
     * Copies {@code length} bytes of {@code src} to {@code address}; the range may span chunks and capability RAM is
     * backed on first use. Any thread.
     *
     * @throws IllegalArgumentException when part of the range is unallocated kernel memory or outside the machine.
     */
    public void write(final long address, final byte[] src, final int offset, final int length)
    {
        checkRange(address, length);
        long at = address;
        int done = 0;
        while (done < length)
        {
            final int inChunk = (int)(at & (CHUNK_SIZE - 1));
            final int n = Math.min(length - done, CHUNK_SIZE - inChunk);
            final MemorySegment chunk = chunk(at, backOnUse(at));
            if (chunk == null)
            {
                throw unbacked(at, n);
            }
            MemorySegment.copy(MemorySegment.ofArray(src), offset + done, chunk, inChunk, n);
            at += n;
            done += n;
        }
    }

    /**
     * Sets {@code length} bytes at {@code address} to zero; the range may span chunks. Chunks never backed are zero
     * already and stay unbacked, so zeroing a large, untouched range is cheap. Any thread.
     *
     * @throws IllegalArgumentException when the range lies outside the machine.
     */
    public void zero(final long address, final long length)
    {
        checkRange(address, length);
        long at = address;
        final long end = address + length;
        while (at < end)
        {
            final long inChunk = at & (CHUNK_SIZE - 1);
            final long n = Math.min(end - at, CHUNK_SIZE - inChunk);
            final MemorySegment chunk = existingChunk(at);
            if (chunk != null)
            {
                chunk.asSlice(inChunk, n).fill((byte)0);
            }
            at += n;
        }
    }

    /** @return true when the chunk holding {@code address} is backed by host memory. Any thread. */
    public boolean isBacked(final long address)
    {
        return address >= 0 && existingChunk(address) != null;
    }

    /** Allocates chunk {@code index} of {@code core}'s kernel memory; called only by that core's allocator. */
    MemorySegment newChunk(final int core, final int index)
    {
        if (index < 0 || index >= KERNEL_CHUNKS)
        {
            throw new IllegalStateException("core " + core + " has used all " + (KERNEL_BYTES >> 20) +
                " MiB of its kernel memory");
        }
        final MemorySegment segment = chunk(regionBase(core) + ((long)index << CHUNK_SHIFT), true);
        if (segment == null)
        {
            throw new IllegalArgumentException("no core " + core + " in a memory of " + cores() + " cores");
        }
        return segment;
    }

    /** Bytes of physical memory backed so far (all cores). Host-side statistics. */
    public long allocatedBytes()
    {
        long total = 0;
        for (int c = 0; c < rootsByCore.length(); c++)
        {
            total += backedBytes(rootsByCore.get(c));
            total += rendezvousPages.get(c) == null ? 0 : RENDEZVOUS_BYTES;
        }
        return total;
    }

    private static long backedBytes(final Object entry)
    {
        if (entry instanceof MemorySegment chunk)
        {
            return chunk.byteSize();
        }
        long total = 0;
        if (entry instanceof AtomicReferenceArray<?> node)
        {
            for (int i = 0; i < node.length(); i++)
            {
                total += backedBytes(node.get(i));
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

    private MemorySegment existingChunk(final long address)
    {
        return chunk(address, false);
    }

    /**
     * The chunk holding {@code address}, backing it when {@code create} is set; null when it is not backed (and not
     * created) or the address lies outside the machine.
     */
    private MemorySegment chunk(final long address, final boolean create)
    {
        final long core = address >>> CORE_SHIFT;
        if (core >= rootsByCore.length())
        {
            return null;
        }
        final long chunkIndex = (address & (REGION_SIZE - 1)) >>> CHUNK_SHIFT;
        AtomicReferenceArray<Object> node = rootsByCore;
        int slot = (int)core;
        for (int shift = LEVELS * LEVEL_SHIFT; shift > 0; shift -= LEVEL_SHIFT)
        {
            node = child(node, slot, create);
            if (node == null)
            {
                return null;
            }
            slot = (int)((chunkIndex >>> (shift - LEVEL_SHIFT)) & (LEVEL_SIZE - 1));
        }
        final MemorySegment chunk = (MemorySegment)node.get(slot);
        if (chunk != null || !create)
        {
            return chunk;
        }
        // Arena memory is zeroed on allocation, which is what makes "never backed" and "zero" the same thing.
        final MemorySegment fresh = arena.allocate(CHUNK_SIZE, LINE);
        return node.compareAndSet(slot, null, fresh) ? fresh : (MemorySegment)node.get(slot);
    }

    @SuppressWarnings("unchecked")
    private static AtomicReferenceArray<Object> child(
        final AtomicReferenceArray<Object> parent, final int index, final boolean create)
    {
        final Object existing = parent.get(index);
        if (existing != null || !create)
        {
            return (AtomicReferenceArray<Object>)existing;
        }
        final AtomicReferenceArray<Object> fresh = new AtomicReferenceArray<>(LEVEL_SIZE);
        return parent.compareAndSet(index, null, fresh) ? fresh : (AtomicReferenceArray<Object>)parent.get(index);
    }

    private void checkRange(final long address, final long length)
    {
        if (address < 0 || length < 0 || address + length < address ||
            ((address + length - 1) >>> CORE_SHIFT) >= rootsByCore.length() && length > 0)
        {
            throw new IllegalArgumentException("physical range 0x" + Long.toHexString(address) + "+" + length +
                " lies outside the machine's " + cores() + " regions");
        }
    }

    private static IllegalArgumentException unbacked(final long address, final long length)
    {
        return new IllegalArgumentException("physical range 0x" + Long.toHexString(address) + "+" + length +
            " is kernel memory that was never allocated");
    }
}
