package dev.shoal.kernel.paging;

/**
 * An access the translation refused, as the page-fault upcall reports it to the dispatcher.
 *
 * @param vaddr  the virtual address accessed (the first byte of the access that lies in the faulting page).
 * @param access what the access wanted.
 * @param reason why it was refused.
 * @param level  for {@link Reason#NOT_MAPPED}, the level (4..1) whose entry was not present; for
 *               {@link Reason#PROTECTION}, 1, the leaf (tables link lower tables with full rights, so only the
 *               page's own entry restricts it); for {@link Reason#NON_CANONICAL}, 0: no table was read.
 */
public record PageFault(long vaddr, AccessKind access, Reason reason, int level)
{
    public enum Reason
    {
        /** Some entry of the walk was not present. */
        NOT_MAPPED,
        /** Mapped, but without the right the access needs (write, user, execute). */
        PROTECTION,
        /**
         * The address is outside the canonical halves; on x86-64 a general-protection fault, not a page fault, so
         * it is never upcalled: the access fails at once.
         */
        NON_CANONICAL
    }

    @Override
    public String toString()
    {
        return access + " at 0x" + Long.toHexString(vaddr) + ": " + reason +
            (level > 0 ? " (" + PageTableFormat.levelName(level) + ")" : "");
    }
}
