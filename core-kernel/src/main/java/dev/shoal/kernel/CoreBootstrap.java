package dev.shoal.kernel;

/**
 * What a core runs first when it is started: in Shoal, the monitor's initialisation. The boot argument is one
 * machine word handed over with the start-up IPI (Barrelfish passes the physical address of the URPC frame shared
 * with the booting core the same way).
 */
@FunctionalInterface
public interface CoreBootstrap
{
    /** Runs on the started core's carrier before anything else. */
    void start(Core core, long bootArgument);
}
