package dev.shoal.monitor;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.PhysicalMemory;
import dev.shoal.monitor.ump.UmpEndpoint;

/**
 * The two rings of a duplex UMP channel, allocated from the physical memory of the core that opens the channel.
 * Only their physical addresses travel to the other side, in a message, the way Barrelfish passes a frame
 * capability; each side then maps the same memory.
 *
 * @param forward  ring the opener transmits on (the peer receives on it).
 * @param backward ring the peer transmits on.
 */
record RingPair(long forward, long backward, int slots)
{
    static RingPair allocate(final Core core, final int slots)
    {
        final int bytes = slots * 64;
        return new RingPair(core.frames().allocate(bytes), core.frames().allocate(bytes), slots);
    }

    /**
     * Connects {@code self}'s end: transmit on {@code tx}, receive on {@code rx}; the doorbell wakes the peer naming
     * {@code tx}, the ring it receives on, so that its pump looks at this channel only.
     */
    static UmpEndpoint connect(final MonitorSystem system, final int self, final int peer, final long tx,
        final long rx, final int slots)
    {
        final PhysicalMemory memory = system.machine().physicalMemory();
        final int bytes = slots * 64;
        final UmpEndpoint endpoint = UmpEndpoint.connect(memory.map(tx, bytes), memory.map(rx, bytes));
        system.machine().noteRing(tx, bytes, peer);
        final dev.shoal.kernel.Machine machine = system.machine();
        if (machine.isLocal(peer))
        {
            endpoint.doorbell(machine.core(peer).doorbell(tx));
        }
        else
        {
            // The peer runs in another partition's JVM: the doorbell travels there (docs/partitions.md).
            endpoint.doorbell(() -> machine.wake(peer, tx));
        }
        return endpoint;
    }
}
