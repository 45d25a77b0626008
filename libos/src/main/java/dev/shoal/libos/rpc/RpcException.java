package dev.shoal.libos.rpc;

import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;

/**
 * A remote call that did not return normally. {@link #error()} says why, in the catalogue every Shoal error uses:
 * {@link ShoalError#RPC_SERVER_EXCEPTION} when the server's method threw ({@link #remoteType()} names the
 * exception's class and the detail is its message), the thrown exception's own code when that was a
 * {@link ShoalException}, or the call's own failure ({@link ShoalError#RPC_MALFORMED},
 * {@link ShoalError#RPC_INTERFACE_MISMATCH}, {@link ShoalError#RPC_STUB_CLOSED}, {@link ShoalError#RPC_NOT_REMOTE});
 * then {@link #remoteType()} is empty.
 */
public final class RpcException extends ShoalException
{
    private static final long serialVersionUID = 1L;

    private final String remoteType;

    public RpcException(final ShoalError error, final String remoteType, final String detail)
    {
        super(error, detail);
        this.remoteType = remoteType;
    }

    public RpcException(final ShoalError error, final String detail)
    {
        this(error, "", detail);
    }

    /** The class name of the exception the server's method threw, or "" when the failure was the call's own. */
    public String remoteType()
    {
        return remoteType;
    }

    /** Whether the server's method threw (as opposed to the call failing on the way). */
    public boolean isRemote()
    {
        return !remoteType.isEmpty();
    }
}
