package dev.shoal.monitor;

import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;

/**
 * A name-service or binding request that cannot be satisfied: {@link ShoalError#NAME_TAKEN},
 * {@link ShoalError#NAME_NOT_FOUND} or {@link ShoalError#SERVICE_GONE}. The code travels between cores, so the
 * caller sees the same error whichever core refused.
 */
public final class NameServiceException extends ShoalException
{
    private static final long serialVersionUID = 1L;

    public NameServiceException(final ShoalError error, final String detail)
    {
        super(error, detail);
    }

    /** Rebuilds the exception a remote core reported as {@code code} and {@code detail}. */
    static NameServiceException fromReply(final int code, final String detail)
    {
        final ShoalError error = ShoalError.fromCode(code);
        return error == null ? new NameServiceException(ShoalError.REMOTE_FAILURE, "error code " + code + ": " + detail) :
            new NameServiceException(error, detail);
    }
}
