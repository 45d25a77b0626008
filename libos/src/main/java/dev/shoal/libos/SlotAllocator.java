package dev.shoal.libos;

import java.util.ArrayDeque;

import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;

/**
 * Hands out empty slots of one CSpace (the slot allocator of Barrelfish's libbarrelfish): freed slots first, then
 * the slots of the leaves from a starting root slot on, in order, attaching a new leaf CNode (made by
 * {@link LeafMaker}) in each empty root slot it reaches. A slot found occupied is skipped, so others may place
 * capabilities in the same CSpace.
 *
 * <p>Core-local: called only on the core of its CSpace.
 */
final class SlotAllocator
{
    /** Makes a leaf CNode of the CSpace's leaf size in the empty root slot {@code rootSlotCptr}. */
    @FunctionalInterface
    interface LeafMaker
    {
        void attach(int rootSlotCptr);
    }

    private final CSpace space;
    private final LeafMaker leaves;
    private final ArrayDeque<Integer> freed = new ArrayDeque<>();
    private int root;
    private int index;
    private boolean leafReady;

    /** Slots from {@code firstIndex} of the leaf in root slot {@code firstRoot} on. */
    SlotAllocator(final CSpace space, final int firstRoot, final int firstIndex, final LeafMaker leaves)
    {
        this.space = space;
        this.leaves = leaves;
        this.root = firstRoot;
        this.index = firstIndex;
    }

    /**
     * @return the address of an empty slot.
     * @throws ShoalException CNODE_FULL when no root slot is left; what the leaf maker throws.
     */
    int allocate()
    {
        while (!freed.isEmpty())
        {
            final int cptr = freed.pop();
            if (isEmpty(cptr))
            {
                return cptr;
            }
        }
        final int leafSlots = 1 << space.leafBits();
        while (true)
        {
            if (index == leafSlots)
            {
                root++;
                index = 0;
                leafReady = false;
            }
            if (!leafReady)
            {
                if (root >= 1 << space.rootBits())
                {
                    index = leafSlots;
                    root--;
                    throw ShoalError.CNODE_FULL.exception("no slot left in " + space);
                }
                final int rootSlot = CSpace.rootSlot(root);
                if (space.capability(rootSlot) == null)
                {
                    leaves.attach(rootSlot);
                }
                leafReady = true;
            }
            final int cptr = space.cptr(root, index++);
            if (isEmpty(cptr))
            {
                return cptr;
            }
        }
    }

    /** Returns {@code cptr}, whose capability was deleted, for reuse. */
    void free(final int cptr)
    {
        freed.push(cptr);
    }

    private boolean isEmpty(final int cptr)
    {
        try
        {
            return space.capability(cptr) == null;
        }
        catch (final ShoalException ex)
        {
            // The leaf holding it is gone (its CNode deleted): the slot no longer exists.
            return false;
        }
    }
}
