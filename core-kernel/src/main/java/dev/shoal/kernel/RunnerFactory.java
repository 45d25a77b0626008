package dev.shoal.kernel;

/**
 * How a started core gets a carrier: live mode starts a dedicated thread ({@link CoreRunner}); a deterministic
 * runner would instead register the core with the one thread that steps all cores.
 */
@FunctionalInterface
public interface RunnerFactory
{
    /** The carrier for {@code core}; the core starts it if it is new. */
    Thread carrierFor(Core core);
}
