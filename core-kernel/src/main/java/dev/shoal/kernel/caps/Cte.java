package dev.shoal.kernel.caps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A capability-table entry: one slot of a {@link CNode} (or the slot of a {@link CSpace} that holds its root CNode),
 * holding at most one {@link Capability} together with its mapping-database bookkeeping, as Barrelfish's
 * {@code struct cte} holds its {@code mdbnode}.
 *
 * <p>Mapping-database state: the entry is a node of its core's {@link MappingDatabase} exactly while it holds a
 * capability (the tree links live here, so insertion allocates nothing). The remote-relation flags say what exists
 * on other cores: {@link #REMOTE_COPIES copies}, {@link #REMOTE_ANCESTORS ancestors},
 * {@link #REMOTE_DESCENDANTS descendants}; all local copies of an object carry the same flags
 * ({@link MappingDatabase#setRelations}). {@link #isLocked() locked} and {@link #isInDelete() in-delete} mark an
 * entry taken by a distributed operation (2PC): local operations refuse it with {@link ShoalError#CAP_LOCKED}.
 *
 * <p>Paging state: the {@link #mappings() mappings} made through this copy (Barrelfish's {@code mapping_info}),
 * kept by the paging layer, which undoes them when the copy is deleted.
 *
 * <p>Called only on the core that owns the CSpace holding this entry.
 */
public final class Cte
{
    public static final int REMOTE_COPIES = 1;
    public static final int REMOTE_ANCESTORS = 1 << 1;
    public static final int REMOTE_DESCENDANTS = 1 << 2;
    public static final int ALL_RELATIONS = REMOTE_COPIES | REMOTE_ANCESTORS | REMOTE_DESCENDANTS;

    private final CNode cnode;
    private final int index;

    Capability cap;
    int relations;
    boolean locked;
    boolean inDelete;
    /** Who set {@link #inDelete} by {@link CapOps#mark(List, long)}: an abort releases only its own marks. */
    long markHolder;
    /** Mappings made through this copy; null when none (most entries). */
    private List<MappingInfo> mappings;

    // Mapping-database tree node (an AVL tree augmented with the greatest reach below each node).
    boolean inMdb;
    long sequence;
    Cte left;
    Cte right;
    int height;
    long maxReach;

    Cte(final CNode cnode, final int index)
    {
        this.cnode = cnode;
        this.index = index;
    }

    /** The CNode this entry belongs to, or null for the entry holding a CSpace's root CNode. */
    public CNode cnode()
    {
        return cnode;
    }

    /** Index of this entry in its CNode, or -1 for the entry holding a CSpace's root CNode. */
    public int index()
    {
        return index;
    }

    /** The capability held, or null when the slot is empty. */
    public Capability capability()
    {
        return cap;
    }

    public boolean isEmpty()
    {
        return cap == null;
    }

    /** The remote-relation flags ({@link #REMOTE_COPIES} | {@link #REMOTE_ANCESTORS} | {@link #REMOTE_DESCENDANTS}). */
    public int relations()
    {
        return relations;
    }

    public boolean hasRelation(final int relation)
    {
        return (relations & relation) != 0;
    }

    /** @return true while a distributed operation holds this entry; local operations refuse it. */
    public boolean isLocked()
    {
        return locked;
    }

    /** Locks or unlocks the entry for a distributed operation. Monitor only, on this core. */
    public void setLocked(final boolean locked)
    {
        this.locked = locked;
    }

    /** @return true while the entry is marked for deletion by a delete or revoke that is not finished. */
    public boolean isInDelete()
    {
        return inDelete;
    }

    /** Whether the entry is marked in-delete by the distributed operation {@code holder}. */
    public boolean isMarkedBy(final long holder)
    {
        return inDelete && markHolder == holder;
    }

    /** Marks or unmarks the entry as being deleted (the mark phase of mark-and-sweep). Monitor only, on this core. */
    public void setInDelete(final boolean inDelete)
    {
        this.inDelete = inDelete;
    }

    /** The mappings made through this copy of the capability, in the order made; empty when none. */
    public List<MappingInfo> mappings()
    {
        return mappings == null ? List.of() : Collections.unmodifiableList(mappings);
    }

    public boolean isMapped()
    {
        return mappings != null && !mappings.isEmpty();
    }

    /** Records a mapping made through this copy. Paging layer only, on this core. */
    public void addMapping(final MappingInfo mapping)
    {
        if (mappings == null)
        {
            mappings = new ArrayList<>(1);
        }
        mappings.add(mapping);
    }

    /** Forgets {@code mapping}. Paging layer only, on this core. @return false when it was not recorded. */
    public boolean removeMapping(final MappingInfo mapping)
    {
        return mappings != null && mappings.remove(mapping);
    }

    /** Forgets every mapping and returns them. Paging layer only, on this core. */
    public List<MappingInfo> takeMappings()
    {
        final List<MappingInfo> taken = mappings == null ? List.of() : mappings;
        mappings = null;
        return taken;
    }

    boolean isBusy()
    {
        return locked || inDelete;
    }

    @Override
    public String toString()
    {
        final String where = cnode == null ? "root holder" : "slot " + index;
        return where + ": " + (cap == null ? "empty" : cap.toString()) +
            (relations == 0 ? "" : " rel " + Integer.toBinaryString(relations)) +
            (locked ? " locked" : "") + (inDelete ? " in-delete" : "") +
            (isMapped() ? " mapped " + mappings : "");
    }
}
