package dev.shoal.kernel;

import java.util.function.Consumer;

/**
 * Turns a host request that came from another JVM as bytes (docs/partitions.md, "Host requests across
 * partitions") into the task that runs on {@code core}. The task hands its result, as bytes, to {@code reply} once:
 * the engine carries them back to the coordinator, whose host is waiting for them. Registered by the layer that
 * encoded the request (the monitor system); called on this JVM's partition thread at a barrier.
 */
@FunctionalInterface
public interface HostRequestDecoder
{
    Runnable decode(Core core, byte[] request, Consumer<byte[]> reply);
}
