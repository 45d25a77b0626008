package dev.shoal.kernel.paging;

import dev.shoal.kernel.caps.ShoalError;

/**
 * Why a page-table operation refused its input: one list, each code with its description (Barrelfish's
 * {@code errno.fugu} habit). These are the mechanism's own codes, for callers of {@link PageTables} itself; the
 * capability layer above ({@code dev.shoal.kernel.vspace}) validates its input first and reports the project-wide
 * {@link ShoalError} that {@link #shoalError()} names.
 */
public enum PagingError
{
    UNALIGNED("address or length not a multiple of the 4 KiB page size"),
    NON_CANONICAL("virtual address not canonical (bits 63..47 differ) or range crosses the canonical hole"),
    PHYSICAL_OUT_OF_RANGE("physical address does not fit the 52 address bits of an entry"),
    BAD_LENGTH("length must be positive"),
    BAD_LEVEL("no such page-table level for this operation"),
    BAD_INDEX("table index outside 0..511"),
    BAD_FLAGS("flags outside the ones a mapping may ask for"),
    SLOT_IN_USE("page-table entry already in use"),
    NOT_MAPPED("page not mapped"),
    BAD_TABLE("allocator returned an unusable table address");

    private final String description;

    PagingError(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }

    /** The project-wide error a capability invocation reports for this one. */
    public ShoalError shoalError()
    {
        return switch (this)
        {
            case SLOT_IN_USE -> ShoalError.MAPPING_EXISTS;
            case NOT_MAPPED -> ShoalError.NOT_MAPPED;
            case BAD_INDEX -> ShoalError.VNODE_SLOT_INVALID;
            default -> ShoalError.INVALID_ARGUMENT;
        };
    }
}
