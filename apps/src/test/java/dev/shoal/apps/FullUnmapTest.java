package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.CostModel;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.kernel.paging.PageTableFormat;
import dev.shoal.kernel.paging.PagingCosts;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;

/**
 * The full unmap of the paper's Figure 7 ({@link FullUnmap}): a real unmap that leaves no core able to reach the
 * page, priced as the shootdown plus the application's way into its monitor and back.
 */
class FullUnmapTest
{
    private static DeterministicScheduler exact()
    {
        return new DeterministicScheduler(1, new TraceRecorder(null)).threads(1);
    }

    @Test
    void shouldLeaveNoCoreAbleToReachThePageWhenTheUnmapReturns() throws Exception
    {
        try (FullUnmap machine = FullUnmap.boot(Skb.open("amd-8x4"), 8, exact()))
        {
            final FullUnmap.Round round = machine.round(ShootdownStrategy.NUMA_MULTICAST);
            assertEquals(8, round.shootdown().cores());
            assertFalse(round.shootdown().timedOut());
            for (int core = 0; core < 8; core++)
            {
                assertEquals("fault", machine.readFrom(core), "core " + core + " after the unmap returned");
            }
        }
    }

    @Test
    void shouldChargeTheCallIntoTheMonitorAndThePageTableChangeOnTopOfTheShootdown() throws Exception
    {
        // Derived from the cost model, not pinned: on every core count the full unmap is the steady shootdown plus
        // the same-core LRPC round trip, the walk to the leaf entry, the monitor's dispatch of the request and the
        // software of the request's slots (a few, as it names the cores).
        final Skb skb = Skb.open("amd-8x4");
        final CostModel costs = CostModel.forLrpc(skb.topology().lrpcCycles());
        final long fixed = costs.lrpcRoundTrip() + PagingCosts.DEFAULT.walk(PageTableFormat.LEVELS) +
            costs.monitorHandler();
        final int[] cores = {2, 32};
        final List<ShootdownStrategy> numa = List.of(ShootdownStrategy.NUMA_MULTICAST);
        final List<UnmapCommand.Point> full = FullUnmap.measure(skb, cores, numa, FullUnmapTest::exact);
        final List<UnmapCommand.Point> shootdown = UnmapCommand.measure(skb, cores, numa, FullUnmapTest::exact);
        for (int i = 0; i < cores.length; i++)
        {
            final long slots = full.get(i).latencyCycles() - shootdown.get(i).latencyCycles() - fixed;
            final long maxSlots = 3 + 4L * cores[i] / 56; // the fixed fields, and 4 bytes per core named
            assertTrue(slots > 0 && slots % CostModel.UMP_SEND_SOFTWARE == 0 &&
                slots / CostModel.UMP_SEND_SOFTWARE <= maxSlots, "at " + cores[i] + " cores: full " +
                full.get(i).latencyCycles() + ", shootdown " + shootdown.get(i).latencyCycles() + ", fixed " + fixed);
        }
    }
}
