package dev.shoal.kernel.caps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.agrona.collections.Long2ObjectHashMap;

import dev.shoal.kernel.PhysicalMemory;

/**
 * A core's capability operations: the part of the CPU driver that creates, copies, retypes and deletes
 * capabilities in that core's CSpaces and keeps its {@link MappingDatabase}.
 *
 * <p>Every operation either succeeds or throws {@link ShoalException} having changed nothing (see
 * {@link ShoalError}); the rights each needs are listed in {@link Rights}. Capabilities of other cores are reached
 * only through the monitors: an operation that would need agreement with another core (the object has copies or
 * descendants elsewhere, or another core owns it) fails with {@link ShoalError#RETRY_THROUGH_MONITOR},
 * {@link ShoalError#NOT_OWNER} or {@link ShoalError#DELETE_LAST_OWNED}, and the monitor retries it with its
 * distributed protocol, using {@link CapDescriptor}, {@link #install}, {@link MappingDatabase#setRelations},
 * {@link MappingDatabase#setOwner} and the {@link Cte} lock and in-delete marks.
 *
 * <p>Threading: called only on this core's carrier (its CPU driver, its monitor and its dispatchers all run there),
 * so nothing here locks. The CSpaces given to an operation must belong to this core ({@link ShoalError#WRONG_CORE}).
 */
public final class CapOps
{
    private final int core;
    private final PhysicalMemory memory;
    private final MappingDatabase mdb;
    private final CapCleanup cleanup;
    /** This core's CNode objects by object id: the kernel objects CNODE capabilities name. */
    private final Long2ObjectHashMap<CNode> cnodes = new Long2ObjectHashMap<>();

    /**
     * @param core    the core whose CPU driver this is.
     * @param memory  the machine's physical memory, zeroed for new objects.
     * @param cleanup called when capabilities are deleted (see {@link CapCleanup}).
     */
    public CapOps(final int core, final PhysicalMemory memory, final CapCleanup cleanup)
    {
        this.mdb = new MappingDatabase(core);
        this.core = core;
        this.memory = Objects.requireNonNull(memory, "memory");
        this.cleanup = Objects.requireNonNull(cleanup, "cleanup");
    }

    public int core()
    {
        return core;
    }

    public MappingDatabase mdb()
    {
        return mdb;
    }

    public PhysicalMemory memory()
    {
        return memory;
    }

    // ------------------------------------------------------------------------------------------------ boot

    /**
     * The RAM capability over the first {@code bytes} of {@code core}'s capability RAM
     * ({@link PhysicalMemory#capabilityRamBase(int)}), with all rights, owned by {@code core}, with the core's first
     * object id. A CPU driver gives it to its monitor at boot ({@link #boot}).
     *
     * @throws ShoalException INVALID_ARGUMENT when {@code bytes} is not a positive multiple of 4 KiB within the
     *                        region's capability RAM.
     */
    public static Capability initialRam(final int core, final long bytes)
    {
        if (core < 0 || bytes <= 0 || bytes % CapType.BASE_PAGE_SIZE != 0 ||
            bytes > PhysicalMemory.CAPABILITY_RAM_BYTES)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("initial RAM of " + bytes + " bytes for core " + core +
                ": a positive multiple of 4 KiB up to " + PhysicalMemory.CAPABILITY_RAM_BYTES);
        }
        return new Capability(CapType.RAM, PhysicalMemory.capabilityRamBase(core), bytes, Rights.ALL, core,
            Capability.objectId(core, 0));
    }

    /**
     * Creates the first CSpace of this core (its monitor's), as a CPU driver does at boot: a root CNode of
     * {@code 2^rootBits} slots with leaf 0 of {@code 2^leafBits} slots attached, the KERNEL capability at
     * {@link CSpace#BOOT_KERNEL_CPTR} and {@code ram} at {@link CSpace#BOOT_RAM_CPTR}.
     *
     * <p>The two CNodes are objects without ancestors made from kernel memory, as Barrelfish's kernel makes init's
     * CNodes before it hands out RAM: {@code cnodeMemory} is {@link #bootCNodeBytes} bytes the CPU driver took from
     * its {@link dev.shoal.kernel.FrameAllocator}, outside {@code ram}.
     */
    public CSpace boot(final Capability ram, final long cnodeMemory, final int rootBits, final int leafBits)
    {
        checkBits(rootBits, leafBits);
        if (ram.type() != CapType.RAM || ram.owner() != core)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("boot needs a RAM capability owned by core " + core + ": " +
                ram);
        }
        final long bytes = bootCNodeBytes(rootBits, leafBits);
        if (cnodeMemory < 0 || cnodeMemory % CapType.CTE_BYTES != 0 || ram.overlaps(cnodeMemory, cnodeMemory + bytes))
        {
            throw ShoalError.INVALID_ARGUMENT.exception("CNode memory 0x" + Long.toHexString(cnodeMemory) +
                " must be 64-byte aligned and outside " + ram);
        }
        if (mdb.findCopy(ram) != null)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("core " + core + " booted already: " + ram);
        }
        final long rootBytes = CapType.CTE_BYTES << rootBits;
        final Capability rootCap = new Capability(CapType.CNODE, cnodeMemory, rootBytes, Rights.ALL, core,
            mdb.newObjectId());
        final Capability leafCap = new Capability(CapType.CNODE, cnodeMemory + rootBytes, CapType.CTE_BYTES << leafBits,
            Rights.ALL, core, mdb.newObjectId());
        final Capability kernelCap = new Capability(CapType.KERNEL, 0, 0, Rights.ALL, core, mdb.newObjectId());

        final CSpace space = new CSpace(this, "boot", rootBits, leafBits);
        final CNode root = newCNode(rootCap);
        place(space.rootHolder(), rootCap, 0);
        final CNode leaf = newCNode(leafCap);
        place(root.slot(0), leafCap, 0);
        place(leaf.slot(CSpace.BOOT_KERNEL_CPTR), kernelCap, 0);
        place(leaf.slot(CSpace.BOOT_RAM_CPTR), ram, 0);
        return space;
    }

    /** Bytes of kernel memory {@link #boot} needs for its root and first leaf CNode. */
    public static long bootCNodeBytes(final int rootBits, final int leafBits)
    {
        checkBits(rootBits, leafBits);
        return (CapType.CTE_BYTES << rootBits) + (CapType.CTE_BYTES << leafBits);
    }

    /**
     * A new CSpace whose root is a copy of the CNODE capability at {@code cnodeCptr} in {@code from} (its leaves are
     * attached afterwards by copying CNODE capabilities of {@code 2^leafBits} slots into its root slots). Needs
     * GRANT on the CNODE capability, as any copy.
     */
    public CSpace newCSpace(final CSpace from, final int cnodeCptr, final int leafBits, final String name)
    {
        checkLocal(from);
        final Cte src = from.slot(cnodeCptr);
        final Capability cap = usable(src, cnodeCptr);
        requireType(cap, CapType.CNODE);
        requireRights(cap, Rights.GRANT);
        final CNode root = localCNode(cap);
        if (root == null)
        {
            throw ShoalError.WRONG_CORE.exception("the CNode of " + cap + " is not on core " + core);
        }
        checkBits(root.slotBits(), leafBits);
        final CSpace space = new CSpace(this, name, root.slotBits(), leafBits);
        place(space.rootHolder(), cap, src.relations);
        return space;
    }

    /** Deletes a CSpace's root CNode capability (a delete: when it was the last copy the CNodes are cleared). */
    public void destroyCSpace(final CSpace space)
    {
        checkLocal(space);
        final Cte holder = space.rootHolder();
        if (holder.cap == null)
        {
            return;
        }
        checkDeletable(holder, "the root of " + space);
        deleteEntry(holder);
    }

    // ------------------------------------------------------------------------------------------------ copy, mint

    /** Copies the capability at {@code srcCptr} to the empty slot {@code dstCptr} of the same CSpace. */
    public void copy(final CSpace space, final int srcCptr, final int dstCptr)
    {
        copyOrMint(space, srcCptr, space, dstCptr, null);
    }

    /**
     * Copies the capability at {@code srcCptr} in {@code src} to the empty slot {@code dstCptr} in {@code dst}.
     * Needs GRANT on the source and WRITE on the destination CNode.
     */
    public void copy(final CSpace src, final int srcCptr, final CSpace dst, final int dstCptr)
    {
        copyOrMint(src, srcCptr, dst, dstCptr, null);
    }

    /** A copy with {@code rights}, a subset of the source's rights, in the same CSpace. */
    public void mint(final CSpace space, final int srcCptr, final int dstCptr, final Rights rights)
    {
        copyOrMint(space, srcCptr, space, dstCptr, Objects.requireNonNull(rights, "rights"));
    }

    /**
     * A copy of the capability at {@code srcCptr} with {@code rights}, which must be a subset of the source's rights
     * (mint only takes rights away). Needs GRANT on the source and WRITE on the destination CNode.
     */
    public void mint(final CSpace src, final int srcCptr, final CSpace dst, final int dstCptr, final Rights rights)
    {
        copyOrMint(src, srcCptr, dst, dstCptr, Objects.requireNonNull(rights, "rights"));
    }

    private void copyOrMint(
        final CSpace srcSpace, final int srcCptr, final CSpace dstSpace, final int dstCptr, final Rights rights)
    {
        checkLocal(srcSpace);
        checkLocal(dstSpace);
        final Cte src = srcSpace.slot(srcCptr);
        final Capability cap = usable(src, srcCptr);
        if (!cap.rights().contains(Rights.GRANT))
        {
            throw ShoalError.INSUFFICIENT_RIGHTS.exception("copying " + cap + " needs GRANT");
        }
        if (rights != null && !cap.rights().contains(rights))
        {
            throw ShoalError.INSUFFICIENT_RIGHTS.exception("mint can only take rights away: source has " +
                cap.rights() + ", asked for " + rights);
        }
        final Cte dst = emptyDestination(dstSpace, dstCptr);
        final Capability copy = rights == null ? cap : cap.withRights(rights);
        checkFitsLevel(dstSpace, dstCptr, copy, true);
        place(dst, copy, src.relations);
    }

    // ------------------------------------------------------------------------------------------------ retype

    /** {@link #retype(CSpace, int, CapType, long, long, int, CSpace, int) retype} within one CSpace. */
    public void retype(
        final CSpace space, final int srcCptr, final CapType type, final long offset, final long objectBytes,
        final int count, final int dstCptr)
    {
        retype(space, srcCptr, type, offset, objectBytes, count, space, dstCptr);
    }

    /**
     * Makes {@code count} new objects of {@code type}, each {@code objectBytes} big, laid out one after another from
     * {@code offset} bytes into the source capability's memory, and puts their capabilities into {@code count}
     * consecutive slots of one CNode starting at {@code dstCptr}. The new capabilities are descendants of the source,
     * owned by this core, with the source's rights. Memory made from RAM is zeroed
     * ({@link CapType#zeroedWhenMadeFromRam()}).
     *
     * <p>Fails when the source's type cannot become {@code type}, the size or alignment is wrong for the type, the
     * objects do not fit in the source, the source already has a descendant overlapping the requested range (the
     * rest of the source may still be retyped), the source lacks WRITE, or the destination slots are not free.
     * An ENDPOINT (size 0) names its dispatcher at {@code offset}; any number may be made.
     */
    public void retype(
        final CSpace srcSpace, final int srcCptr, final CapType type, final long offset, final long objectBytes,
        final int count, final CSpace dstSpace, final int dstCptr)
    {
        retype(srcSpace, srcCptr, type, offset, objectBytes, count, dstSpace, dstCptr, false);
    }

    /**
     * The monitor's retype of a capability with copies on other cores, after every core confirmed it holds no
     * descendant overlapping the range: like {@link #retype(CSpace, int, CapType, long, long, int, CSpace, int)}
     * but without the RETRY_THROUGH_MONITOR check. This core must own the capability.
     */
    public void retypeAgreed(
        final CSpace srcSpace, final int srcCptr, final CapType type, final long offset, final long objectBytes,
        final int count, final CSpace dstSpace, final int dstCptr)
    {
        retype(srcSpace, srcCptr, type, offset, objectBytes, count, dstSpace, dstCptr, true);
    }

    private void retype(
        final CSpace srcSpace, final int srcCptr, final CapType type, final long offset, final long objectBytes,
        final int count, final CSpace dstSpace, final int dstCptr, final boolean agreed)
    {
        checkLocal(srcSpace);
        checkLocal(dstSpace);
        Objects.requireNonNull(type, "type");
        final Cte src = srcSpace.slot(srcCptr);
        final Capability from = usable(src, srcCptr);
        if (!from.type().canRetypeTo(type))
        {
            throw ShoalError.RETYPE_INVALID_SOURCE_TYPE.exception(from.type() + " cannot be retyped into " + type);
        }
        if (!from.rights().contains(Rights.WRITE))
        {
            throw ShoalError.INSUFFICIENT_RIGHTS.exception("retyping " + from + " needs WRITE");
        }
        if (from.owner() != core)
        {
            throw ShoalError.NOT_OWNER.exception(from + " is owned by core " + from.owner());
        }
        if (!agreed && src.hasRelation(Cte.REMOTE_COPIES | Cte.REMOTE_DESCENDANTS))
        {
            throw ShoalError.RETRY_THROUGH_MONITOR.exception(from + " has copies or descendants on other cores");
        }
        if (count < 1)
        {
            throw ShoalError.RETYPE_BAD_COUNT.exception("count " + count);
        }
        final String sizeProblem = type.objectSizeProblem(objectBytes);
        if (sizeProblem != null)
        {
            throw ShoalError.RETYPE_BAD_SIZE.exception(sizeProblem);
        }
        if (type == from.type() && objectBytes >= from.size())
        {
            throw ShoalError.RETYPE_BAD_SIZE.exception("retyping " + type + " into " + type +
                " makes smaller pieces: " + objectBytes + " >= " + from.size());
        }
        if (offset < 0 || offset >= from.size() ||
            objectBytes > 0 && count > (from.size() - offset) / objectBytes)
        {
            throw ShoalError.RETYPE_OUT_OF_RANGE.exception(count + " x " + objectBytes + " bytes at offset " + offset +
                " in " + from);
        }
        final long base = from.base() + offset;
        if (base % type.alignment() != 0)
        {
            throw ShoalError.RETYPE_BAD_ALIGNMENT.exception(type + " objects need " + type.alignment() +
                "-byte alignment, 0x" + Long.toHexString(base) + " is not");
        }
        final long end = base + count * objectBytes;
        if (type.namesMemory())
        {
            final Cte clash = mdb.findDescendantOverlapping(from, base, end);
            if (clash != null)
            {
                throw ShoalError.RETYPE_OVERLAPS_DESCENDANTS.exception("[0x" + Long.toHexString(base) + ", 0x" +
                    Long.toHexString(end) + ") overlaps " + clash.cap);
            }
        }
        final Cte[] dst = destinationSlots(dstSpace, dstCptr, count);
        final Capability probe = new Capability(type, base, objectBytes, from.rights(), core, 0);
        checkFitsLevel(dstSpace, dstCptr, probe, false);

        if (from.type() == CapType.RAM && type.zeroedWhenMadeFromRam())
        {
            memory.zero(base, end - base);
        }
        final int relations = src.relations & Cte.REMOTE_ANCESTORS;
        for (int i = 0; i < count; i++)
        {
            final Capability made = new Capability(type, base + i * objectBytes, objectBytes, from.rights(), core,
                mdb.newObjectId());
            if (type == CapType.CNODE)
            {
                newCNode(made);
            }
            place(dst[i], made, relations);
        }
    }

    // ------------------------------------------------------------------------------------------------ delete, revoke

    /**
     * Deletes the capability at {@code cptr}. When it was the last copy of its object, the object is cleaned up:
     * a CNode's capabilities are deleted in turn, and {@link CapCleanup#onLastCopyDeleted} runs. Needs WRITE on the
     * CNode holding the slot and no right on the capability.
     *
     * @throws ShoalException DELETE_LAST_OWNED when it is the last local copy of an object this core owns that has
     *                        copies on other cores; CAP_LOCKED when a distributed operation holds it.
     */
    public void delete(final CSpace space, final int cptr)
    {
        checkLocal(space);
        final Cte cte = space.slotForWrite(cptr);
        usable(cte, cptr);
        checkDeletable(cte, CSpace.hex(cptr));
        deleteEntry(cte);
    }

    /**
     * Deletes every other copy and every descendant of the capability at {@code cptr} on this core, leaving that
     * capability (unless it lived in a CNode made from the memory revoked, which goes too). Needs GRANT.
     *
     * @throws ShoalException NOT_OWNER when another core owns it; RETRY_THROUGH_MONITOR when it or anything to be
     *                        deleted has relations on other cores; CAP_LOCKED when a distributed operation holds any
     *                        of them. Nothing is deleted then.
     */
    public void revoke(final CSpace space, final int cptr)
    {
        checkLocal(space);
        final Cte target = space.slot(cptr);
        final Capability cap = usable(target, cptr);
        if (!cap.rights().contains(Rights.GRANT))
        {
            throw ShoalError.INSUFFICIENT_RIGHTS.exception("revoking " + cap + " needs GRANT");
        }
        if (cap.owner() != core)
        {
            throw ShoalError.NOT_OWNER.exception(cap + " is owned by core " + cap.owner());
        }
        if (target.hasRelation(Cte.REMOTE_COPIES | Cte.REMOTE_DESCENDANTS))
        {
            throw ShoalError.RETRY_THROUGH_MONITOR.exception(cap + " has copies or descendants on other cores");
        }
        final List<Cte> victims = new ArrayList<>(mdb.copies(target));
        victims.addAll(mdb.descendants(target));
        for (final Cte v : victims)
        {
            if (v.isBusy())
            {
                throw ShoalError.CAP_LOCKED.exception("revoking " + cap + " would delete " + v);
            }
            if (v.cap.owner() != core || v.hasRelation(Cte.REMOTE_COPIES | Cte.REMOTE_DESCENDANTS))
            {
                throw ShoalError.RETRY_THROUGH_MONITOR.exception("revoking " + cap + " would delete " + v +
                    ", which has relations on other cores");
            }
        }
        for (final Cte v : victims)
        {
            // A CNode deleted earlier in this loop may have taken entries of the list with it.
            if (v.inMdb)
            {
                deleteEntry(v);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ distributed

    /**
     * The local part of a distributed delete or revoke of {@code cap}'s object: the entries of this core that the
     * operation would delete — every copy of the object (when {@code copies}) and every descendant. Called by the
     * monitor on this core.
     */
    public List<Cte> victims(final Capability cap, final boolean copies)
    {
        final List<Cte> victims = new ArrayList<>();
        final Cte copy = mdb.findCopy(cap);
        if (copy != null)
        {
            if (copies)
            {
                victims.add(copy);
                victims.addAll(mdb.copies(copy));
            }
            victims.addAll(mdb.descendants(copy));
        }
        else
        {
            victims.addAll(mdb.descendants(cap));
        }
        return victims;
    }

    /** The holder of marks made by {@link #mark(List)}, for callers that run one operation at a time. */
    public static final long ANY_HOLDER = 0;

    /** {@link #mark(List, long)} for {@link #ANY_HOLDER}. */
    public void mark(final List<Cte> victims)
    {
        mark(victims, ANY_HOLDER);
    }

    /** {@link #unmark(List, long)} for {@link #ANY_HOLDER}. */
    public void unmark(final List<Cte> victims)
    {
        unmark(victims, ANY_HOLDER);
    }

    /**
     * Mark phase of mark-and-sweep: marks {@code victims} in-delete so no other operation uses them until the
     * sweep or an abort. All or nothing. The marks remember {@code holder} (an id of the distributed operation),
     * so that an abort releases only its own marks, never those another operation holds on the same entries.
     *
     * @throws ShoalException CAP_LOCKED when another distributed operation already holds one of them.
     */
    public void mark(final List<Cte> victims, final long holder)
    {
        for (final Cte v : victims)
        {
            if (v.isBusy())
            {
                throw ShoalError.CAP_LOCKED.exception(v + " is held by another distributed operation");
            }
        }
        for (final Cte v : victims)
        {
            v.inDelete = true;
            v.markHolder = holder;
        }
    }

    /** Abort of a distributed operation: clears the marks {@link #mark} set for {@code holder}, and no others. */
    public void unmark(final List<Cte> victims, final long holder)
    {
        for (final Cte v : victims)
        {
            if (v.isMarkedBy(holder))
            {
                v.inDelete = false;
            }
        }
    }

    /**
     * Sweep phase: every core agreed, so the marked entries go whatever their relations on other cores, each
     * running its clean-up as a local delete would.
     *
     * @return how many entries were deleted.
     */
    public int sweep(final List<Cte> victims)
    {
        int deleted = 0;
        for (final Cte v : victims)
        {
            if (v.inMdb && v.cap != null)
            {
                v.inDelete = false;
                v.relations = 0;
                deleteEntry(v);
                deleted++;
            }
        }
        return deleted;
    }

    // ------------------------------------------------------------------------------------------------ identify, rights

    /** The description of the capability at {@code cptr}. Needs IDENTIFY. */
    public Capability identify(final CSpace space, final int cptr)
    {
        checkLocal(space);
        final Capability cap = present(space.slot(cptr), cptr);
        if (!cap.rights().contains(Rights.IDENTIFY))
        {
            throw ShoalError.INSUFFICIENT_RIGHTS.exception("identifying " + cap + " needs IDENTIFY");
        }
        return cap;
    }

    /**
     * The invocation check: the capability at {@code cptr}, which must hold every right in {@code needed}. The paging
     * layer calls it before mapping (e.g. WRITE on a FRAME it maps writable).
     */
    public Capability requireRights(final CSpace space, final int cptr, final Rights needed)
    {
        checkLocal(space);
        final Capability cap = present(space.slot(cptr), cptr);
        requireRights(cap, needed);
        return cap;
    }

    /** As {@link #requireRights(CSpace, int, Rights)}, also requiring one of {@code types}. */
    public Capability require(final CSpace space, final int cptr, final Rights needed, final CapType... types)
    {
        final Capability cap = requireRights(space, cptr, needed);
        requireType(cap, types);
        return cap;
    }

    /** @throws ShoalException INSUFFICIENT_RIGHTS unless {@code cap} holds every right in {@code needed}. */
    public static void requireRights(final Capability cap, final Rights needed)
    {
        if (!cap.rights().contains(needed))
        {
            throw ShoalError.INSUFFICIENT_RIGHTS.exception(cap + " lacks " + needed.without(cap.rights()));
        }
    }

    /** @throws ShoalException WRONG_TYPE unless {@code cap} has one of {@code types}. */
    public static void requireType(final Capability cap, final CapType... types)
    {
        for (final CapType t : types)
        {
            if (cap.type() == t)
            {
                return;
            }
        }
        throw ShoalError.WRONG_TYPE.exception(cap + " is not " + java.util.Arrays.toString(types));
    }

    // ------------------------------------------------------------------------------------------------ monitor support

    /**
     * Installs the capability {@code cap} (decoded from a {@link CapDescriptor} another core sent) into the empty
     * slot {@code dstCptr}, with remote-relation flags {@code relations}, which then hold for every local copy.
     * Creating capabilities from descriptions is the monitor's privilege: it must present the KERNEL capability at
     * {@code kernelCptr} in {@code authority}. Needs WRITE on the destination CNode.
     */
    public void install(
        final CSpace authority, final int kernelCptr, final Capability cap, final int relations, final CSpace dst,
        final int dstCptr)
    {
        checkLocal(authority);
        checkLocal(dst);
        Objects.requireNonNull(cap, "cap");
        requireType(usable(authority.slot(kernelCptr), kernelCptr), CapType.KERNEL);
        if ((relations & ~Cte.ALL_RELATIONS) != 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("relations 0x" + Integer.toHexString(relations));
        }
        final Cte existing = mdb.findCopy(cap);
        if (existing != null && existing.cap.owner() != cap.owner())
        {
            throw ShoalError.INVALID_ARGUMENT.exception(cap + " disagrees on its owner with the local copy " +
                existing);
        }
        final Cte slot = emptyDestination(dst, dstCptr);
        checkFitsLevel(dst, dstCptr, cap, true);
        place(slot, cap, relations);
        mdb.setRelations(slot, relations, Cte.ALL_RELATIONS);
    }

    /** Makes a new ID capability (its base is a machine-unique identifier) in the empty slot {@code dstCptr}. */
    public Capability createId(final CSpace space, final int dstCptr)
    {
        checkLocal(space);
        final Cte slot = emptyDestination(space, dstCptr);
        checkFitsLevel(space, dstCptr, new Capability(CapType.ID, 0, 0, Rights.ALL, core, 0), false);
        final long id = mdb.newObjectId();
        final Capability cap = new Capability(CapType.ID, id, 0, Rights.ALL, core, id);
        place(slot, cap, 0);
        return cap;
    }

    /**
     * Checks the mapping database ({@link MappingDatabase#checkConsistency()}) and that it and the CNodes agree:
     * every capability in a CNode of this core is in the database, and every CNode object is named by at least one
     * capability.
     *
     * @throws IllegalStateException naming the first violation.
     */
    public void checkConsistency()
    {
        mdb.checkConsistency();
        for (final CNode cnode : cnodes.values())
        {
            if (mdb.findCopy(cnode.object()) == null)
            {
                throw new IllegalStateException(cnode + " lives on with no capability naming it");
            }
            for (int i = 0; i < cnode.slotCount(); i++)
            {
                final Cte slot = cnode.slot(i);
                if (slot.cap != null && !slot.inMdb)
                {
                    throw new IllegalStateException("slot missing from the mapping database: " + slot);
                }
                if (slot.cap == null && slot.inMdb)
                {
                    throw new IllegalStateException("empty slot left in the mapping database: " + slot);
                }
            }
        }
    }

    /** Number of CNode objects alive on this core (diagnostics and tests). */
    public int cnodeCount()
    {
        return cnodes.size();
    }

    // ------------------------------------------------------------------------------------------------ internals

    /** The CNode object named by {@code cap} if it lives on this core. */
    CNode localCNode(final Capability cap)
    {
        final CNode cnode = cnodes.get(cap.objectId());
        return cnode != null && cnode.object().isCopyOf(cap) ? cnode : null;
    }

    private CNode newCNode(final Capability cap)
    {
        final CNode cnode = new CNode(cap);
        cnodes.put(cap.objectId(), cnode);
        return cnode;
    }

    private void place(final Cte slot, final Capability cap, final int relations)
    {
        slot.cap = cap;
        slot.relations = relations;
        slot.locked = false;
        slot.inDelete = false;
        mdb.insert(slot);
    }

    /**
     * Deletes {@code first} (already checked) and, when that clears the last copy of a CNode, the capabilities the
     * CNode held, breadth first. Entries of a cleared CNode that cannot be deleted locally are marked in-delete and
     * queued for the monitor ({@link MappingDatabase#pendingDeletes()}).
     */
    private void deleteEntry(final Cte first)
    {
        final ArrayDeque<Cte> work = new ArrayDeque<>();
        work.add(first);
        while (!work.isEmpty())
        {
            final Cte cte = work.poll();
            if (cte.cap == null)
            {
                continue;
            }
            if (cte != first && (cte.isBusy() || isLastOwnedWithRemoteCopies(cte)))
            {
                if (!cte.inDelete)
                {
                    cte.inDelete = true;
                    mdb.pendingDeletes().add(cte);
                }
                continue;
            }
            final Capability cap = cte.cap;
            final boolean otherCopies = mdb.hasCopies(cte);
            mdb.remove(cte);
            cte.cap = null;
            cte.relations = 0;
            cte.locked = false;
            cte.inDelete = false;
            if (otherCopies)
            {
                cleanup.onCopyDeleted(cap, cte);
                continue;
            }
            if (cap.type() == CapType.CNODE)
            {
                final CNode cnode = localCNode(cap);
                if (cnode != null)
                {
                    cnodes.remove(cap.objectId());
                    for (int i = 0; i < cnode.slotCount(); i++)
                    {
                        if (cnode.slot(i).cap != null)
                        {
                            work.add(cnode.slot(i));
                        }
                    }
                }
            }
            if (cap.owner() == core)
            {
                cleanup.onLastCopyDeleted(cap, cte);
            }
            else
            {
                cleanup.onCopyDeleted(cap, cte);
            }
        }
    }

    private boolean isLastOwnedWithRemoteCopies(final Cte cte)
    {
        return cte.cap.owner() == core && cte.hasRelation(Cte.REMOTE_COPIES) && !mdb.hasCopies(cte);
    }

    private void checkDeletable(final Cte cte, final String where)
    {
        if (cte.isBusy())
        {
            throw ShoalError.CAP_LOCKED.exception(where + ": " + cte);
        }
        if (isLastOwnedWithRemoteCopies(cte))
        {
            throw ShoalError.DELETE_LAST_OWNED.exception(where + ": " + cte);
        }
    }

    /** The capability in {@code cte}, which must be present and not held by a distributed operation. */
    private static Capability usable(final Cte cte, final int cptr)
    {
        final Capability cap = present(cte, cptr);
        if (cte.isBusy())
        {
            throw ShoalError.CAP_LOCKED.exception(CSpace.hex(cptr) + ": " + cte);
        }
        return cap;
    }

    private static Capability present(final Cte cte, final int cptr)
    {
        final Capability cap = cte.cap;
        if (cap == null)
        {
            throw ShoalError.SLOT_EMPTY.exception(CSpace.hex(cptr));
        }
        return cap;
    }

    private static Cte emptyDestination(final CSpace space, final int cptr)
    {
        final Cte dst = space.slotForWrite(cptr);
        if (dst.cap != null)
        {
            throw ShoalError.SLOT_IN_USE.exception(CSpace.hex(cptr) + " holds " + dst.cap);
        }
        return dst;
    }

    /** {@code count} empty slots of one CNode from {@code cptr} on. */
    private static Cte[] destinationSlots(final CSpace space, final int cptr, final int count)
    {
        final Cte first = space.slotForWrite(cptr);
        final CNode cnode = first.cnode();
        if (first.index() + (long)count > cnode.slotCount())
        {
            throw ShoalError.CNODE_FULL.exception(count + " objects from slot " + first.index() + " of a CNode of " +
                cnode.slotCount() + " slots");
        }
        final Cte[] slots = new Cte[count];
        for (int i = 0; i < count; i++)
        {
            slots[i] = cnode.slot(first.index() + i);
            if (slots[i].cap != null)
            {
                throw ShoalError.SLOT_IN_USE.exception("slot " + slots[i].index() + " (object " + i + " of " +
                    count + ") holds " + slots[i].cap);
            }
        }
        return slots;
    }

    /**
     * Root slots hold only CNODE capabilities of leaves that fit the CSpace; {@code existing} says whether the CNode
     * object must already live on this core (a copy) or is about to be made (retype).
     */
    private void checkFitsLevel(final CSpace space, final int cptr, final Capability cap, final boolean existing)
    {
        if (!CSpace.isRootLevel(cptr))
        {
            return;
        }
        if (cap.type() != CapType.CNODE)
        {
            throw ShoalError.WRONG_TYPE.exception("root slots hold leaf CNodes, not " + cap.type());
        }
        if (CNode.slotsFor(cap.size()) != 1 << space.leafBits())
        {
            throw ShoalError.CNODE_BAD_SIZE.exception("a leaf of " + space + " has " + (1 << space.leafBits()) +
                " slots, not " + CNode.slotsFor(cap.size()));
        }
        if (existing && localCNode(cap) == null)
        {
            throw ShoalError.WRONG_CORE.exception("the CNode of " + cap + " is not on core " + core);
        }
    }

    private void checkLocal(final CSpace space)
    {
        if (space.ops() != this)
        {
            throw ShoalError.WRONG_CORE.exception(space + " used on core " + core);
        }
    }

    private static void checkBits(final int rootBits, final int leafBits)
    {
        if (rootBits < 1 || leafBits < 1 || rootBits > CSpace.MAX_LEVEL_BITS || leafBits > CSpace.MAX_LEVEL_BITS ||
            rootBits + leafBits > CSpace.MAX_ADDRESS_BITS)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("CSpace of " + rootBits + " root bits and " + leafBits +
                " leaf bits: each 1.." + CSpace.MAX_LEVEL_BITS + ", together at most " + CSpace.MAX_ADDRESS_BITS);
        }
    }
}
