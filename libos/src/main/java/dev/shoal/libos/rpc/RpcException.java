package dev.shoal.libos.rpc;

/**
 * A remote call that did not return normally: the server's method threw ({@link #remoteType()} names the
 * exception's class and the message is its message), or the call could not be made (the reply or request did not
 * decode, the interfaces of client and server differ, the stub is closed); then {@link #remoteType()} is empty.
 */
public final class RpcException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String remoteType;

    public RpcException(final String remoteType, final String message)
    {
        super(message);
        this.remoteType = remoteType;
    }

    public RpcException(final String message)
    {
        this("", message);
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
