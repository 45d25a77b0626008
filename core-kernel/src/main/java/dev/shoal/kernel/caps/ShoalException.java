package dev.shoal.kernel.caps;

import java.util.Objects;

/**
 * A Shoal operation refused its input: carries one {@link ShoalError}. The message reads
 * {@code ERROR_NAME: description[: detail]}, one line, fit for a log or a command line.
 *
 * <p>Thrown before anything was changed (see {@link ShoalError}). Subsystems may subclass it to add what their
 * callers need (e.g. the RPC exception's remote type); a caller that catches {@code ShoalException} and switches on
 * {@link #error()} handles every Shoal error alike, whichever core reported it.
 */
public class ShoalException extends RuntimeException
{
    private final ShoalError error;
    private final String detail;

    public ShoalException(final ShoalError error, final String detail)
    {
        super(message(error, detail));
        this.error = Objects.requireNonNull(error, "error");
        this.detail = detail;
    }

    public ShoalError error()
    {
        return error;
    }

    /** What the operation was given, or null. */
    public String detail()
    {
        return detail;
    }

    private static String message(final ShoalError error, final String detail)
    {
        final String head = error.name() + ": " + error.description();
        return detail == null || detail.isEmpty() ? head : head + ": " + detail;
    }
}
