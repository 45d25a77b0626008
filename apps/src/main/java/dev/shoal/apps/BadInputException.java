package dev.shoal.apps;

/** A command-line argument that is well-formed but wrong (out of range, inconsistent): exit code 2. */
public final class BadInputException extends RuntimeException
{
    public BadInputException(final String message)
    {
        super(message, null, false, false);
    }
}
