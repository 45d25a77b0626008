package dev.shoal.kernel;

/**
 * What went wrong on one core: how many of its tasks, events and message handlers threw (each contained, see
 * {@link Core#fail}) and the line reported for the last one ({@code handler of Ask from core 3 failed: ...}).
 */
public record CoreFailures(int core, long count, String last)
{
}
