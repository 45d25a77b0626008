package dev.shoal.kernel.paging;

/** What an access wants of a page: each kind needs a different right of the translation. */
public enum AccessKind
{
    /** Needs {@code PRESENT} and {@code USER}. */
    READ,
    /** Needs {@code PRESENT}, {@code USER} and {@code WRITABLE}. */
    WRITE,
    /** An instruction fetch: needs {@code PRESENT}, {@code USER} and no {@code NO_EXECUTE}. */
    EXECUTE;

    /** True when an entry with effective {@code flags} allows this kind of user-mode access. */
    public boolean permittedBy(final long flags)
    {
        final long required = PageTableFormat.PRESENT | PageTableFormat.USER;
        if ((flags & required) != required)
        {
            return false;
        }
        return switch (this)
        {
            case READ -> true;
            case WRITE -> (flags & PageTableFormat.WRITABLE) != 0;
            case EXECUTE -> (flags & PageTableFormat.NO_EXECUTE) == 0;
        };
    }
}
