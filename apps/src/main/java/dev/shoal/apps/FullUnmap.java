package dev.shoal.apps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.MemoryAccess;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.paging.PageTableFormat;
import dev.shoal.kernel.paging.PageTables;
import dev.shoal.kernel.paging.PagingCosts;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.monitor.UnmapOperation;
import dev.shoal.skb.Skb;

/**
 * Host side of the full unmap (the Multikernel paper's Figure 7; {@link UnmapOperation} says what it charges): one
 * address space that every booted core runs, one 4 KiB page mapped in it and touched by every core (so every TLB
 * holds the translation), and an application dispatcher on core 0 that unmaps the page. Its latency is core 0's
 * clock from the dispatcher's call until it runs again, read by the dispatcher itself.
 */
final class FullUnmap implements AutoCloseable
{
    static final int ASID = 1;
    static final long VADDR = 0x4000_0000L;
    private static final int PAGE = PageTableFormat.PAGE_SIZE;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** One unmap: the dispatcher's cycles for the whole call and the shootdown's own result. */
    record Round(long latencyCycles, ShootdownOperation.Result shootdown)
    {
    }

    private final MonitorSystem system;
    private final UnmapOperation unmap;
    private final AddressSpace space;
    private final long frame;

    private FullUnmap(final MonitorSystem system, final UnmapOperation unmap, final AddressSpace space,
        final long frame)
    {
        this.system = system;
        this.unmap = unmap;
        this.space = space;
        this.frame = frame;
    }

    /** Boots {@code cores} cores of {@code skb} with the shootdown and the unmap, and makes the shared space. */
    static FullUnmap boot(final Skb skb, final int cores, final RunnerFactory runners) throws Exception
    {
        final ShootdownOperation shootdown = new ShootdownOperation();
        final UnmapOperation unmap = new UnmapOperation(shootdown);
        final MonitorConfig config = MonitorConfig.builder(skb).cores(cores).operation(shootdown).operation(unmap)
            .runners(runners).build();
        final MonitorSystem system = MonitorSystem.boot(config, TIMEOUT);
        try
        {
            final long[] tables = on(system, 0, core -> new long[] {core.frames().allocate(PAGE, PAGE),
                core.frames().allocate(PAGE, PAGE)});
            return new FullUnmap(system, unmap, new AddressSpace(ASID, tables[0]), tables[1]);
        }
        catch (final Exception | Error ex)
        {
            system.close();
            throw ex;
        }
    }

    /**
     * Maps the page, has every core touch it, then unmaps it from a dispatcher on core 0 with {@code strategy}.
     * Host side; blocks until the dispatcher has returned.
     */
    Round round(final ShootdownStrategy strategy) throws Exception
    {
        on(system, 0, core -> new PageTables(core.machine().physicalMemory()).map(space.l4Table(), VADDR, frame, PAGE,
            PageTableFormat.PRESENT | PageTableFormat.WRITABLE | PageTableFormat.USER,
            level -> core.frames().allocate(PAGE, PAGE)));
        for (int i = 0; i < system.cores(); i++)
        {
            final int self = i;
            on(system, i, core -> mmu(core).readLong(space, VADDR + 8L * self));
        }
        final int[] all = IntStream.range(0, system.cores()).toArray();
        final long[] cycles = new long[1];
        final ShootdownOperation.Result[] result = new ShootdownOperation.Result[1];
        // Spawned inside the core's duty cycle, so the deterministic scheduler admits it as a host request.
        final Dispatcher user = system.onCore(0, monitor -> monitor.core().spawn("unmap-user", () ->
        {
            final long begin = monitor.core().clock().now();
            result[0] = unmap.unmap(monitor, strategy, space, VADDR, PAGE, all);
            cycles[0] = monitor.core().clock().now() - begin;
        })).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!user.join(TIMEOUT))
        {
            throw new IllegalStateException("the unmap on " + system.cores() + " cores did not return in " + TIMEOUT);
        }
        if (user.failure() != null)
        {
            throw new IllegalStateException("the unmap on " + system.cores() + " cores failed", user.failure());
        }
        return new Round(cycles[0], result[0]);
    }

    /** What core {@code core} reads at the page now: "fault" or "value N". Host side. */
    String readFrom(final int core) throws Exception
    {
        return on(system, core, c ->
        {
            try
            {
                return "value " + mmu(c).readLong(space, VADDR);
            }
            catch (final PageFaultException ex)
            {
                return "fault";
            }
        });
    }

    @Override
    public void close()
    {
        system.close();
    }

    /**
     * The steady-state full unmap per core count and strategy: a fresh machine per core count, two unmaps per
     * strategy, the second measured (the first opens the strategy's channels, as {@link UnmapCommand#measure}).
     */
    static List<UnmapCommand.Point> measure(final Skb skb, final int[] coreCounts,
        final List<ShootdownStrategy> strategies, final Supplier<RunnerFactory> runners) throws Exception
    {
        final List<UnmapCommand.Point> points = new ArrayList<>();
        for (final int n : coreCounts)
        {
            try (FullUnmap machine = boot(skb, n, runners.get()))
            {
                for (final ShootdownStrategy s : strategies)
                {
                    machine.round(s);
                    final Round r = machine.round(s);
                    points.add(new UnmapCommand.Point(n, s, r.latencyCycles(), r.shootdown().messages()));
                }
            }
        }
        return points;
    }

    private static MemoryAccess mmu(final Core core)
    {
        return MemoryAccess.forCore(core, core.tlb(), PagingCosts.DEFAULT);
    }

    private static <T> T on(final MonitorSystem system, final int core, final Function<Core, T> f) throws Exception
    {
        return system.onCore(core, m -> f.apply(m.core())).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
