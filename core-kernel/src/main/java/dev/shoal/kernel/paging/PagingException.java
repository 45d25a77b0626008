package dev.shoal.kernel.paging;

/**
 * Bad input to a page-table operation (see {@link PagingError}). Thrown before anything is changed, so a caller
 * that catches it finds the tables as they were.
 */
public final class PagingException extends RuntimeException
{
    private final PagingError error;

    public PagingException(final PagingError error, final String detail)
    {
        super(error.description() + ": " + detail);
        this.error = error;
    }

    public PagingError error()
    {
        return error;
    }
}
