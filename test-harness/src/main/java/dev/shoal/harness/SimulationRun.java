package dev.shoal.harness;

import java.util.List;

/**
 * What a scenario may need to know about its run: the machine, the core count, the seed and the faults injected
 * before it started (in the order they were added).
 */
public record SimulationRun(String machine, int cores, long seed, long jitter, List<InjectedFault> faults)
{
    public SimulationRun
    {
        faults = List.copyOf(faults);
    }

    /** The cores halted by this run's faults, in injection order. */
    public List<Integer> haltedCores()
    {
        return faults.stream().filter(f -> f.kind() == InjectedFault.Kind.HALT).map(InjectedFault::core).toList();
    }

    /** Whether a fault halted {@code core}. */
    public boolean halted(final int core)
    {
        return haltedCores().contains(core);
    }

    /** The call that replays this run alone (the same seed and core count). */
    public String replay()
    {
        return "Simulation.of(\"" + machine + "\").cores(" + cores + ").seeds(" + seed + ", 1)";
    }
}
