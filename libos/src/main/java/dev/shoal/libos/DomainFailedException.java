package dev.shoal.libos;

import dev.shoal.kernel.Dispatcher;

/** A dispatcher of a domain ended with an exception. */
public final class DomainFailedException extends RuntimeException
{
    public DomainFailedException(final String domain, final Dispatcher dispatcher, final Throwable cause)
    {
        super("domain " + domain + " failed on core " + dispatcher.core().id() + ": " + cause, cause);
    }
}
