package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.shoal.skb.Skb;
import dev.shoal.skb.Topology;

/**
 * The machine's interconnect as shared hardware: HyperTransport links with broadcast probes on the AMD machines,
 * front-side buses on the Intel one, memory controllers per node. Only queueing is charged, the idle transaction's
 * latency being in the line transfers already; and every home's transactions meet on the same links, buses and
 * controllers.
 */
class InterconnectTest
{
    private static final String[] MACHINES = {"amd-2x2", "amd-4x4", "amd-8x4", "intel-2x4"};

    private static Interconnect machine(final String name)
    {
        return new Interconnect(Skb.open(name).topology());
    }

    @Test
    void shouldChargeNothingForATransactionOnAnIdleMachine()
    {
        for (final String name : MACHINES)
        {
            final Topology topology = Skb.open(name).topology();
            for (int home = 0; home < topology.coreCount(); home += 3)
            {
                for (int requester = 0; requester < topology.coreCount(); requester++)
                {
                    for (final int owner : new int[] {home, topology.coreCount() - 1})
                    {
                        // A fresh machine each time: every link, bus and controller idle.
                        assertEquals(0, new Interconnect(topology).delay(0, 0, home, requester, owner),
                            name + ": home " + home + ", core " + requester + " from " + owner);
                    }
                }
            }
        }
    }

    @Test
    void shouldQueueConcurrentTransactionsAtTheHomesLinks()
    {
        // amd-8x4: cores 4..7 are on package 1, next to the home's. Each line leaves by the link toward package 1
        // (34 cycles a line) after the transaction's probes are answered, so lines answered together queue there.
        final Interconnect links = machine("amd-8x4");
        long previous = -1;
        for (int requester = 4; requester < 8; requester++)
        {
            final long delay = links.delay(0, 0, 0, requester, 0);
            assertTrue(delay > previous, "core " + requester + ": " + delay + " after " + previous);
            previous = delay;
        }
        assertTrue(previous >= 3 * 34, "the fourth line waits for the three before it: " + previous);
    }

    @Test
    void shouldQueueTheTransactionsOfTwoHomesOfOnePackageOnTheSameLinks()
    {
        // amd-8x4: cores 0 and 1 share package 0. Core 1's memory is the home of a line core 4 fetches from it at
        // the same time as core 0's memory serves one to core 5: both lines leave by package 0's link to package 1,
        // and both broadcasts go out on package 0's links, so the second transaction waits.
        final Interconnect shared = machine("amd-8x4");
        assertEquals(0, shared.delay(0, 0, 0, 5, 0));
        final long second = shared.delay(0, 0, 1, 4, 1);
        assertTrue(second >= machineLine("amd-8x4"), "the second home's line waits for the first's: " + second);
        assertEquals(0, machine("amd-8x4").delay(0, 0, 1, 4, 1), "alone, the same transaction pays nothing");
    }

    @Test
    void shouldQueueAPacketOnLinksBeyondItsHomesOwn()
    {
        // amd-8x4 is a twisted ladder (package i linked to i-1, i+1, i+4): package 2 is two hops from package 0,
        // by package 1. Core 4's memory (package 1) serves twenty lines to core 8 (package 2), loading the links
        // between packages 1 and 2 both ways. Then core 0's memory serves one line to core 8 (its request and its
        // line cross those links) and, on a copy of the same traffic, one to core 5 (package 1: neither its
        // request nor its line crosses them). The first pays more: links that are not its home's queue it too.
        final Topology topology = Skb.open("amd-8x4").topology();
        assertEquals(1, topology.firstHop(0, 2));
        final Interconnect toPackage2 = new Interconnect(topology);
        final Interconnect toPackage1 = new Interconnect(topology);
        for (int i = 0; i < 20; i++)
        {
            toPackage2.delay(0, 0, 4, 8, 4);
            toPackage1.delay(0, 0, 4, 8, 4);
        }
        final long across = toPackage2.delay(0, 0, 0, 8, 0);
        final long short_ = toPackage1.delay(0, 0, 0, 5, 0);
        assertTrue(across > short_, "through package 1 to 2: " + across + ", to package 1 only: " + short_);
    }

    @Test
    void shouldQueueTheRequestOnItsWayToTheHome()
    {
        // amd-2x2: two packages (cores 0,1 | 2,3), one link each way. Core 0's memory serves ten lines to core 2,
        // which hold the link toward package 1. Then core 2's memory serves a line to core 1 (package 0: its
        // request crosses toward package 1, behind the ten lines) and, on a copy of the same traffic, to core 3
        // (package 1: no request crosses a link). Both broadcasts are the same; the first pays more.
        final Interconnect remote = machine("amd-2x2");
        final Interconnect local = machine("amd-2x2");
        for (int i = 0; i < 10; i++)
        {
            remote.delay(0, 0, 0, 2, 0);
            local.delay(0, 0, 0, 2, 0);
        }
        final long fromPackage0 = remote.delay(0, 0, 2, 1, 2);
        final long fromPackage1 = local.delay(0, 0, 2, 3, 2);
        assertTrue(fromPackage0 > fromPackage1, "request across the busy link: " + fromPackage0 + ", none: " +
            fromPackage1);
    }

    @Test
    void shouldShareANodesMemoryControllerBetweenItsHomesAndTheSlotLines(@TempDir final Path dir) throws IOException
    {
        // amd-4x4 described without link bandwidth: only the memory controllers can queue (13 cycles a line).
        final Topology topology = Skb.open(withoutLinkBandwidth("amd-4x4", dir).toString()).topology();
        final long line = topology.homeOccupancyCycles();
        assertEquals(13, line);
        final Interconnect controllers = new Interconnect(topology);
        assertEquals(0, controllers.delay(0, 0, 0, 5, 0));
        assertEquals(line, controllers.delay(0, 0, 1, 6, 1), "core 1's memory is on core 0's node");
        assertEquals(0, controllers.delay(0, 0, 4, 6, 4), "core 4's memory is on the next node");
        // A slot line of a ring in core 2's memory (node 0 too): its invalidation and its fetch each take a line of
        // the controller, behind the two transactions above.
        assertEquals(2 * line, controllers.slotLine(0, 0, 0, 2, 2, 9));
        assertEquals(2 * line, controllers.writeQueueing());
    }

    @Test
    void shouldMakeALocalTransactionWaitForItsProbesBehindABusyLink()
    {
        // amd-8x4, no probe filter: a transaction between two cores of the home's own package still probes every
        // other package and waits for the last response. Lines for cores of package 1 hold the link toward it;
        // then a transaction between cores 1 and 0 waits, although its own line crosses no link.
        final Interconnect links = machine("amd-8x4");
        for (int requester = 4; requester < 8; requester++)
        {
            links.delay(0, 0, 0, requester, 0);
        }
        final long local = links.delay(0, 150, 0, 1, 0);
        assertTrue(local > 0, "behind four lines on the link toward package 1: " + local);
        assertEquals(0, links.delay(0, 5_000, 0, 1, 0), "once the links are free again it pays nothing");
    }

    @Test
    void shouldQueueLinesAtTheFrontSideBusOfEachPackageTheyCross()
    {
        // intel-2x4: cores 0,1 | 2,3 share an L2 (package 0); 4,5 | 6,7 (package 1). A line costs a bus 16 cycles.
        final Interconnect buses = machine("intel-2x4");
        assertEquals(0, buses.delay(0, 0, 0, 6, 4), "between the dies of package 1: its bus, idle");
        assertEquals(16, buses.delay(0, 0, 0, 7, 5), "the same bus at the same time: waits for the first line");
        assertEquals(0, buses.delay(0, 0, 0, 3, 0), "package 0's bus is another bus");
        assertEquals(0, buses.delay(0, 0, 0, 5, 4), "within a shared L2: no bus");
        // From 100, every earlier line done: a line from package 0 to package 1 holds bus 0 for [100, 116) and
        // bus 1 for [116, 132); a second one, between other dies, waits 16 on bus 0 and so holds bus 1 at [132, 148).
        assertEquals(0, buses.delay(100, 100, 0, 6, 2));
        assertEquals(16, buses.delay(100, 100, 0, 7, 3));
        assertEquals(0, buses.delay(100, 100, 0, 4, 6), "package 1's bus is still free for [100, 116)");
        // Another home's line on the same bus queues too: the bus is the package's, not the home's.
        assertEquals(0, buses.delay(200, 200, 4, 6, 4));
        assertEquals(16, buses.delay(200, 200, 0, 7, 5));
    }

    @Test
    void shouldChargeNothingForASlotLineOnAnIdleMachine()
    {
        // A ring in core 0's memory, written by core 0 and read by another core, or written by another and read by
        // core 0: on an idle machine neither the writer's invalidation nor the reader's fetch queues.
        for (final String name : MACHINES)
        {
            final Topology topology = Skb.open(name).topology();
            for (int peer = 1; peer < topology.coreCount(); peer++)
            {
                final long transfer = topology.lineTransfer(0, peer);
                final Interconnect written = new Interconnect(topology);
                assertEquals(0, written.slotLine(0, 0, transfer, 0, 0, peer), name + ": core 0 to " + peer);
                assertEquals(0, written.writeQueueing(), name + ": core 0 to " + peer);
                final Interconnect read = new Interconnect(topology);
                assertEquals(0, read.slotLine(0, 0, transfer, 0, peer, 0), name + ": core " + peer + " to 0");
                assertEquals(0, read.writeQueueing(), name + ": core " + peer + " to 0");
            }
        }
    }

    @Test
    void shouldQueueTheSlotLinesThatOneHomeFansOut()
    {
        // amd-8x4: core 0 writes one slot line into each of the rings in its memory that cores 4..7 (package 1)
        // read, all at once, as a unicast fan-out does. Each fetch's line leaves by the link toward package 1,
        // 34 cycles each: the fetches answered together queue there, each line later than the one before.
        final Topology topology = Skb.open("amd-8x4").topology();
        final Interconnect links = new Interconnect(topology);
        long previous = -1;
        for (int reader = 4; reader < 8; reader++)
        {
            final long queued = links.slotLine(0, 0, topology.lineTransfer(0, reader), 0, 0, reader);
            assertTrue(queued > previous, "core " + reader + ": " + queued + " after " + previous);
            assertTrue(links.writeQueueing() <= queued, "the invalidation's queueing is part of the line's");
            previous = queued;
        }
        assertTrue(previous >= 3 * machineLine("amd-8x4"), "the fourth line waits for the three before: " + previous);
        // Long after, the links are free again: the next line pays nothing.
        assertEquals(0, links.slotLine(10_000, 10_000, 10_000 + topology.lineTransfer(0, 4), 0, 0, 4));
    }

    @Test
    void shouldForgetReservationsThatNoLaterBookingCanMeet()
    {
        final Interconnect links = machine("amd-8x4");
        for (int requester = 4; requester < 32; requester++)
        {
            links.delay(0, 0, 0, requester, 0);
        }
        final int held = links.reservations();
        assertTrue(held > 28, "every transaction's packets are held: " + held);
        links.delay(1_000_000, 1_000_000, 0, 4, 0);
        assertTrue(links.reservations() < 40, "only the last transaction's are left: " + links.reservations());
    }

    private static long machineLine(final String name)
    {
        return Skb.open(name).topology().linkCycles(Topology.DATA_PACKET_BYTES);
    }

    /** The built-in description {@code machine} without {@code link_bandwidth/1}. */
    private static Path withoutLinkBandwidth(final String machine, final Path dir) throws IOException
    {
        final String description;
        try (InputStream in = Skb.class.getResourceAsStream("/dev/shoal/skb/machines/" + machine + ".pl"))
        {
            description = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return Files.writeString(dir.resolve(machine + "-no-links.pl"), description.lines()
            .filter(line -> !line.startsWith("link_bandwidth(")).collect(Collectors.joining("\n", "", "\n")));
    }
}
