package dev.shoal.kernel.paging;

/**
 * An access that faulted and was not repaired: the handler returned {@code FAIL}, returned {@code RETRY} without
 * changing anything, or the address was not canonical. Memory was not touched by the failed access.
 */
public final class PageFaultException extends RuntimeException
{
    private final PageFault fault;

    public PageFaultException(final PageFault fault, final String why)
    {
        super("page fault: " + fault + " (" + why + ")");
        this.fault = fault;
    }

    public PageFault fault()
    {
        return fault;
    }
}
