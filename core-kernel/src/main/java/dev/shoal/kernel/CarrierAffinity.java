package dev.shoal.kernel;

import java.util.BitSet;

import net.openhft.affinity.Affinity;

/**
 * Pins a live-mode carrier to one host CPU ({@code --pin}), through OpenHFT's affinity library; the one class
 * that uses it. A carrier pins itself when it starts, keeps the mask it had and puts it back when it ends, so a
 * thread that is reused afterwards does not stay pinned.
 *
 * <p>Core {@code i} goes to host CPU {@code i mod H}, where H counts the CPUs the process may run on: with more
 * cores than host CPUs, cores share CPUs round robin. Where the host cannot set affinity (no JNA), {@link #pin}
 * changes nothing and returns null, and the carrier runs unpinned.
 */
public final class CarrierAffinity
{
    private CarrierAffinity()
    {
    }

    /** The host CPUs this process may run on, lowest first. */
    public static int[] allowedCpus()
    {
        final BitSet mask = Affinity.getAffinity();
        final int[] cpus = new int[mask.cardinality()];
        for (int i = 0, cpu = mask.nextSetBit(0); cpu >= 0; cpu = mask.nextSetBit(cpu + 1))
        {
            cpus[i++] = cpu;
        }
        return cpus;
    }

    /**
     * Pins the calling thread to one CPU of {@code allowed}, chosen by {@code core}.
     *
     * @return the thread's mask before, for {@link #restore}; null when the host cannot pin (nothing changed).
     */
    public static BitSet pin(final int core, final int[] allowed)
    {
        if (allowed.length == 0 || !Affinity.isJNAAvailable())
        {
            return null;
        }
        final BitSet before = Affinity.getAffinity();
        Affinity.setAffinity(allowed[core % allowed.length]);
        return before;
    }

    /** Gives the calling thread back the mask {@link #pin} returned. */
    public static void restore(final BitSet before)
    {
        if (before != null)
        {
            Affinity.setAffinity(before);
        }
    }

    /** The calling thread's current mask. */
    public static BitSet current()
    {
        return Affinity.getAffinity();
    }
}
