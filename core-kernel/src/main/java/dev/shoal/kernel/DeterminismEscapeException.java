package dev.shoal.kernel;

/**
 * Thrown on a core, in deterministic mode, by a call that would let the host decide what the core does next (the
 * host's clock, a new thread); its message names the offending call site. The escape is also recorded in
 * {@link Machine#escapes()}. See {@link EscapeDetector} for what is detected.
 */
public final class DeterminismEscapeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient DeterminismEscape escape;

    public DeterminismEscapeException(final DeterminismEscape escape)
    {
        super(escape.message());
        this.escape = escape;
    }

    /** What was detected. */
    public DeterminismEscape escape()
    {
        return escape;
    }
}
