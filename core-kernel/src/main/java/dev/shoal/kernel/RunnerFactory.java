package dev.shoal.kernel;

/**
 * How cores get carriers — the machine's execution mode. Live mode ({@link CoreRunner}) starts a dedicated
 * thread per core; deterministic mode ({@link DeterministicScheduler}) gives every core the one thread that steps
 * them all in an order drawn from a seed.
 */
@FunctionalInterface
public interface RunnerFactory
{
    /** The carrier for {@code core}; the core starts it if it is new. */
    Thread carrierFor(Core core);

    /**
     * Delivers a request from the host (a test, the CLI) to {@code core}. Live mode hands it to the core's inbox
     * at once; deterministic mode admits host requests only when every core is idle, so where they land in the
     * run does not depend on host timing.
     */
    default void hostSubmit(final Core core, final Runnable task)
    {
        core.submit(task);
    }

    /** The event trace of this run. */
    default Trace trace()
    {
        return Trace.NONE;
    }

    /** True in deterministic mode, where code on a core must not depend on the host's clock or threads. */
    default boolean isDeterministic()
    {
        return false;
    }

    /** The detector of determinism escapes, or null (live mode, or detection off). Read when a core is made. */
    default EscapeDetector escapeDetector()
    {
        return null;
    }
}
