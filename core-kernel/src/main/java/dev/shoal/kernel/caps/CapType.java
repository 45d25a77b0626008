package dev.shoal.kernel.caps;

/**
 * The types of capability and the rules of each: what it may be retyped into, how big and how aligned its objects
 * are, and whether it names physical memory.
 *
 * <p>Retype graph (anything not listed cannot be created by retype):
 * <pre>
 *   RAM        → RAM (smaller pieces), FRAME, CNODE, VNODE_L4..VNODE_L1, DISPATCHER
 *   FRAME      → FRAME (smaller pieces)
 *   DEV_FRAME  → DEV_FRAME (smaller pieces); device memory only ever comes from an initial DevFrame capability
 *   DISPATCHER → ENDPOINT
 *   KERNEL, IRQ, ID, CNODE, VNODE_*, ENDPOINT → nothing
 * </pre>
 * KERNEL, IRQ, ID and the first RAM and DEV_FRAME capabilities are created by the CPU driver at boot or, from a
 * descriptor, by a monitor holding the KERNEL capability ({@link CapOps#install}).
 *
 * <p>Object sizes: RAM, FRAME and DEV_FRAME a positive multiple of {@link #BASE_PAGE_SIZE}; every VNODE exactly one
 * page (512 eight-byte entries); CNODE {@code slots × }{@link #CTE_BYTES} with {@code slots} a power of two up to
 * {@link #MAX_CNODE_SLOTS};
 * DISPATCHER {@link #DISPATCHER_BYTES}; ENDPOINT 0 (an endpoint names its dispatcher, not memory).
 *
 * <p>The declaration order matters: within one {@link #root() root}, a type comes before every type it can become
 * (RAM first), so that in the mapping database's order an object precedes its descendants.
 *
 * <p>Immutable; any thread.
 */
public enum CapType
{
    NULL,
    RAM,
    FRAME,
    DEV_FRAME,
    CNODE,
    /** Page-map level 4 (PML4): the root of an x86-64 page table. */
    VNODE_L4,
    /** Page-directory-pointer table. */
    VNODE_L3,
    /** Page directory. */
    VNODE_L2,
    /** Page table. */
    VNODE_L1,
    DISPATCHER,
    ENDPOINT,
    KERNEL,
    IRQ,
    ID;

    public static final long BASE_PAGE_SIZE = 4096;
    /** Bytes of one capability-table entry: a CNode of n slots occupies n × 64 bytes, as in Barrelfish. */
    public static final long CTE_BYTES = 64;
    /** Bytes of a dispatcher control block. */
    public static final long DISPATCHER_BYTES = 1024;
    /** Most slots of one CNode. */
    public static final long MAX_CNODE_SLOTS = 1 << 16;

    private static final CapType[] VALUES = values();

    /** The type with {@code ordinal}, or null. */
    public static CapType fromOrdinal(final int ordinal)
    {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }

    /** @return true when the capability's base and size are a range of physical memory it gives access to. */
    public boolean namesMemory()
    {
        return switch (this)
        {
            case RAM, FRAME, DEV_FRAME, CNODE, VNODE_L4, VNODE_L3, VNODE_L2, VNODE_L1, DISPATCHER -> true;
            default -> false;
        };
    }

    public boolean isVNode()
    {
        return this == VNODE_L4 || this == VNODE_L3 || this == VNODE_L2 || this == VNODE_L1;
    }

    /** @return true for the types an address space can map (FRAME, DEV_FRAME). */
    public boolean isMappable()
    {
        return this == FRAME || this == DEV_FRAME;
    }

    /**
     * The type at the top of this type's retype tree: capabilities compare for ancestry only within one root.
     * RAM for everything made from RAM (including ENDPOINT, made from a DISPATCHER); each other type is its own root.
     */
    public CapType root()
    {
        return switch (this)
        {
            case RAM, FRAME, CNODE, VNODE_L4, VNODE_L3, VNODE_L2, VNODE_L1, DISPATCHER, ENDPOINT -> RAM;
            default -> this;
        };
    }

    /** @return true when a capability of this type may be retyped directly into {@code target}. */
    public boolean canRetypeTo(final CapType target)
    {
        return switch (this)
        {
            case RAM -> target == RAM || target == FRAME || target == CNODE || target.isVNode() ||
                target == DISPATCHER;
            case FRAME -> target == FRAME;
            case DEV_FRAME -> target == DEV_FRAME;
            case DISPATCHER -> target == ENDPOINT;
            default -> false;
        };
    }

    /**
     * @return true when an object of type {@code descendant} can be made from one of this type by one or more
     * retypes (reflexive only for the types that split into smaller pieces of themselves).
     */
    public boolean isAncestorTypeOf(final CapType descendant)
    {
        return switch (this)
        {
            case RAM -> descendant.root() == RAM;
            case FRAME -> descendant == FRAME;
            case DEV_FRAME -> descendant == DEV_FRAME;
            case DISPATCHER -> descendant == ENDPOINT;
            default -> false;
        };
    }

    /** Alignment, in bytes, of the physical base of every object of this type. */
    public long alignment()
    {
        return switch (this)
        {
            case RAM, FRAME, DEV_FRAME, VNODE_L4, VNODE_L3, VNODE_L2, VNODE_L1 -> BASE_PAGE_SIZE;
            case CNODE -> CTE_BYTES;
            case DISPATCHER -> DISPATCHER_BYTES;
            default -> 1;
        };
    }

    /**
     * Why {@code bytes} is not a valid object size for this type, or null when it is.
     */
    public String objectSizeProblem(final long bytes)
    {
        return switch (this)
        {
            case RAM, FRAME, DEV_FRAME -> bytes > 0 && bytes % BASE_PAGE_SIZE == 0 ? null :
                name() + " objects are a positive multiple of " + BASE_PAGE_SIZE + " bytes, not " + bytes;
            case VNODE_L4, VNODE_L3, VNODE_L2, VNODE_L1 -> bytes == BASE_PAGE_SIZE ? null :
                name() + " objects are exactly " + BASE_PAGE_SIZE + " bytes, not " + bytes;
            case CNODE -> bytes >= CTE_BYTES && bytes % CTE_BYTES == 0 && Long.bitCount(bytes / CTE_BYTES) == 1 &&
                bytes / CTE_BYTES <= MAX_CNODE_SLOTS ? null : "CNODE objects are (a power of two, at most " +
                MAX_CNODE_SLOTS + ") × " + CTE_BYTES + " bytes, not " + bytes;
            case DISPATCHER -> bytes == DISPATCHER_BYTES ? null :
                "DISPATCHER objects are exactly " + DISPATCHER_BYTES + " bytes, not " + bytes;
            case ENDPOINT -> bytes == 0 ? null : "ENDPOINT objects name a dispatcher and have size 0, not " + bytes;
            default -> name() + " objects are not made by retype";
        };
    }

    /**
     * @return true when memory retyped from RAM into this type is zeroed: RAM is untyped, and its previous contents
     * must not leak into the new object. RAM to RAM is not zeroed (RAM is never accessed) and splitting a FRAME or
     * DEV_FRAME keeps its bytes (the holder could read them already; device memory must not be written).
     */
    public boolean zeroedWhenMadeFromRam()
    {
        return namesMemory() && this != RAM && this != DEV_FRAME;
    }
}
