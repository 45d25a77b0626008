package dev.shoal.harness;

/**
 * A fault as a simulation injected it, as values: what, on which core, when. A scenario receives the run's faults
 * ({@link SimulationRun#faults()}) instead of parsing their descriptions.
 *
 * @param kind        what happened.
 * @param core        the core it happened to (the receiving core of a delayed channel), or -1 when none.
 * @param peer        the other core of a delayed channel (its sender), else -1.
 * @param amount      the slow-down factor or the extra delay in cycles; 0 for the others.
 * @param cycle       the affected core's simulated clock when the fault was injected (0 when there is no core).
 * @param description the fault in words, as failure messages show it.
 */
public record InjectedFault(Kind kind, int core, int peer, long amount, long cycle, String description)
{
    /** Kinds of fault. */
    public enum Kind
    {
        /** The core stopped: it handles nothing more. */
        HALT,
        /** Every cost charged to the core's clock is multiplied by {@code amount}. */
        SLOW,
        /** Messages from {@code peer} reach {@code core} {@code amount} cycles late. */
        DELAY,
        /** The core's monitor restarted and lost its replicated state. */
        RESTART_MONITOR,
        /** A fault that chose to do nothing (e.g. no core to halt on a one-core machine). */
        NONE,
        /** A fault of the user's own, known only by its description. */
        OTHER
    }

    /** A user's fault that is described only in words. */
    public static InjectedFault other(final String description)
    {
        return new InjectedFault(Kind.OTHER, -1, -1, 0, 0, description);
    }

    @Override
    public String toString()
    {
        return description;
    }
}
