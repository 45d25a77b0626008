package dev.shoal.kernel.paging;

/**
 * Why a page-table operation refused its input: one list, each code with its description (Barrelfish's
 * {@code errno.fugu} habit). A later step folds these into the project-wide error enum.
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
}
