package dev.shoal.apps.bench;

import java.util.List;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.skb.Skb;

/**
 * An experiment that {@code shoal bench} sweeps across core counts and {@code shoal run NAME} runs once: it boots a
 * machine, measures, and returns samples. The built-in workloads ({@code unmap}, {@code boot}, {@code urpc}, ...)
 * implement it like any user's. A user's workload is a public class with a public no-argument constructor, listed
 * in a {@code META-INF/services/dev.shoal.apps.bench.Workload} file of its jar; {@code --classpath JAR} makes the
 * commands find it ({@code shoal workloads --classpath JAR} lists it).
 *
 * <p>One step measures one variant (a strategy, a distance) at one core count and boots its own machine, so steps
 * do not disturb each other and a deterministic step gives the same cycles every time. A step builds its machine
 * with the runner it is given — {@code MonitorConfig.builder(skb).cores(cores).runners(runners.get())} — so the
 * same workload runs live or on the exact engine ({@code --mode}), and its seed, jitter and trace are the
 * command's. Called on the host thread of the command, one step at a time.
 */
public interface Workload
{
    /** The name on the command line: lower case letters, digits and '-', unique among the available workloads. */
    String name();

    /** One line saying what is measured, for {@code shoal workloads}. */
    String description();

    /** Fewest cores the workload can run on; smaller core counts of a sweep are skipped. */
    default int minCores()
    {
        return 1;
    }

    /**
     * The monitor operations this workload registers on its machines (for {@code shoal protocol}, which lists
     * their messages). Fresh instances; none by default.
     */
    default List<MonitorOperation> operations()
    {
        return List.of();
    }

    /** The variants measured at this core count (one line of each plot per variant). */
    List<String> variants(Skb skb, int cores);

    /**
     * Boots a fresh machine of {@code cores} cores with a runner from {@code runners}, measures one variant and
     * shuts the machine down. Samples from a core's cycle clock are {@link Sample#cycles}; host measurements
     * {@link Sample#host}. The first sample is the one a progress line shows.
     */
    List<Sample> measure(Skb skb, int cores, String variant, Supplier<RunnerFactory> runners) throws Exception;
}
