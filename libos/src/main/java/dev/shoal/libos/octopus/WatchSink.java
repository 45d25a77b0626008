package dev.shoal.libos.octopus;

/**
 * The RPC interface each watching {@link Octopus} client exports on its own core: the server calls it once per
 * change a watch saw, in version order, so callbacks run on the watcher's core.
 */
public interface WatchSink
{
    void onChange(long watchId, OctopusEvent event);
}
