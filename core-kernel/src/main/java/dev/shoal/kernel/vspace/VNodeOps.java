package dev.shoal.kernel.vspace;

import static dev.shoal.kernel.paging.PageTableFormat.CACHE_DISABLE;
import static dev.shoal.kernel.paging.PageTableFormat.ENTRIES;
import static dev.shoal.kernel.paging.PageTableFormat.L1;
import static dev.shoal.kernel.paging.PageTableFormat.L4;
import static dev.shoal.kernel.paging.PageTableFormat.NO_EXECUTE;
import static dev.shoal.kernel.paging.PageTableFormat.PAGE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.TABLE_SIZE;
import static dev.shoal.kernel.paging.PageTableFormat.USER;
import static dev.shoal.kernel.paging.PageTableFormat.WRITABLE;
import static dev.shoal.kernel.paging.PageTableFormat.WRITE_THROUGH;
import static dev.shoal.kernel.paging.PageTableFormat.isPresent;
import static dev.shoal.kernel.paging.PageTableFormat.levelShift;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapCleanup;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.caps.MappingInfo;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.MemoryAccess;
import dev.shoal.kernel.paging.PageTableFormat;
import dev.shoal.kernel.paging.PageTables;
import dev.shoal.kernel.paging.PagingCosts;
import dev.shoal.kernel.paging.PagingException;

/**
 * A core's VNode invocations: the part of the CPU driver that changes page tables on behalf of the capabilities
 * that name them, as Barrelfish's {@code vnode_map}, {@code vnode_unmap} and {@code vnode_modify_flags}. An
 * application builds its address space itself from VNODE capabilities (one per table, L4 ← L3 ← L2 ← L1) and maps
 * FRAME or DEV_FRAME capabilities into its L1 tables; it can reach memory only through such mappings, and a
 * mapping never allows more than the capability it was made through.
 *
 * <p><b>Rights</b>, checked on every invocation:
 * <table>
 *   <caption>What each invocation needs</caption>
 *   <tr><th>invocation</th><th>needs</th></tr>
 *   <tr><td>any change to a table (map, unmap, modify flags)</td><td>WRITE on the VNODE capability of the
 *       table changed</td></tr>
 *   <tr><td>map a FRAME / DEV_FRAME</td><td>READ on it for any mapping (every present page is readable); WRITE
 *       for a writable one; EXECUTE for an executable one (otherwise the entry gets NX)</td></tr>
 *   <tr><td>modify flags</td><td>the new rights must be held by the capability each page was mapped through</td></tr>
 *   <tr><td>link a lower table (map a VNODE)</td><td>READ and WRITE on the child's VNODE capability: the child's
 *       own entries decide what becomes reachable through it, so only a full holder may link it</td></tr>
 *   <tr><td>{@link #bindAddressSpace}</td><td>READ on the L4's VNODE capability</td></tr>
 * </table>
 * Tables must be owned by this core ({@link ShoalError#NOT_OWNER}); frames may be copies of another core's.
 * Errors are {@link ShoalException}s, raised before anything is changed.
 *
 * <p><b>Mapping records.</b> Each map records a {@link MappingInfo} on the {@link Cte} it was made through. Deleting
 * that copy (delete, revoke, the deletion of the CNode holding it) unmaps exactly those entries: this class is a
 * {@link CapCleanup} of its core ({@link #cleanup()}). Deleting the last copy of a VNODE also empties its table and
 * drops the records of everything mapped in it (its memory may become a frame next). A table is linked into at most
 * one parent at a time.
 *
 * <p><b>TLB.</b> Every change that removes or narrows a translation invalidates this core's TLB for the range
 * (through {@link #mmu()}, which charges the cycles), then tells the {@link UnmapListener}s, which start the
 * shootdown on other cores. The range is known only when the table is linked up to an L4; a table that is not has
 * no cached translations.
 *
 * <p>Threading: called only on this core's carrier, like {@link CapOps}; nothing here locks. The CSpaces given
 * must belong to this core.
 */
public final class VNodeOps
{
    /** The asid reported for a root table that no address-space id is bound to. */
    public static final int NO_ASID = -1;

    /** Per-core instances. Host-side plumbing until {@code Core} can hold one itself; touched once per lookup. */
    private static final Map<Core, VNodeOps> BY_CORE = new WeakHashMap<>();

    private final int core;
    private final MemoryAccess mmu;
    private final PageTables tables;
    private final Long2ObjectHashMap<VNodeTable> known = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<VNodeTable> rootsByAsid = new Int2ObjectHashMap<>();
    private final List<UnmapListener> listeners = new ArrayList<>(1);
    private final CapCleanup cleanup = new CapCleanup()
    {
        @Override
        public void onLastCopyDeleted(final Capability cap, final Cte slot)
        {
            unmapAll(slot);
            if (cap.type().isVNode())
            {
                destroyTable(cap);
            }
        }

        @Override
        public void onCopyDeleted(final Capability cap, final Cte slot)
        {
            unmapAll(slot);
        }
    };

    /**
     * @param core the core whose CPU driver this is; CSpaces of other cores are refused.
     * @param mmu  that core's memory-management unit: its tables, TLB and clock.
     */
    public VNodeOps(final int core, final MemoryAccess mmu)
    {
        this.core = core;
        this.mmu = Objects.requireNonNull(mmu, "mmu");
        this.tables = mmu.tables();
    }

    /**
     * The VNode invocations of {@code core}, created on first use together with the core's MMU (its TLB, its
     * clock, {@link PagingCosts#DEFAULT}), and registered once as the core's capability clean-up. Called only on
     * that core.
     */
    public static VNodeOps of(final Core core)
    {
        synchronized (BY_CORE)
        {
            VNodeOps ops = BY_CORE.get(core);
            if (ops == null)
            {
                ops = new VNodeOps(core.id(), MemoryAccess.forCore(core, core.tlb(), PagingCosts.DEFAULT));
                core.addCapCleanup(ops.cleanup());
                BY_CORE.put(core, ops);
            }
            return ops;
        }
    }

    public int core()
    {
        return core;
    }

    /** This core's MMU: the accesses of its dispatchers go through it, and so do this class's invalidations. */
    public MemoryAccess mmu()
    {
        return mmu;
    }

    /** The hook to give this core's {@link CapOps} (done by {@link #of(Core)}): undoes mappings of deleted caps. */
    public CapCleanup cleanup()
    {
        return cleanup;
    }

    /** Adds a listener told after every unmap or rights reduction (see {@link UnmapListener}). This core only. */
    public void onUnmapped(final UnmapListener listener)
    {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ------------------------------------------------------------------------------------------------ map

    /**
     * Links the table named by the VNODE capability at {@code childCptr} into entry {@code slot} of the table named
     * by the VNODE capability at {@code vnodeCptr}, one level above it (L4 ← L3 ← L2 ← L1).
     */
    public void map(final CSpace space, final int vnodeCptr, final int slot, final int childCptr)
    {
        map(space, vnodeCptr, slot, childCptr, Rights.READ_WRITE, 0, 1);
    }

    /**
     * Maps {@code pages} pages of the frame at {@code childCptr}, from byte {@code offset} on, into entries
     * {@code [slot, slot + pages)} of the L1 table at {@code vnodeCptr}, with {@code rights} (READ, plus WRITE and
     * EXECUTE as wanted), which the frame capability must hold. Or, when the capability at {@code childCptr} is a
     * VNODE, links it as {@link #map(CSpace, int, int, int)} does ({@code rights} unused, {@code offset} 0,
     * {@code pages} 1). The mapping is recorded on the child's {@link Cte}.
     *
     * @throws ShoalException WRONG_TYPE when the capabilities' types do not fit (a frame into an upper table, a table
     *                        into an L1, a table two levels down); INSUFFICIENT_RIGHTS as listed in the class
     *                        comment; VNODE_SLOT_INVALID, FRAME_RANGE_INVALID or INVALID_ARGUMENT for a bad range or
     *                        rights; MAPPING_EXISTS when an entry is in use; VNODE_ALREADY_INSTALLED when the child
     *                        table is linked elsewhere; SLOT_EMPTY, INVALID_CPTR, CAP_LOCKED, NOT_OWNER, WRONG_CORE.
     */
    public void map(final CSpace space, final int vnodeCptr, final int slot, final int childCptr,
        final Rights rights, final long offset, final int pages)
    {
        checkLocal(space);
        final Cte parentCte = space.slot(vnodeCptr);
        final Capability parent = changeableTable(parentCte, vnodeCptr);
        final int level = level(parent.type());
        final Cte childCte = space.slot(childCptr);
        final Capability child = usable(childCte, childCptr);
        if (level == L1)
        {
            if (!child.type().isMappable())
            {
                throw ShoalError.WRONG_TYPE.exception("an L1 table maps FRAME or DEV_FRAME, not " + child);
            }
        }
        else if (child.type() != vnodeType(level - 1))
        {
            throw ShoalError.WRONG_TYPE.exception("entries of " + parent.type() + " link " + vnodeType(level - 1) +
                " tables, not " + child);
        }
        checkSlots(slot, pages);

        final long flags;
        VNodeTable childTable = null;
        if (level == L1)
        {
            final Rights wanted = mappingRights(rights);
            CapOps.requireRights(child, wanted);
            if (offset < 0 || offset % PAGE_SIZE != 0 || offset >= child.size() ||
                (child.size() - offset) / PAGE_SIZE < pages)
            {
                throw ShoalError.FRAME_RANGE_INVALID.exception(pages + " pages from offset 0x" +
                    Long.toHexString(offset) + " of " + child);
            }
            flags = leafFlags(child.type(), wanted);
        }
        else
        {
            if (offset != 0 || pages != 1)
            {
                throw ShoalError.INVALID_ARGUMENT.exception("a table is linked by one entry at offset 0, not " +
                    pages + " from " + offset);
            }
            CapOps.requireRights(child, Rights.READ_WRITE);
            requireOwned(child);
            childTable = known.get(child.base());
            if (childTable != null && childTable.parent != null)
            {
                throw ShoalError.VNODE_ALREADY_INSTALLED.exception(childTable.toString());
            }
            flags = 0;
        }
        for (int i = slot; i < slot + pages; i++)
        {
            final long e = tables.readEntry(parent.base(), i);
            if (isPresent(e))
            {
                throw ShoalError.MAPPING_EXISTS.exception(PageTableFormat.levelName(level) + " table 0x" +
                    Long.toHexString(parent.base()) + " entry " + i + " holds 0x" + Long.toHexString(e));
            }
        }

        final VNodeTable table = table(parent.base(), level);
        try
        {
            if (level == L1)
            {
                for (int i = 0; i < pages; i++)
                {
                    tables.mapPage(table.table, slot + i, child.base() + offset + (long)i * PAGE_SIZE, flags);
                }
            }
            else
            {
                tables.installTable(table.table, level, slot, child.base());
                if (childTable == null)
                {
                    childTable = table(child.base(), level - 1);
                }
                childTable.parent = table;
                childTable.parentSlot = slot;
            }
        }
        catch (final PagingException ex)
        {
            // Checked above; reaching this is a bug, reported as the error the check should have raised.
            throw ex.toShoalException();
        }
        for (int i = slot; i < slot + pages; i++)
        {
            table.owners[i] = childCte;
        }
        childCte.addMapping(new MappingInfo(table.table, level, slot, pages, level == L1 ? offset : 0));
    }

    // ------------------------------------------------------------------------------------------------ unmap

    /**
     * Clears entries {@code [slot, slot + pages)} of the table at {@code vnodeCptr}: pages of an L1, links to lower
     * tables above. Entries already empty are skipped, as {@code munmap} does. The records of the capabilities
     * mapped there are cut to what stays mapped; the local TLB is invalidated and the listeners told.
     *
     * @return the number of entries cleared.
     * @throws ShoalException VNODE_SLOT_INVALID, and the errors of a table capability (see {@link #map}).
     */
    public int unmap(final CSpace space, final int vnodeCptr, final int slot, final int pages)
    {
        checkLocal(space);
        final Capability parent = changeableTable(space.slot(vnodeCptr), vnodeCptr);
        checkSlots(slot, pages);
        final VNodeTable table = known.get(parent.base());
        if (table == null)
        {
            return 0;
        }
        int cleared = 0;
        int first = -1;
        int last = -1;
        for (int i = slot, end = slot + pages; i < end; )
        {
            final Cte owner = table.owners[i];
            if (owner == null)
            {
                i++;
                continue;
            }
            final MappingInfo record = recordCovering(owner, table.table, i);
            final int to = Math.min(record.end(), end);
            release(table, owner, record, i, to);
            cleared += to - i;
            first = first < 0 ? i : first;
            last = to;
            i = to;
        }
        if (cleared > 0)
        {
            unmapped(table, first, last);
        }
        return cleared;
    }

    // ------------------------------------------------------------------------------------------------ flags

    /**
     * Gives pages {@code [slot, slot + pages)} of the L1 table at {@code vnodeCptr} the rights {@code rights}
     * (READ, plus WRITE and EXECUTE as wanted). Every page must be mapped, and the capability each was mapped
     * through must hold {@code rights}: a mapping can be narrowed, or widened back up to its capability, never
     * beyond. The local TLB is invalidated; the listeners are told when a right was taken away.
     *
     * @throws ShoalException NOT_MAPPED naming the first empty entry; INSUFFICIENT_RIGHTS; WRONG_TYPE for a table
     *                        other than L1; VNODE_SLOT_INVALID; INVALID_ARGUMENT for rights without READ.
     */
    public void modifyFlags(final CSpace space, final int vnodeCptr, final int slot, final int pages,
        final Rights rights)
    {
        final VNodeTable table = checkModify(space, vnodeCptr, slot, pages, rights);
        boolean narrowed = false;
        for (int i = slot; i < slot + pages; i++)
        {
            final long flags = leafFlags(table.owners[i].capability().type(), rights);
            final long old = tables.protectPage(table.table, i, flags);
            narrowed |= (old & WRITABLE) != 0 && (flags & WRITABLE) == 0 ||
                (old & NO_EXECUTE) == 0 && (flags & NO_EXECUTE) != 0;
        }
        invalidate(table, slot, slot + pages, narrowed);
    }

    /** Throws what {@link #modifyFlags} would throw, changing nothing: lets a caller check several tables first. */
    public void checkModifyFlags(final CSpace space, final int vnodeCptr, final int slot, final int pages,
        final Rights rights)
    {
        checkModify(space, vnodeCptr, slot, pages, rights);
    }

    private VNodeTable checkModify(final CSpace space, final int vnodeCptr, final int slot, final int pages,
        final Rights rights)
    {
        checkLocal(space);
        final Capability parent = changeableTable(space.slot(vnodeCptr), vnodeCptr);
        if (parent.type() != CapType.VNODE_L1)
        {
            throw ShoalError.WRONG_TYPE.exception("flags are changed in L1 tables, not " + parent);
        }
        checkSlots(slot, pages);
        final Rights wanted = mappingRights(rights);
        final VNodeTable table = known.get(parent.base());
        for (int i = slot; i < slot + pages; i++)
        {
            final Cte owner = table == null ? null : table.owners[i];
            if (owner == null)
            {
                throw ShoalError.NOT_MAPPED.exception("L1 table 0x" + Long.toHexString(parent.base()) + " entry " +
                    i);
            }
            CapOps.requireRights(owner.capability(), wanted);
        }
        return table;
    }

    // ------------------------------------------------------------------------------------------------ address spaces

    /**
     * Binds the address-space id {@code asid} to the L4 table at {@code l4Cptr}: its translations are tagged with
     * it in this core's TLB, and invalidations and {@link UnmapListener}s name it. An id is bound to one live root
     * at a time; it is released when the root's last capability is deleted.
     *
     * @return the address space for {@link MemoryAccess}, with a handler that fails every fault.
     * @throws ShoalException WRONG_TYPE unless the capability is a VNODE_L4; INSUFFICIENT_RIGHTS without READ;
     *                        ASID_IN_USE when another root has the id; INVALID_ARGUMENT when the root has another
     *                        id or {@code asid} is negative.
     */
    public AddressSpace bindAddressSpace(final CSpace space, final int l4Cptr, final int asid)
    {
        checkLocal(space);
        final Capability l4 = usable(space.slot(l4Cptr), l4Cptr);
        CapOps.requireType(l4, CapType.VNODE_L4);
        CapOps.requireRights(l4, Rights.READ);
        requireOwned(l4);
        if (asid < 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("address-space ids are non-negative: " + asid);
        }
        final VNodeTable existing = known.get(l4.base());
        if (existing == null || existing.asid != asid)
        {
            if (existing != null && existing.asid != NO_ASID)
            {
                throw ShoalError.INVALID_ARGUMENT.exception(existing + " is bound to asid " + existing.asid);
            }
            if (rootsByAsid.containsKey(asid))
            {
                throw ShoalError.ASID_IN_USE.exception("asid " + asid + " names " + rootsByAsid.get(asid));
            }
            final VNodeTable root = table(l4.base(), L4);
            root.asid = asid;
            rootsByAsid.put(asid, root);
            // Whatever an earlier user of the id left in the TLB must not be found through the new root.
            mmu.invalidateAll(new AddressSpace(asid, root.table));
        }
        return new AddressSpace(asid, l4.base());
    }

    /** Where {@code mapping} appears now, or null when its table is not linked up to a root. */
    public VirtualRange locate(final MappingInfo mapping)
    {
        final VNodeTable table = known.get(mapping.table());
        return table == null ? null : range(table, mapping.slot(), mapping.end());
    }

    /** Number of page tables this core keeps records for (diagnostics and tests). */
    public int tableCount()
    {
        return known.size();
    }

    // ------------------------------------------------------------------------------------------------ clean-up

    /** Undoes every mapping made through {@code cte}, whose capability was just deleted. */
    private void unmapAll(final Cte cte)
    {
        if (!cte.isMapped())
        {
            return;
        }
        for (final MappingInfo record : List.copyOf(cte.mappings()))
        {
            final VNodeTable table = known.get(record.table());
            if (table == null)
            {
                throw new IllegalStateException(cte + " records a mapping into an unknown table");
            }
            release(table, cte, record, record.slot(), record.end());
            unmapped(table, record.slot(), record.end());
        }
    }

    /** The last capability of a table is gone: unlink it, drop everything mapped in it and empty it. */
    private void destroyTable(final Capability cap)
    {
        final VNodeTable table = known.remove(cap.base());
        if (table == null)
        {
            return;
        }
        if (table.parent != null)
        {
            // Linked through a copy that another clean-up has not reached yet: unlink it here.
            final VNodeTable parent = table.parent;
            final int slot = table.parentSlot;
            final Cte linker = parent.owners[slot];
            release(parent, linker, recordCovering(linker, parent.table, slot), slot, slot + 1);
            unmapped(parent, slot, slot + 1);
        }
        for (int i = 0; i < ENTRIES; )
        {
            final Cte owner = table.owners[i];
            if (owner == null)
            {
                i++;
                continue;
            }
            final MappingInfo record = recordCovering(owner, table.table, i);
            release(table, owner, record, record.slot(), record.end());
            // Only a root is still reachable here (anything else was unlinked first): its ranges go.
            unmapped(table, record.slot(), record.end());
            i = record.end();
        }
        if (table.asid != NO_ASID)
        {
            rootsByAsid.remove(table.asid);
            mmu.invalidateAll(new AddressSpace(table.asid, table.table));
        }
        // Entries written by other means than these invocations go too: the memory may become a frame next.
        tables.memory().zero(table.table, TABLE_SIZE);
    }

    // ------------------------------------------------------------------------------------------------ internals

    /**
     * Clears entries {@code [from, to)} of {@code table}, all covered by {@code record} of {@code owner}, and cuts
     * the record to the entries that stay mapped.
     */
    private void release(final VNodeTable table, final Cte owner, final MappingInfo record, final int from,
        final int to)
    {
        for (int i = from; i < to; i++)
        {
            final long old = tables.clearEntry(table.table, i);
            table.owners[i] = null;
            if (table.level > L1)
            {
                final VNodeTable child = known.get(PageTableFormat.address(old));
                if (child != null && child.parent == table)
                {
                    child.parent = null;
                    child.parentSlot = -1;
                }
            }
        }
        owner.removeMapping(record);
        if (from > record.slot())
        {
            owner.addMapping(new MappingInfo(record.table(), record.level(), record.slot(), from - record.slot(),
                record.offset()));
        }
        if (to < record.end())
        {
            owner.addMapping(new MappingInfo(record.table(), record.level(), to, record.end() - to,
                record.offset() + (long)(to - record.slot()) * PAGE_SIZE));
        }
    }

    /** Entries {@code [from, to)} of {@code table} lost translations: invalidate them and tell the listeners. */
    private void unmapped(final VNodeTable table, final int from, final int to)
    {
        invalidate(table, from, to, true);
    }

    private void invalidate(final VNodeTable table, final int from, final int to, final boolean tell)
    {
        final VNodeTable root = table.root();
        if (root == null || from >= to)
        {
            return;
        }
        final AddressSpace space = root.asid == NO_ASID ? null : new AddressSpace(root.asid, root.table);
        // One range per root entry, so that no range crosses the canonical hole.
        final int step = table.level == L4 ? 1 : to - from;
        for (int i = from; i < to; i += step)
        {
            final VirtualRange r = range(table, i, Math.min(to, i + step));
            if (space == null)
            {
                mmu.flush();
            }
            else
            {
                mmu.invalidate(space, r.vaddr(), r.bytes());
            }
            if (tell)
            {
                for (int l = 0; l < listeners.size(); l++)
                {
                    listeners.get(l).onUnmapped(r.asid(), r.l4Table(), r.vaddr(), r.bytes());
                }
            }
        }
    }

    private VirtualRange range(final VNodeTable table, final int from, final int to)
    {
        final VNodeTable root = table.root();
        if (root == null)
        {
            return null;
        }
        final int shift = levelShift(table.level);
        final long vaddr = signExtend(table.base() + ((long)from << shift));
        return new VirtualRange(root.asid, root.table, vaddr, (long)(to - from) << shift);
    }

    private static long signExtend(final long vaddr)
    {
        final int unused = Long.SIZE - PageTableFormat.VIRTUAL_BITS;
        return vaddr << unused >> unused;
    }

    private VNodeTable table(final long base, final int level)
    {
        VNodeTable t = known.get(base);
        if (t == null)
        {
            t = new VNodeTable(base, level);
            known.put(base, t);
        }
        else if (t.level != level)
        {
            throw new IllegalStateException(t + " used as a table of level " + level);
        }
        return t;
    }

    private static MappingInfo recordCovering(final Cte owner, final long table, final int index)
    {
        final List<MappingInfo> records = owner.mappings();
        for (int i = 0; i < records.size(); i++)
        {
            if (records.get(i).covers(table, index))
            {
                return records.get(i);
            }
        }
        throw new IllegalStateException(owner + " has no record of entry " + index + " of table 0x" +
            Long.toHexString(table));
    }

    /** The table capability in {@code cte}, which must allow changing the table. */
    private Capability changeableTable(final Cte cte, final int cptr)
    {
        final Capability cap = usable(cte, cptr);
        if (!cap.type().isVNode())
        {
            throw ShoalError.WRONG_TYPE.exception("cptr 0x" + Integer.toHexString(cptr) + " holds " + cap +
                ", not a VNODE");
        }
        CapOps.requireRights(cap, Rights.WRITE);
        requireOwned(cap);
        return cap;
    }

    private void requireOwned(final Capability cap)
    {
        if (cap.owner() != core)
        {
            throw ShoalError.NOT_OWNER.exception("page tables are changed on their owner core: " + cap);
        }
    }

    private static Capability usable(final Cte cte, final int cptr)
    {
        final Capability cap = cte.capability();
        if (cap == null)
        {
            throw ShoalError.SLOT_EMPTY.exception("cptr 0x" + Integer.toHexString(cptr));
        }
        if (cte.isLocked() || cte.isInDelete())
        {
            throw ShoalError.CAP_LOCKED.exception("cptr 0x" + Integer.toHexString(cptr) + ": " + cte);
        }
        return cap;
    }

    private void checkLocal(final CSpace space)
    {
        if (space.ops().core() != core)
        {
            throw ShoalError.WRONG_CORE.exception(space + " used on core " + core);
        }
    }

    private static void checkSlots(final int slot, final int pages)
    {
        if (slot < 0 || pages < 1 || slot > ENTRIES - pages)
        {
            throw ShoalError.VNODE_SLOT_INVALID.exception(pages + " entries from " + slot);
        }
    }

    /** The rights a mapping asks for: READ, WRITE and EXECUTE only, READ among them. */
    private static Rights mappingRights(final Rights rights)
    {
        Objects.requireNonNull(rights, "rights");
        if (!rights.contains(Rights.READ) || !Rights.of(Rights.READ_BIT | Rights.WRITE_BIT | Rights.EXECUTE_BIT)
            .contains(rights))
        {
            throw ShoalError.INVALID_ARGUMENT.exception("a mapping is READ plus WRITE and EXECUTE as wanted, not " +
                rights);
        }
        return rights;
    }

    /** The leaf-entry flags of a page of a {@code type} capability mapped with {@code rights}. */
    static long leafFlags(final CapType type, final Rights rights)
    {
        long flags = USER;
        if (rights.contains(Rights.WRITE))
        {
            flags |= WRITABLE;
        }
        if (!rights.contains(Rights.EXECUTE))
        {
            flags |= NO_EXECUTE;
        }
        if (type == CapType.DEV_FRAME)
        {
            flags |= CACHE_DISABLE | WRITE_THROUGH;
        }
        return flags;
    }

    private static int level(final CapType type)
    {
        return switch (type)
        {
            case VNODE_L4 -> 4;
            case VNODE_L3 -> 3;
            case VNODE_L2 -> 2;
            case VNODE_L1 -> 1;
            default -> throw new IllegalArgumentException(type + " is not a VNODE");
        };
    }

    private static CapType vnodeType(final int level)
    {
        return switch (level)
        {
            case 4 -> CapType.VNODE_L4;
            case 3 -> CapType.VNODE_L3;
            case 2 -> CapType.VNODE_L2;
            default -> CapType.VNODE_L1;
        };
    }

    @Override
    public String toString()
    {
        return "VNodeOps of core " + core + " (" + known.size() + " tables)";
    }
}
