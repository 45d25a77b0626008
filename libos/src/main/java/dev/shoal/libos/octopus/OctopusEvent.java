package dev.shoal.libos.octopus;

/**
 * A change a watch saw: {@code name} was set to {@code value}, or deleted (then {@code value} is the value it
 * had). {@code version} is the store version the change made; a watcher sees its events in version order.
 */
public record OctopusEvent(String name, String value, long version, boolean deleted)
{
}
