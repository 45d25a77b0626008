package dev.shoal.kernel.caps;

/**
 * A CNode object: a table of {@code 2^slotBits} capability slots ({@link Cte}s), the object a CNODE capability
 * names. The table lives on the Java heap; the CNODE capability's {@code slots × 64} bytes of physical memory are
 * accounted for (nothing else may be made from them) but not used.
 *
 * <p>Called only on the core whose CPU driver created it.
 */
public final class CNode
{
    private final Capability object;
    private final int slotBits;
    private final Cte[] slots;

    CNode(final Capability object)
    {
        this.object = object;
        this.slotBits = Long.numberOfTrailingZeros(object.size() / CapType.CTE_BYTES);
        this.slots = new Cte[1 << slotBits];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new Cte(this, i);
        }
    }

    /** The object id shared by every CNODE capability naming this CNode. */
    public long objectId()
    {
        return object.objectId();
    }

    /** The CNODE capability this CNode was made for (with the rights of that first capability). */
    public Capability object()
    {
        return object;
    }

    public int slotBits()
    {
        return slotBits;
    }

    public int slotCount()
    {
        return slots.length;
    }

    /** The entry at {@code index}, which must lie in {@code [0, slotCount())}. */
    public Cte slot(final int index)
    {
        return slots[index];
    }

    /** Number of slots of a CNode whose object has {@code bytes} bytes. */
    static int slotsFor(final long bytes)
    {
        return (int)(bytes / CapType.CTE_BYTES);
    }

    @Override
    public String toString()
    {
        return "CNode " + object + " of " + slots.length + " slots";
    }
}
