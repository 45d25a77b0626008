package dev.shoal.libos.octopus;

/**
 * The Octopus store's RPC interface: what travels between {@link Octopus} clients and the server. Applications
 * use {@link Octopus}, which adds watches with callbacks on top.
 */
public interface OctopusService
{
    /** Sets {@code name} to {@code value}; returns the store version of the change. */
    long set(String name, String value);

    /** The record, or null when there is none. */
    OctopusRecord get(String name);

    /** Deletes {@code name}; false when there was no such record. */
    boolean delete(String name);

    /** The record, waiting until some client sets it when there is none yet. */
    OctopusRecord waitFor(String name);

    /**
     * The record, waiting at most {@code timeoutCycles} of the server core's simulated time (from when the call
     * reaches it) for some client to set it; null when nobody did.
     */
    OctopusRecord waitFor(String name, long timeoutCycles);

    /** Names of the records matching {@code pattern}, sorted. */
    String[] names(String pattern);

    /**
     * Registers a watch: every later change of a record matching {@code pattern} goes to the {@link WatchSink}
     * exported as {@code sink}. Returns the watch's id.
     */
    long watch(String pattern, String sink);

    /** Ends a watch; false when it was unknown or ended already. */
    boolean unwatch(long watchId);
}
