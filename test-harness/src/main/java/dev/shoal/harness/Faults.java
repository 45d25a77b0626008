package dev.shoal.harness;

/**
 * Faults for simulations. What each built-in protocol guarantees under them is documented in docs/faults.md.
 */
public final class Faults
{
    private Faults()
    {
    }

    /** Core {@code core} halts: its carrier stops stepping it and its channels stop draining. */
    public static Fault halt(final int core)
    {
        return (system, random) ->
        {
            final long cycle = system.machine().core(core).clock().now();
            system.machine().core(core).halt();
            return new InjectedFault(InjectedFault.Kind.HALT, core, -1, 0, cycle, "core " + core + " halted");
        };
    }

    /** A core other than 0, drawn from the seed, halts. */
    public static Fault haltRandomCore()
    {
        return (system, random) -> system.cores() < 2 ?
            new InjectedFault(InjectedFault.Kind.NONE, -1, -1, 0, 0, "no core halted (one core)") :
            halt(1 + random.nextInt(system.cores() - 1)).inject(system, random);
    }

    /** Core {@code core} becomes slow: every cost charged to its clock is multiplied by {@code factor}. */
    public static Fault slow(final int core, final long factor)
    {
        return (system, random) ->
        {
            system.machine().core(core).clock().slowDown(factor);
            return new InjectedFault(InjectedFault.Kind.SLOW, core, -1, factor,
                system.machine().core(core).clock().now(), "core " + core + " slowed " + factor + "x");
        };
    }

    /** Messages from {@code from} reach {@code to} {@code cycles} later than the link's latency. */
    public static Fault delay(final int from, final int to, final int cycles)
    {
        return (system, random) ->
        {
            system.peekMonitor(to).delayFrom(from, cycles);
            return new InjectedFault(InjectedFault.Kind.DELAY, to, from, cycles, system.machine().core(to).clock().now(),
                "channel " + from + "->" + to + " delayed " + cycles + " cycles");
        };
    }

    /** The monitor of {@code core} restarts, losing its replicated state. */
    public static Fault restartMonitor(final int core)
    {
        return (system, random) ->
        {
            system.peekMonitor(core).restart();
            return new InjectedFault(InjectedFault.Kind.RESTART_MONITOR, core, -1, 0,
                system.machine().core(core).clock().now(), "monitor " + core + " restarted");
        };
    }
}
