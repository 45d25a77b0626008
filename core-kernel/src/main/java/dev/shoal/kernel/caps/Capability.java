package dev.shoal.kernel.caps;

import java.util.Objects;

/**
 * The immutable description of one capability: what it names and what it allows.
 *
 * <p>{@code base} and {@code size} are a range of physical memory for the types that {@link CapType#namesMemory()
 * name memory}; an ENDPOINT has its dispatcher's base and size 0; KERNEL, IRQ and ID use them as plain numbers
 * (an ID capability's base is its identifier).
 *
 * <p>{@code objectId} identifies the object: every copy of an object (copy, mint, a copy on another core) carries
 * the same id, and every retype makes objects with fresh ids. Ids are unique in the machine: the core that creates
 * an object puts its own number in the id's top bits ({@link #objectId(int, long)}). Barrelfish recognises copies
 * by type, base and size alone; the id also tells apart objects that share those (several endpoints of one
 * dispatcher). Copies also agree on type, base, size and owner; they may differ in rights.
 *
 * <p>{@code owner} is the one core that owns the object: only it may retype or revoke it locally; other cores go
 * through the monitors.
 *
 * <p>A value; any thread.
 */
public record Capability(CapType type, long base, long size, Rights rights, int owner, long objectId)
{
    /** Bits of an object id below the creating core's number. */
    public static final int OBJECT_ID_CORE_SHIFT = 40;

    public Capability
    {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(rights, "rights");
        if (type == CapType.NULL)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("a capability cannot have type NULL");
        }
        if (size < 0 || base < 0 || base + size < base || owner < 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("capability " + type + " base 0x" + Long.toHexString(base) +
                " size " + size + " owner " + owner);
        }
    }

    /** The id of the {@code sequence}th object created on {@code core}. */
    public static long objectId(final int core, final long sequence)
    {
        return ((long)core << OBJECT_ID_CORE_SHIFT) | sequence;
    }

    /** One past the last byte named. */
    public long end()
    {
        return base + size;
    }

    /**
     * The end used for containment: a capability of size 0 occupies the single point at its base, so that an
     * ENDPOINT lies inside its dispatcher.
     */
    public long reach()
    {
        return size == 0 ? base + 1 : base + size;
    }

    /** @return true when {@code other} describes the same object (a copy, whatever its rights). */
    public boolean isCopyOf(final Capability other)
    {
        return objectId == other.objectId && type == other.type && base == other.base && size == other.size;
    }

    /**
     * Barrelfish's {@code is_ancestor}, with object identity: {@code this} descends from {@code ancestor} when both
     * are in one retype tree ({@link CapType#root()}), its type can be made from the ancestor's by retypes, its
     * range lies inside the ancestor's, it is a different object, and, when the types are equal, it is strictly
     * smaller (retype never makes a same-type object as big as its source).
     */
    public boolean isDescendantOf(final Capability ancestor)
    {
        return objectId != ancestor.objectId &&
            type.root() == ancestor.type.root() &&
            ancestor.type.isAncestorTypeOf(type) &&
            ancestor.base <= base && reach() <= ancestor.reach() &&
            (type != ancestor.type || size < ancestor.size);
    }

    /** @return true when the two ranges share at least one point (sizes 0 count as their base point). */
    public boolean overlaps(final long otherBase, final long otherReach)
    {
        return base < otherReach && otherBase < reach();
    }

    public Capability withRights(final Rights newRights)
    {
        return new Capability(type, base, size, newRights, owner, objectId);
    }

    public Capability withOwner(final int newOwner)
    {
        return new Capability(type, base, size, rights, newOwner, objectId);
    }

    @Override
    public String toString()
    {
        return type + "[0x" + Long.toHexString(base) + "+0x" + Long.toHexString(size) + " " + rights + " owner " +
            owner + " id " + (objectId >>> OBJECT_ID_CORE_SHIFT) + ":" +
            (objectId & ((1L << OBJECT_ID_CORE_SHIFT) - 1)) + "]";
    }
}
