package dev.shoal.monitor;

import org.agrona.DirectBuffer;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Timeline;
import dev.shoal.monitor.ump.UmpDescriptor;

/**
 * What a monitor and its bindings show on the run's {@link Timeline}: a slice per message handled, named by its
 * record type, with its operation, sender and size, and the end of the message's flow arrow. Kept out of {@link Monitor} so
 * that the message path there has one hook per side. Called only on the monitor's core, and only when the
 * timeline is enabled.
 */
final class MonitorTimeline
{
    private MonitorTimeline()
    {
    }

    /** Handles a monitor message as {@code handle} does, inside a slice. */
    static void deliver(final Monitor monitor, final Runnable handle, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final Core core = monitor.core();
        final Timeline timeline = core.machine().timeline();
        final long start = core.clock().now();
        final long slice = timeline.open(core.id());
        String name = "malformed";
        Object[] args = {"bytes", length};
        long slots = UmpDescriptor.slotsFor(length);
        if (length >= MonitorEnvelope.LENGTH)
        {
            final int typeId = buffer.getInt(offset + MonitorEnvelope.TYPE_ID_OFFSET);
            final int source = buffer.getInt(offset + MonitorEnvelope.SOURCE_OFFSET);
            if (source == core.id())
            {
                slots = 0; // the loopback: a monitor's message to itself fills no ring
            }
            final int destination = buffer.getInt(offset + MonitorEnvelope.DESTINATION_OFFSET);
            final Protocol.MessageType<?> type = monitor.system().config().protocol().byId(typeId);
            if (type != null)
            {
                name = type.type().getSimpleName();
                args = new Object[] {"operation", simpleName(type.operation()), "from", source, "bytes", length};
            }
            if (destination != core.id())
            {
                name = name + " (relay)";
                args = new Object[] {"from", source, "to", destination, "bytes", length};
            }
            else if (type != null && source >= 0 && source < monitor.coreCount())
            {
                timeline.received(core.id(), source, Timeline.MONITOR, start);
            }
        }
        timeline.handled(core.id(), start, slots);
        try
        {
            handle.run();
        }
        finally
        {
            final long end = core.clock().now();
            timeline.slice(core.id(), slice, start, end, name, args);
        }
    }

    /** A message of a binding from {@code peer} on the ring at {@code channel}, handled by {@code handle}. */
    static void receive(final Monitor monitor, final int peer, final long channel, final int length,
        final Runnable handle)
    {
        final Core core = monitor.core();
        final Timeline timeline = core.machine().timeline();
        final long start = core.clock().now();
        final long slice = timeline.open(core.id());
        timeline.received(core.id(), peer, channel, start);
        timeline.handled(core.id(), start, UmpDescriptor.slotsFor(length));
        try
        {
            handle.run();
        }
        finally
        {
            final long end = core.clock().now();
            timeline.slice(core.id(), slice, start, end, "binding message", "from", peer, "bytes", length);
        }
    }

    private static String simpleName(final String className)
    {
        return className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
    }
}
