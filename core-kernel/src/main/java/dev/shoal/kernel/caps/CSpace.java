package dev.shoal.kernel.caps;

/**
 * A dispatcher's capability space: two levels of CNodes. The root CNode ({@code 2^rootBits} slots) holds CNODE
 * capabilities of leaf CNodes ({@code 2^leafBits} slots each), and leaf slots hold any capability.
 *
 * <p><b>Addresses (cptrs).</b> An {@code int}:
 * <pre>
 *   bit 31        0
 *   bit 30        {@link #ROOT_LEVEL}: 0 = a leaf slot, 1 = a slot of the root CNode itself
 *   leaf slot:    bits [leafBits, leafBits + rootBits) = root index, bits [0, leafBits) = leaf index
 *                 cptr = (rootIndex &lt;&lt; leafBits) | leafIndex                  ({@link #cptr(int, int)})
 *   root slot:    bits [0, rootBits) = root index; cptr = ROOT_LEVEL | rootIndex  ({@link #rootSlot(int)})
 * </pre>
 * with {@code rootBits + leafBits <= 30}. With the usual 8 + 8 bits, leaf cptrs are {@code 0..0xffff}: the
 * capability in slot 3 of the leaf in root slot 2 is {@code 0x203}. A leaf is attached by copying (or retyping) a
 * CNODE capability of exactly {@code 2^leafBits} slots into a root slot; root slots hold nothing else. A boot CSpace
 * ({@link CapOps#boot}) has leaf 0 attached, the KERNEL capability at {@link #BOOT_KERNEL_CPTR} and the core's RAM at
 * {@link #BOOT_RAM_CPTR}.
 *
 * <p>The CNode holding a CSpace's root is itself held by a slot outside every CNode ({@link #rootHolder()}, the role
 * of a Barrelfish dispatcher's {@code cspace} slot); when that capability is deleted (by
 * {@link CapOps#destroyCSpace} or by revoking the memory it was made from) the CSpace is dead and every address in
 * it is invalid.
 *
 * <p>Errors: {@link ShoalError#INVALID_CPTR} for an address outside the CSpace or through a root slot that holds no
 * leaf; an empty slot is returned as such (operations report {@link ShoalError#SLOT_EMPTY}).
 *
 * <p>Called only on the core whose {@link CapOps} created it.
 */
public final class CSpace
{
    public static final int ROOT_LEVEL = 1 << 30;
    /** Most bits an address may use below {@link #ROOT_LEVEL}. */
    public static final int MAX_ADDRESS_BITS = 30;
    /** Most bits of one level: a CNode has at most 2^16 slots. */
    public static final int MAX_LEVEL_BITS = 16;
    public static final int BOOT_KERNEL_CPTR = 0;
    public static final int BOOT_RAM_CPTR = 1;

    private final CapOps ops;
    private final String name;
    private final int rootBits;
    private final int leafBits;
    private final Cte rootHolder = new Cte(null, -1);

    CSpace(final CapOps ops, final String name, final int rootBits, final int leafBits)
    {
        this.ops = ops;
        this.name = name;
        this.rootBits = rootBits;
        this.leafBits = leafBits;
    }

    /** The CPU driver (core) this CSpace belongs to. */
    public CapOps ops()
    {
        return ops;
    }

    public String name()
    {
        return name;
    }

    public int rootBits()
    {
        return rootBits;
    }

    public int leafBits()
    {
        return leafBits;
    }

    /** The address of slot {@code leafIndex} of the leaf CNode in root slot {@code rootIndex}. */
    public int cptr(final int rootIndex, final int leafIndex)
    {
        if (rootIndex < 0 || rootIndex >= 1 << rootBits || leafIndex < 0 || leafIndex >= 1 << leafBits)
        {
            throw ShoalError.INVALID_CPTR.exception("root index " + rootIndex + " / leaf index " + leafIndex +
                " outside " + (1 << rootBits) + " x " + (1 << leafBits) + " slots of " + name);
        }
        return (rootIndex << leafBits) | leafIndex;
    }

    /** The address of slot {@code rootIndex} of the root CNode. */
    public static int rootSlot(final int rootIndex)
    {
        if (rootIndex < 0 || rootIndex >= 1 << MAX_LEVEL_BITS)
        {
            throw ShoalError.INVALID_CPTR.exception("root index " + rootIndex);
        }
        return ROOT_LEVEL | rootIndex;
    }

    /** The entry that holds this CSpace's root CNode capability. */
    public Cte rootHolder()
    {
        return rootHolder;
    }

    /** @return false once the root CNode capability is gone. */
    public boolean isAlive()
    {
        return rootCNode() != null;
    }

    /** The root CNode, or null when the CSpace is dead. */
    public CNode rootCNode()
    {
        final Capability cap = rootHolder.cap;
        return cap == null ? null : ops.localCNode(cap);
    }

    /**
     * The slot at {@code cptr}, empty or not.
     *
     * @throws ShoalException INVALID_CPTR when the address does not name a slot of this CSpace.
     */
    public Cte slot(final int cptr)
    {
        return resolve(cptr, false);
    }

    /** The capability at {@code cptr}, or null when the slot is empty. */
    public Capability capability(final int cptr)
    {
        return resolve(cptr, false).cap;
    }

    /** @return true when {@code cptr} names a slot of the root CNode. */
    public static boolean isRootLevel(final int cptr)
    {
        return cptr >= 0 && (cptr & ROOT_LEVEL) != 0;
    }

    /**
     * The slot at {@code cptr} for a change: also checks WRITE on the CNode capability through which it is reached.
     */
    Cte slotForWrite(final int cptr)
    {
        return resolve(cptr, true);
    }

    /** The CNode holding the slot at {@code cptr} (the address must be valid). */
    CNode cnodeOf(final int cptr)
    {
        return resolve(cptr, false).cnode();
    }

    private Cte resolve(final int cptr, final boolean write)
    {
        final CNode root = rootCNode();
        if (root == null)
        {
            throw ShoalError.INVALID_CPTR.exception(this + " has no root CNode any more");
        }
        if (cptr < 0)
        {
            throw ShoalError.INVALID_CPTR.exception(hex(cptr) + " is negative");
        }
        if ((cptr & ROOT_LEVEL) != 0)
        {
            final int index = cptr & ~ROOT_LEVEL;
            if (index >= root.slotCount())
            {
                throw ShoalError.INVALID_CPTR.exception("root slot " + index + " outside the " + root.slotCount() +
                    " slots of " + this);
            }
            if (write)
            {
                requireWrite(rootHolder.cap, "the root CNode");
            }
            return root.slot(index);
        }
        if ((cptr >>> (leafBits + rootBits)) != 0)
        {
            throw ShoalError.INVALID_CPTR.exception(hex(cptr) + " uses more than " + (rootBits + leafBits) +
                " bits in " + this);
        }
        final int rootIndex = cptr >>> leafBits;
        final Capability leafCap = root.slot(rootIndex).cap;
        if (leafCap == null || leafCap.type() != CapType.CNODE)
        {
            throw ShoalError.INVALID_CPTR.exception(hex(cptr) + ": root slot " + rootIndex + " holds " +
                (leafCap == null ? "nothing" : leafCap.type()) + ", not a leaf CNode, in " + this);
        }
        final CNode leaf = ops.localCNode(leafCap);
        if (leaf == null || leaf.slotBits() != leafBits)
        {
            throw ShoalError.INVALID_CPTR.exception(hex(cptr) + ": the CNode in root slot " + rootIndex +
                " is not a leaf of " + (1 << leafBits) + " slots on this core");
        }
        if (write)
        {
            requireWrite(leafCap, "leaf CNode " + rootIndex);
        }
        return leaf.slot(cptr & ((1 << leafBits) - 1));
    }

    private static void requireWrite(final Capability cnodeCap, final String what)
    {
        if (!cnodeCap.rights().contains(Rights.WRITE))
        {
            throw ShoalError.INSUFFICIENT_RIGHTS.exception("changing a slot needs WRITE on " + what + ", which has " +
                cnodeCap.rights());
        }
    }

    static String hex(final int cptr)
    {
        return "cptr 0x" + Integer.toHexString(cptr);
    }

    @Override
    public String toString()
    {
        return "CSpace " + name + " on core " + ops.core();
    }
}
