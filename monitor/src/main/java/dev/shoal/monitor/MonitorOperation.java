package dev.shoal.monitor;

/**
 * A distributed operation of the inter-monitor protocol: the extension point for users.
 *
 * <p>An operation declares its message records and their handlers in {@link #register(Protocol.Builder)}. To add
 * one, write one class that implements this interface (records, handlers, any core-local state via
 * {@link Monitor#local(Class, java.util.function.Supplier)}) and register it once: pass it to
 * {@link MonitorConfig.Builder#operation(MonitorOperation)}, or list it in a
 * {@code META-INF/services/dev.shoal.monitor.MonitorOperation} file of your own. No file of the monitor module
 * changes. Boot, the name service, binding and the neighbour smoke test are written the same way.
 */
public interface MonitorOperation
{
    /** Declares this operation's messages and handlers. Called once per machine, before any core boots. */
    void register(Protocol.Builder protocol);

    /**
     * The operation's name in the protocol: with each message's simple name it makes the message's id
     * ({@link Protocol#idOf}). The class's name unless overridden; declare a fixed name to keep the ids when the
     * class moves or is renamed.
     */
    default String name()
    {
        return getClass().getName();
    }
}
