package dev.shoal.libos;

import static dev.shoal.kernel.paging.PageTableFormat.ENTRIES;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.index;
import static dev.shoal.kernel.paging.PageTableFormat.levelShift;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.kernel.paging.AccessKind;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.MemoryAccess;
import dev.shoal.kernel.paging.PageFault;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.paging.PageFaultHandler;
import dev.shoal.kernel.paging.PageTableFormat;
import dev.shoal.kernel.paging.PageTables;
import dev.shoal.kernel.paging.PagingException;
import dev.shoal.kernel.paging.Translation;
import dev.shoal.kernel.vspace.VNodeOps;

/**
 * One dispatcher's memory as its libOS manages it (Barrelfish's slot allocator, RAM allocator and {@code pmap}
 * roles): the CSpace, RAM and address space its core's {@link MemoryServer} gave it, and the policy on top, all
 * expressed as capability invocations on that CSpace, so it can do nothing the dispatcher's capabilities do not
 * allow.
 *
 * <ul>
 *   <li>Slots: handed out in order from leaf 0, with more leaf CNodes retyped from the RAM when needed.</li>
 *   <li>RAM: first fit among the gaps between the RAM capability's descendants, found in the mapping database, so
 *       the application's own retypes of its RAM and this allocator never collide.</li>
 *   <li>Mappings: {@link #map} creates the missing L3, L2 and L1 tables from the RAM and maps the frame through
 *       its L1 tables; each table it made is remembered by the virtual range it covers.</li>
 * </ul>
 *
 * <p>Core-local: used only on the dispatcher's core, from its threads (which the core runs one at a time).
 */
final class DispatcherMemory
{
    private static final long PAGE = PAGE_SIZE;
    private static final long VIRTUAL_MASK = (1L << PageTableFormat.VIRTUAL_BITS) - 1;

    private final MemoryServer server;
    private final CapOps caps;
    private final VNodeOps vnodes;
    private final MemoryAccess mmu;
    private final PageTables tables;
    private final CSpace cspace;
    private final int ramCptr;
    private final int rootCptr;
    private final Cte rootCte;
    private final Capability rootCap;
    private final AddressSpace addressSpace;
    private final SlotAllocator slots;
    /** The tables {@link #map} made, by level and the virtual range they cover ({@link #key}). */
    private final Map<Long, Integer> tablesMade = new HashMap<>();
    /** The server's copies of this dispatcher's root CNode, first leaf and RAM, in the init CSpace. */
    private final int[] held;
    private PageFaultHandler handler = PageFaultHandler.ALWAYS_FAIL;
    private boolean released;

    DispatcherMemory(final MemoryServer server, final CapOps caps, final VNodeOps vnodes, final CSpace cspace,
        final AddressSpace root, final int[] held)
    {
        this.server = server;
        this.caps = caps;
        this.vnodes = vnodes;
        this.mmu = vnodes.mmu();
        this.tables = mmu.tables();
        this.cspace = cspace;
        this.ramCptr = cspace.cptr(0, MemoryServer.RAM_CPTR);
        this.rootCptr = cspace.cptr(0, MemoryServer.ROOT_VNODE_CPTR);
        this.rootCte = cspace.slot(rootCptr);
        this.rootCap = rootCte.capability();
        this.addressSpace = root.withFaultHandler(this::onFault);
        this.held = held;
        this.slots = new SlotAllocator(cspace, 0, MemoryServer.FIRST_FREE_CPTR, rootSlot ->
            caps.retype(cspace, ramCptr, CapType.CNODE, allocateRam(CapType.CTE_BYTES << cspace.leafBits(),
                CapType.CTE_BYTES), CapType.CTE_BYTES << cspace.leafBits(), 1, rootSlot));
    }

    CSpace cspace()
    {
        return cspace;
    }

    int ramCptr()
    {
        return ramCptr;
    }

    int rootVNodeCptr()
    {
        return rootCptr;
    }

    AddressSpace addressSpace()
    {
        return addressSpace;
    }

    boolean isReleased()
    {
        return released;
    }

    int allocateSlot()
    {
        live();
        return slots.allocate();
    }

    /**
     * Offset into the RAM capability of {@code bytes} that no descendant of it covers, aligned to
     * {@code alignment} (a power of two).
     *
     * @throws ShoalException OUT_OF_MEMORY when there is no such gap.
     */
    long allocateRam(final long bytes, final long alignment)
    {
        final Capability ram = cspace.capability(ramCptr);
        if (ram == null)
        {
            throw ShoalError.SLOT_EMPTY.exception("the dispatcher's RAM capability is gone");
        }
        return RamGaps.find(caps, ram, bytes, alignment);
    }

    /** A new FRAME of {@code bytes} (rounded up to whole pages) retyped from the RAM; returns its address. */
    int allocateFrame(final long bytes)
    {
        return allocatePages(CapType.FRAME, bytes);
    }

    /** A new RAM capability of {@code bytes} (rounded up to whole pages) retyped from the RAM; returns its cptr. */
    int allocateRamCapability(final long bytes)
    {
        return allocatePages(CapType.RAM, bytes);
    }

    private int allocatePages(final CapType type, final long bytes)
    {
        live();
        if (bytes <= 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("a " + type + " of " + bytes + " bytes");
        }
        final long size = RamGaps.align(bytes, PAGE);
        final int slot = slots.allocate();
        try
        {
            caps.retype(cspace, ramCptr, type, allocateRam(size, PAGE), size, 1, slot);
        }
        catch (final ShoalException ex)
        {
            slots.free(slot);
            throw ex;
        }
        return slot;
    }

    /** Deletes the capability at {@code cptr} (unmapping what was mapped through it) and frees the slot. */
    void delete(final int cptr)
    {
        live();
        caps.delete(cspace, cptr);
        slots.free(cptr);
        tablesMade.values().removeIf(c -> c == cptr);
    }

    /**
     * Maps the whole frame at {@code frameCptr} at {@code vaddr} with {@code rights}, creating missing tables.
     * Everything is checked before anything changes, except that tables made before running out of RAM stay.
     */
    void map(final int frameCptr, final long vaddr, final Rights rights)
    {
        live();
        Objects.requireNonNull(rights, "rights");
        final Capability frame = cspace.capability(frameCptr);
        if (frame == null)
        {
            throw ShoalError.SLOT_EMPTY.exception("cptr 0x" + Integer.toHexString(frameCptr));
        }
        CapOps.requireType(frame, CapType.FRAME, CapType.DEV_FRAME);
        if (!rights.contains(Rights.READ))
        {
            throw ShoalError.INVALID_ARGUMENT.exception("a mapping is READ plus WRITE and EXECUTE as wanted, not " +
                rights);
        }
        CapOps.requireRights(frame, rights);
        final List<dev.shoal.kernel.paging.Mapping> present;
        try
        {
            present = tables.mappings(addressSpace.l4Table(), vaddr, frame.size());
        }
        catch (final PagingException ex)
        {
            throw ex.toShoalException();
        }
        if (!present.isEmpty())
        {
            throw ShoalError.MAPPING_EXISTS.exception(present.get(0).toString());
        }
        for (long done = 0; done < frame.size(); )
        {
            final long va = vaddr + done;
            final int first = index(va, PageTableFormat.L1);
            final int pages = (int)Math.min((frame.size() - done) / PAGE, ENTRIES - first);
            vnodes.map(cspace, table(va, PageTableFormat.L1), first, frameCptr, rights, done, pages);
            done += pages * PAGE;
        }
    }

    /** Unmaps every page mapped through this libOS's tables in the range; pages not mapped are skipped. */
    void unmap(final long vaddr, final long bytes)
    {
        live();
        checkRange(vaddr, bytes);
        forEachL1(vaddr, bytes, (l1, first, pages) ->
        {
            if (l1 >= 0)
            {
                vnodes.unmap(cspace, l1, first, pages);
            }
        });
    }

    /** Gives every page of the range {@code rights}; all must be mapped, and allow it, or nothing changes. */
    void protect(final long vaddr, final long bytes, final Rights rights)
    {
        live();
        checkRange(vaddr, bytes);
        forEachL1(vaddr, bytes, (l1, first, pages) ->
        {
            if (l1 < 0)
            {
                throw ShoalError.NOT_MAPPED.exception("no page table for 0x" + Long.toHexString(vaddr));
            }
            vnodes.checkModifyFlags(cspace, l1, first, pages, rights);
        });
        forEachL1(vaddr, bytes, (l1, first, pages) -> vnodes.modifyFlags(cspace, l1, first, pages, rights));
    }

    void onPageFault(final PageFaultHandler handler)
    {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    long readLong(final long vaddr)
    {
        return mmu.readLong(space(vaddr, AccessKind.READ), vaddr);
    }

    void writeLong(final long vaddr, final long value)
    {
        mmu.writeLong(space(vaddr, AccessKind.WRITE), vaddr, value);
    }

    void readBytes(final long vaddr, final byte[] dst, final int offset, final int length)
    {
        mmu.readBytes(space(vaddr, AccessKind.READ), vaddr, dst, offset, length);
    }

    void writeBytes(final long vaddr, final byte[] src, final int offset, final int length)
    {
        mmu.writeBytes(space(vaddr, AccessKind.WRITE), vaddr, src, offset, length);
    }

    /** Gives everything back to the server; the memory API fails afterwards. */
    void release()
    {
        if (!released)
        {
            released = true;
            server.release(this, held);
        }
    }

    // ------------------------------------------------------------------------------------------------ internals

    /**
     * Faults the tables allow are spurious: a stale, narrower translation in the TLB (another core widened the
     * rights, which needs no shootdown). The access retries; anything else goes to the application's handler.
     */
    private PageFaultHandler.Resolution onFault(final PageFault fault)
    {
        if (fault.reason() == PageFault.Reason.PROTECTION)
        {
            final Translation t = tables.walk(addressSpace.l4Table(), fault.vaddr());
            if (t.isMapped() && fault.access().permittedBy(t.flags()))
            {
                return PageFaultHandler.Resolution.RETRY;
            }
        }
        return handler.onPageFault(fault);
    }

    /** The address space, if its root table still lives; otherwise every access faults. */
    private AddressSpace space(final long vaddr, final AccessKind access)
    {
        live();
        if (rootCte.capability() != rootCap)
        {
            // Its memory may have become a frame whose bytes the dispatcher writes: never walk it again.
            throw new PageFaultException(new PageFault(vaddr, access, PageFault.Reason.NOT_MAPPED,
                PageTableFormat.L4), "the address space's root table was deleted");
        }
        return addressSpace;
    }

    /** The table of {@code level} (3..1) covering {@code va}, made and linked when missing. */
    private int table(final long va, final int level)
    {
        final long key = key(va, level);
        final Integer known = tablesMade.get(key);
        if (known != null)
        {
            final Cte cte = cspace.slot(known);
            if (cte.capability() != null && cte.capability().type() == vnodeType(level) && cte.isMapped())
            {
                return known;
            }
            tablesMade.remove(key);
        }
        final int parent = level == PageTableFormat.L3 ? rootCptr : table(va, level + 1);
        final int slot = slots.allocate();
        try
        {
            caps.retype(cspace, ramCptr, vnodeType(level), allocateRam(PAGE, PAGE), PAGE, 1, slot);
        }
        catch (final ShoalException ex)
        {
            slots.free(slot);
            throw ex;
        }
        try
        {
            vnodes.map(cspace, parent, index(va, level + 1), slot);
        }
        catch (final ShoalException ex)
        {
            caps.delete(cspace, slot);
            slots.free(slot);
            throw ex;
        }
        tablesMade.put(key, slot);
        return slot;
    }

    /** A table of {@code level} is identified by the bits of {@code va} above the range it covers. */
    private static long key(final long va, final int level)
    {
        return ((va & VIRTUAL_MASK) >>> levelShift(level + 1)) << 2 | level;
    }

    @FunctionalInterface
    private interface L1Run
    {
        /** {@code pages} entries from {@code first} of the L1 made for them, or of none ({@code l1 == -1}). */
        void run(int l1, int first, int pages);
    }

    private void forEachL1(final long vaddr, final long bytes, final L1Run run)
    {
        for (long done = 0; done < bytes; )
        {
            final long va = vaddr + done;
            final int first = index(va, PageTableFormat.L1);
            final int pages = (int)Math.min((bytes - done) / PAGE, ENTRIES - first);
            final Integer l1 = tablesMade.get(key(va, PageTableFormat.L1));
            run.run(l1 == null ? -1 : l1, first, pages);
            done += pages * PAGE;
        }
    }

    private static void checkRange(final long vaddr, final long bytes)
    {
        if (bytes <= 0 || vaddr % PAGE != 0 || bytes % PAGE != 0 || !PageTableFormat.isCanonical(vaddr) ||
            !PageTableFormat.isCanonical(vaddr + bytes - 1) || (vaddr ^ (vaddr + bytes - 1)) < 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("range 0x" + Long.toHexString(vaddr) + "+0x" +
                Long.toHexString(bytes) + ": page-aligned, positive, canonical");
        }
    }

    private void live()
    {
        if (released)
        {
            throw new IllegalStateException("the dispatcher's memory was released");
        }
    }

    private static CapType vnodeType(final int level)
    {
        return switch (level)
        {
            case 3 -> CapType.VNODE_L3;
            case 2 -> CapType.VNODE_L2;
            default -> CapType.VNODE_L1;
        };
    }
}
