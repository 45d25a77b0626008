package dev.shoal.libos.octopus;

/**
 * A record of the Octopus store: a name, its value and the store version of the change that wrote it (versions
 * grow by one with every set and every delete, store-wide).
 */
public record OctopusRecord(String name, String value, long version)
{
}
