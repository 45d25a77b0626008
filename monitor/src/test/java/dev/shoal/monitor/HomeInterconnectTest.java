package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.shoal.skb.Skb;
import dev.shoal.skb.Topology;

/**
 * The ports of a line's home: HyperTransport links with broadcast probes on the AMD machines, front-side buses on the
 * Intel one. Home core 0 throughout; only queueing is charged, the idle transaction's latency being in the line
 * transfers already.
 */
class HomeInterconnectTest
{
    private static HomeInterconnect home(final String machine)
    {
        return new HomeInterconnect(Skb.open(machine).topology(), 0);
    }

    @Test
    void shouldChargeNothingForATransactionOnIdlePorts()
    {
        for (final String machine : new String[] {"amd-2x2", "amd-4x4", "amd-8x4", "intel-2x4"})
        {
            final Topology topology = Skb.open(machine).topology();
            for (int requester = 0; requester < topology.coreCount(); requester++)
            {
                for (final int owner : new int[] {0, topology.coreCount() - 1})
                {
                    // A fresh home each time, and each transaction long after the last: the ports are idle.
                    assertEquals(0, new HomeInterconnect(topology, 0).delay(0, 0, requester, owner),
                        machine + ": core " + requester + " from " + owner);
                }
            }
        }
    }

    @Test
    void shouldQueueConcurrentTransactionsAtTheHomesLinkPorts()
    {
        // amd-8x4: cores 4..7 are on package 1, next to the home's. Each line leaves by the port toward package 1
        // (34 cycles a line) after the transaction's probes are answered, so lines answered together queue there.
        final HomeInterconnect ports = home("amd-8x4");
        long previous = -1;
        for (int requester = 4; requester < 8; requester++)
        {
            final long delay = ports.delay(0, 0, requester, 0);
            assertTrue(delay > previous, "core " + requester + ": " + delay + " after " + previous);
            previous = delay;
        }
        assertTrue(previous >= 3 * 34, "the fourth line waits for the three before it: " + previous);
    }

    @Test
    void shouldMakeALocalTransactionWaitForTheFarthestPackagesProbeBehindABusyPort()
    {
        // amd-8x4, no probe filter: a transaction between two cores of the home's own package still probes every
        // other package. Transaction A (for core 4, package 1) is answered at 154: its slowest probe, to package 5
        // two hops away by the port toward package 1, leaves third on that port (4 cycles each), is back 2 x 2 x 35
        // later and in 2 after. Its line then holds that port for 34 cycles. Transaction B, between cores 1 and 0,
        // starts at 154: its probes to packages 1, 2 and 5 wait behind A's line, and the farthest of them, 5,
        // answers 34 cycles late, so B waits 34 although its line crosses no link.
        final Topology topology = Skb.open("amd-8x4").topology();
        final HomeInterconnect ports = new HomeInterconnect(topology, 0);
        assertEquals(0, ports.delay(0, 0, 4, 0));
        assertEquals(topology.linkCycles(Topology.DATA_PACKET_BYTES), ports.delay(154, 154, 1, 0));
        assertEquals(0, ports.delay(300, 300, 1, 0), "once the port is free again B pays nothing");
    }

    @Test
    void shouldHideANearPackagesLateProbeBehindTheFarthestPackagesRoundTrip()
    {
        // amd-8x4 again. Transaction A, for core 16 on package 4, is answered at 154 and its line holds the port
        // toward package 4 for [154, 188). Transaction B, between cores 1 and 0, starts at 150: its probe to
        // package 3 leaves by that port at once, its probe to package 4 (one hop) waits for A's line, 34 cycles,
        // and still returns before the probes to the packages two hops away, which left on time: B waits for the
        // farthest package, and so pays nothing for the near one's queue.
        final HomeInterconnect ports = home("amd-8x4");
        assertEquals(0, ports.delay(0, 0, 16, 0));
        assertEquals(0, ports.delay(150, 150, 1, 0));
    }

    @Test
    void shouldQueueLinesAtTheFrontSideBusOfEachPackageTheyCross()
    {
        // intel-2x4: cores 0,1 | 2,3 share an L2 (package 0); 4,5 | 6,7 (package 1). A line costs a bus 16 cycles.
        final HomeInterconnect buses = home("intel-2x4");
        assertEquals(0, buses.delay(0, 0, 6, 4), "between the dies of package 1: its bus, idle");
        assertEquals(16, buses.delay(0, 0, 7, 5), "the same bus at the same time: waits for the first line");
        assertEquals(0, buses.delay(0, 0, 3, 0), "package 0's bus is another bus");
        assertEquals(0, buses.delay(0, 0, 5, 4), "within a shared L2: no bus");
        // From 100, every earlier line done: a line from package 0 to package 1 holds bus 0 for [100, 116) and
        // bus 1 for [116, 132); a second one, between other dies, waits 16 on bus 0 and so holds bus 1 at [132, 148).
        assertEquals(0, buses.delay(100, 100, 6, 2));
        assertEquals(16, buses.delay(100, 100, 7, 3));
        assertEquals(0, buses.delay(100, 100, 4, 6), "package 1's bus is still free for [100, 116)");
    }

    @Test
    void shouldChargeNothingForASlotLineOnIdlePorts()
    {
        // A ring in core 0's memory, written by core 0 and read by another core, or written by another and read by
        // core 0: on idle ports neither the writer's invalidation nor the reader's fetch queues.
        for (final String machine : new String[] {"amd-2x2", "amd-4x4", "amd-8x4", "intel-2x4"})
        {
            final Topology topology = Skb.open(machine).topology();
            for (int peer = 1; peer < topology.coreCount(); peer++)
            {
                final long transfer = topology.lineTransfer(0, peer);
                final HomeInterconnect written = new HomeInterconnect(topology, 0);
                assertEquals(0, written.slotLine(0, 0, transfer, 0, peer), machine + ": core 0 to " + peer);
                assertEquals(0, written.writeQueueing(), machine + ": core 0 to " + peer);
                final HomeInterconnect read = new HomeInterconnect(topology, 0);
                assertEquals(0, read.slotLine(0, 0, transfer, peer, 0), machine + ": core " + peer + " to 0");
                assertEquals(0, read.writeQueueing(), machine + ": core " + peer + " to 0");
            }
        }
    }

    @Test
    void shouldQueueTheSlotLinesThatOneHomeFansOutAtItsPort()
    {
        // amd-8x4: core 0 writes one slot line into each of the rings in its memory that cores 4..7 (package 1)
        // read, all at once, as a unicast fan-out does. Each invalidation broadcasts probes (its writer is on the
        // home's package, so no line leaves), and each fetch's line leaves by the port toward package 1, 34 cycles
        // each: the fetches answered together queue there, each line later than the one before.
        final Topology topology = Skb.open("amd-8x4").topology();
        final HomeInterconnect ports = home("amd-8x4");
        final long data = topology.linkCycles(Topology.DATA_PACKET_BYTES);
        long previous = -1;
        for (int reader = 4; reader < 8; reader++)
        {
            final long queued = ports.slotLine(0, 0, topology.lineTransfer(0, reader), 0, reader);
            assertTrue(queued > previous, "core " + reader + ": " + queued + " after " + previous);
            assertTrue(ports.writeQueueing() <= queued, "the invalidation's queueing is part of the line's");
            previous = queued;
        }
        assertTrue(previous >= 3 * data, "the fourth line waits for the three before it: " + previous);
        // Long after, the port is free again: the next line pays nothing.
        assertEquals(0, ports.slotLine(10_000, 10_000, 10_000 + topology.lineTransfer(0, 4), 0, 4));
    }
}
