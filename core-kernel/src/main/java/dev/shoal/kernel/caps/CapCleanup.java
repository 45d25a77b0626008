package dev.shoal.kernel.caps;

/**
 * What the rest of the kernel does when capabilities go away: the paging layer unmaps frames and tears down VNodes,
 * the dispatcher code stops a dispatcher. {@link CapOps} calls it after the entry has left its slot and the mapping
 * database, so the database is consistent while the hook runs.
 *
 * <p>{@link #onLastCopyDeleted} runs exactly once per object, when its last copy goes: the last copy on this core of
 * an object this core owns and that has no copies on other cores. Deleting one of several copies, or the local copy
 * of an object another core owns, calls {@link #onCopyDeleted} instead. A CNode's hook runs before the
 * capabilities it held are deleted (their hooks follow). Hooks must not throw (a hook that throws is a bug: the
 * exception propagates and the rest of a revoke is not done) and must not call back into {@link CapOps}.
 *
 * <p>Called on the owning core's carrier, from inside the capability operation.
 */
@FunctionalInterface
public interface CapCleanup
{
    CapCleanup NONE = (cap, slot) ->
    {
    };

    /**
     * The last copy of {@code cap}'s object was deleted from {@code slot} (now empty): release what the object
     * holds.
     */
    void onLastCopyDeleted(Capability cap, Cte slot);

    /**
     * One copy of {@code cap}'s object was deleted from {@code slot} (now empty); other copies remain. Mappings made
     * through this particular copy may be undone here.
     */
    default void onCopyDeleted(final Capability cap, final Cte slot)
    {
    }

    /** This hook, then {@code next}, for each event. */
    default CapCleanup andThen(final CapCleanup next)
    {
        final CapCleanup first = this;
        return new CapCleanup()
        {
            @Override
            public void onLastCopyDeleted(final Capability cap, final Cte slot)
            {
                first.onLastCopyDeleted(cap, slot);
                next.onLastCopyDeleted(cap, slot);
            }

            @Override
            public void onCopyDeleted(final Capability cap, final Cte slot)
            {
                first.onCopyDeleted(cap, slot);
                next.onCopyDeleted(cap, slot);
            }
        };
    }
}
