package dev.shoal.monitor;

/** A message whose bytes do not decode as its declared type: the one-line message names the type and the problem. */
public final class MalformedMessageException extends RuntimeException
{
    public MalformedMessageException(final String message)
    {
        super(message, null, false, false);
    }
}
