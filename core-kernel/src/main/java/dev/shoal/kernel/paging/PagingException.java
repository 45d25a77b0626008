package dev.shoal.kernel.paging;

/**
 * Bad input to a page-table operation (see {@link PagingError}). Thrown before anything is changed, so a caller
 * that catches it finds the tables as they were.
 */
public final class PagingException extends RuntimeException
{
    private final PagingError error;
    private final String detail;

    public PagingException(final PagingError error, final String detail)
    {
        super(error.description() + ": " + detail);
        this.error = error;
        this.detail = detail;
    }

    /** The same refusal as the project-wide {@link dev.shoal.kernel.caps.ShoalException}. */
    public dev.shoal.kernel.caps.ShoalException toShoalException()
    {
        return error.shoalError().exception(error.description() + ": " + detail);
    }

    public PagingError error()
    {
        return error;
    }
}
