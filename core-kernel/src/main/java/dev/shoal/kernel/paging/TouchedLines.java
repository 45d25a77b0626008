package dev.shoal.kernel.paging;

import java.util.Objects;

import dev.shoal.kernel.MemoryLatency;
import dev.shoal.kernel.PhysicalMemory;
import org.agrona.collections.LongHashSet;

/**
 * The 64-byte lines one core has read or written through its {@link MemoryAccess}: what its caches hold, for the
 * one purpose of telling a first touch from a later one. A line the core never touched is in none of its caches,
 * so touching it is a miss to memory, priced by the machine's {@link MemoryLatency} from the core to the line's home
 * node (the node of the core whose region holds it, {@link PhysicalMemory#homeCore}). A touched line stays: no
 * capacity, no eviction, no invalidation by another core's write, so only cold misses are charged.
 *
 * <p>Threading: core-local, like the core's TLB. Only code running on the owning core calls it.
 */
public final class TouchedLines
{
    /** log2 of the line size. */
    public static final int LINE_SHIFT = 6;

    private final int core;
    private final MemoryLatency latency;
    private final LongHashSet lines = new LongHashSet();

    public TouchedLines(final int core, final MemoryLatency latency)
    {
        this.core = core;
        this.latency = Objects.requireNonNull(latency, "latency");
    }

    /**
     * Touches the line of {@code physical}.
     *
     * @return the cycles of the miss to memory when the core never touched the line before, else -1.
     */
    public long touch(final long physical)
    {
        return lines.add(physical >>> LINE_SHIFT) ? latency.cycles(core, PhysicalMemory.homeCore(physical)) : -1;
    }

    /** Touches every line of {@code [physical, physical + length)}; the cycles of the misses (0 if all were warm). */
    public long touch(final long physical, final int length)
    {
        long cycles = 0;
        for (long line = physical >>> LINE_SHIFT, last = (physical + length - 1) >>> LINE_SHIFT; line <= last; line++)
        {
            cycles += Math.max(0, touch(line << LINE_SHIFT));
        }
        return cycles;
    }

    /** How many distinct lines the core has touched. */
    public int size()
    {
        return lines.size();
    }
}
