package dev.shoal.apps.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.monitor.CapabilityOperation;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.skb.Skb;

/**
 * Revoke of a capability with a copy on every other core: core 0 retypes a 16 KiB frame from its RAM, sends a
 * copy to cores 1..N-1, then revokes it (the monitors' mark-and-sweep two-phase commit). The latency is read from
 * core 0's clock, from the call to revoke until its future completes (on core 0, when the last sweep is
 * confirmed).
 */
public final class RevokeWorkload implements Workload
{
    private static final int FRAME_SLOT = 2;
    private static final long FRAME_BYTES = 4 * 4096;

    @Override
    public String description()
    {
        return "Revoke of a capability copied to every core (mark-and-sweep two-phase commit).";
    }

    @Override
    public String name()
    {
        return "revoke";
    }

    @Override
    public int minCores()
    {
        return 2;
    }

    @Override
    public List<String> variants(final Skb skb, final int cores)
    {
        return List.of("mark-sweep");
    }

    private record Timed(long cycles, CapabilityOperation.RevokeResult result)
    {
    }

    @Override
    public List<Sample> measure(final Skb skb, final int cores, final String variant,
        final Supplier<RunnerFactory> runners) throws Exception
    {
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).runners(runners.get()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(120)))
        {
            system.onCore(0, m ->
            {
                final CSpace init = m.core().initCSpace();
                m.core().caps().retype(init, CSpace.BOOT_RAM_CPTR, CapType.FRAME, 0, FRAME_BYTES, 1,
                    init.cptr(0, FRAME_SLOT));
                return null;
            }).get(60, TimeUnit.SECONDS);
            for (int c = 1; c < cores; c++)
            {
                final int to = c;
                system.onCore(0, m -> CapabilityOperation.send(m, m.core().initCSpace(),
                    m.core().initCSpace().cptr(0, FRAME_SLOT), to)).get(60, TimeUnit.SECONDS)
                    .get(60, TimeUnit.SECONDS);
            }
            final long start = System.nanoTime();
            final Timed t = system.onCore(0, m ->
            {
                final long begin = m.now();
                final CompletableFuture<CapabilityOperation.RevokeResult> f = CapabilityOperation.revoke(m,
                    m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME_SLOT));
                return f.thenApply(r -> new Timed(m.now() - begin, r));
            }).get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
            final long hostNanos = System.nanoTime() - start;
            if (!t.result().unresponsive().isEmpty())
            {
                throw new IllegalStateException("revoke on " + cores + " cores: cores " + t.result().unresponsive() +
                    " did not answer");
            }
            return List.of(Sample.cycles("revoke-latency", t.cycles()),
                new Sample("remote-deleted", "capabilities", t.result().remoteDeleted(), true),
                Sample.host("host-latency", "us", hostNanos / 1000.0));
        }
    }
}
