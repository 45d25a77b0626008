package dev.shoal.kernel;

/**
 * What a miss to memory costs on one machine: the cycles core {@code core} stalls to read a line from the DRAM of
 * core {@code homeCore}'s node. The machine description supplies it (the SKB's {@code Topology.memoryLatency});
 * a machine built without one does not model memory misses.
 *
 * <p>Threading: machine-wide and read-only, called from any core.
 */
@FunctionalInterface
public interface MemoryLatency
{
    long cycles(int core, int homeCore);
}
