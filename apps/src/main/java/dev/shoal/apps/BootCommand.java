package dev.shoal.apps;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.Callable;

import dev.shoal.kernel.CoreFailures;
import dev.shoal.kernel.PhysicalMemory;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ump.UmpDescriptor;
import dev.shoal.skb.Skb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal boot}: boots the machine, runs the neighbour exchange through real channels, lingers idle, shuts
 * down. Host wall time, heap and CPU time are measured here, outside the cores.
 */
@Command(name = "boot", mixinStandardHelpOptions = true,
    description = "Boot a simulated machine, exchange a message between neighbouring monitors, shut down.")
final class BootCommand implements Callable<Integer>
{
    /** Longest --linger: a day. Longer is a typo, and 1e300 s would overflow the sleep into a hang. */
    static final int MAX_LINGER_SECONDS = 86_400;

    /**
     * Most --slots: each ring is allocated as one frame from a core's {@code FrameAllocator}, and a frame is at most
     * one chunk. The UMP descriptor itself would allow more ({@link UmpDescriptor#MAX_SLOTS}); a bigger ring made
     * every core's boot task fail and the boot time out after 120 s.
     */
    static final int MAX_SLOTS = Math.min(UmpDescriptor.MAX_SLOTS, PhysicalMemory.CHUNK_SIZE / UmpDescriptor.SLOT_SIZE);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cores", required = true, description = "Number of cores to boot.")
    int cores;

    @Option(names = "--machine", description = "Built-in machine, numa:PxC, or a .pl file " +
        "(default: numa:Px8 with enough packages for --cores).")
    String machine;

    @Option(names = "--linger", defaultValue = "0", description = "Seconds to stay up idle after the workload.")
    double lingerSeconds;

    @Option(names = "--slots", defaultValue = "32", description = "Slots per direction of each UMP channel.")
    int slots;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @CommandLine.Mixin
    ModeOptions mode;

    @Override
    public Integer call() throws Exception
    {
        if (cores < 1)
        {
            throw new BadInputException("--cores must be at least 1: " + cores);
        }
        if (!(lingerSeconds >= 0 && lingerSeconds <= MAX_LINGER_SECONDS))
        {
            throw new BadInputException("--linger must be 0.." + MAX_LINGER_SECONDS + " seconds (one day): " +
                lingerSeconds);
        }
        if (slots < UmpDescriptor.MIN_SLOTS || slots > MAX_SLOTS || Integer.bitCount(slots) != 1)
        {
            throw new BadInputException("--slots must be a power of two in " + UmpDescriptor.MIN_SLOTS + ".." +
                MAX_SLOTS + " (a ring of " + UmpDescriptor.SLOT_SIZE + "-byte slots is one frame of at most " +
                PhysicalMemory.CHUNK_SIZE / 1024 + " KiB): " + slots);
        }
        final String machineSpec = machine != null ? machine : Shoal.defaultMachine(cores);
        final long skbStart = System.nanoTime();
        final Skb skb = Skb.open(machineSpec);
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).channelSlots(slots)
            .runners(mode.runners(spec.commandLine().getParseResult().originalArgs())).build();
        skb.topology();
        final long skbMillis = (System.nanoTime() - skbStart) / 1_000_000;
        final long heapBefore = usedHeapAfterGc();
        final long bootStart = System.nanoTime();
        try (MonitorSystem system = MonitorSystem.start(config))
        {
            final MonitorSystem.BootReport boot = system.awaitBoot(HostBound.of(120, cores));
            final double bootWallMillis = (System.nanoTime() - bootStart) / 1e6;
            final MonitorSystem.ExchangeReport exchange = system.exchangeWithNeighbours(HostBound.of(120, cores));
            final long heapPerCore = Math.max(0, usedHeapAfterGc() - heapBefore) / cores;
            final long cpuBefore = processCpuNanos();
            if (lingerSeconds > 0)
            {
                Thread.sleep(Math.round(lingerSeconds * 1000));
            }
            final long lingerCpuMillis = (processCpuNanos() - cpuBefore) / 1_000_000;
            system.close();
            mode.finish();
            final var out = spec().commandLine().getOut();
            if (json)
            {
                out.println(new Json()
                    .put("status", "ok")
                    .put("cores", boot.cores())
                    .put("machine", skb.machineName())
                    .put("bootWallMillis", Math.round(bootWallMillis * 10) / 10.0)
                    .put("bootCycles", boot.bootCycles())
                    .put("messages", exchange.messages())
                    .put("bootMessages", boot.messages())
                    .put("exchangeCycles", exchange.cycles())
                    .put("skbMillis", skbMillis)
                    .put("heapPerCoreBytes", heapPerCore)
                    .put("lingerSeconds", lingerSeconds)
                    .put("lingerCpuMillis", lingerCpuMillis)
                    .put("malformedMessages", system.malformedMessages())
                    .putRaw("failures", failuresJson(system.machine().failures()))
                    .put("mode", mode.mode())
                    .put("engine", mode.engine())
                    .put("threads", mode.deterministic() ? mode.threads() : null)
                    .put("seed", mode.deterministic() ? mode.seed : null)
                    .put("traceHash", mode.traceHash())
                    .put("traceEvents", mode.traceEvents()));
            }
            else
            {
                out.printf("booted %d cores of %s in %.1f ms wall (SKB %d ms before), %d simulated cycles on core 0%n",
                    boot.cores(), skb.machineName(), bootWallMillis, skbMillis, boot.bootCycles());
                out.printf("neighbour exchange: every core pinged its successor; %d monitor messages in all, " +
                    "done at cycle %d%n", exchange.messages(), exchange.cycles());
                out.printf("heap per core: %.1f KiB; host CPU while lingering %.1f s: %d ms%n",
                    heapPerCore / 1024.0, lingerSeconds, lingerCpuMillis);
                if (mode.deterministic())
                {
                    out.printf("deterministic run, seed %d: %d events, trace hash %s%n", mode.seed,
                        mode.traceEvents(), mode.traceHash());
                }
                out.println("shut down cleanly");
            }
        }
        return 0;
    }

    /** The cores whose handlers or tasks threw, as {@code [{"core":3,"count":1,"last":"handler of ..."}]}. */
    static String failuresJson(final List<CoreFailures> failures)
    {
        final StringBuilder out = new StringBuilder("[");
        for (final CoreFailures f : failures)
        {
            if (out.length() > 1)
            {
                out.append(',');
            }
            out.append(new Json().put("core", f.core()).put("count", f.count()).put("last", f.last()));
        }
        return out.append(']').toString();
    }

    private CommandLine.Model.CommandSpec spec()
    {
        return spec;
    }

    static long usedHeapAfterGc()
    {
        final Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 2; i++)
        {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    static long processCpuNanos()
    {
        final var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun)
        {
            return sun.getProcessCpuTime();
        }
        return 0;
    }
}
