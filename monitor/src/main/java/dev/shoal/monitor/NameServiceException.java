package dev.shoal.monitor;

/** A name-service or binding request that cannot be satisfied (name taken, no such service). */
public final class NameServiceException extends RuntimeException
{
    public NameServiceException(final String message)
    {
        super(message);
    }
}
