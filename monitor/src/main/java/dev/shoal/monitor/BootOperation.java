package dev.shoal.monitor;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.collections.Int2IntHashMap;

import dev.shoal.kernel.Core;
import dev.shoal.skb.RoutingTree;

/**
 * Boot: core 0's monitor asks the SKB for a NUMA-aware tree over the cores to boot and starts its children; every
 * monitor starts its own children the same way, so boot fans out in parallel along the tree. A core reports
 * {@link CoreReady} to its parent once its whole subtree is ready; boot completes when core 0 has heard from all.
 *
 * <p>Starting a child: the parent allocates the two rings of their channel and a one-line boot frame (parent id,
 * ring size, ring addresses) from its own memory, writes the frame, and starts the child with the frame's address
 * as the boot argument (the start-up IPI). It then sends {@link BootCore} with the child's subtree, which waits in
 * the ring until the child's monitor polls it.
 */
public final class BootOperation implements MonitorOperation
{
    /** Parent → child: the child's subtree as parallel arrays (core, its parent). */
    public record BootCore(int[] cores, int[] parents)
    {
    }

    /** Child → parent: this many cores (the child's subtree) are ready; they have sent this many messages. */
    public record CoreReady(int cores, long messages)
    {
    }

    /** Missing-value marker of the parent map (-1 is a real value there: the root's parent). */
    private static final int UNKNOWN = Integer.MIN_VALUE;
    private static final int FRAME_PARENT = 0;
    private static final int FRAME_SLOTS = 4;
    private static final int FRAME_TX = 8;
    private static final int FRAME_RX = 16;
    private static final int FRAME_BYTES = 64;

    /** Core-local boot progress. */
    static final class BootState
    {
        int waitingForChildren;
        int readyCores = 1;
        long readyMessages;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(BootCore.class, BootOperation::onBootCore);
        protocol.message(CoreReady.class, BootOperation::onCoreReady);
    }

    /** Runs on core 0 when it starts: computes the tree from the SKB and boots core 0's children. */
    static void startRoot(final Monitor monitor)
    {
        final int cores = monitor.coreCount();
        final RoutingTree tree = monitor.system().config().skb().multicastTree(0, cores);
        final int[] all = new int[cores];
        final int[] parents = new int[cores];
        for (int c = 0; c < cores; c++)
        {
            all[c] = c;
            parents[c] = tree.parent(c);
        }
        startSubtree(monitor, all, parents);
    }

    /** Runs on a non-boot core when it starts: maps the boot frame and connects to the parent. */
    static void startChild(final Monitor monitor, final long bootFrame)
    {
        final AtomicBuffer frame = monitor.system().machine().physicalMemory().map(bootFrame, FRAME_BYTES);
        final int parent = frame.getInt(FRAME_PARENT);
        final int slots = frame.getInt(FRAME_SLOTS);
        // The parent transmits on its tx ring, so that is our receive ring.
        monitor.addLink(parent, frame.getLong(FRAME_RX), frame.getLong(FRAME_TX), slots);
    }

    private static void onBootCore(final Monitor monitor, final int from, final BootCore boot)
    {
        startSubtree(monitor, boot.cores(), boot.parents());
    }

    /** Learns the routes below this core and boots its children with their own subtrees. */
    private static void startSubtree(final Monitor monitor, final int[] cores, final int[] parents)
    {
        final int self = monitor.coreId();
        final Int2IntHashMap parentOf = new Int2IntHashMap(UNKNOWN);
        for (int i = 0; i < cores.length; i++)
        {
            parentOf.put(cores[i], parents[i]);
        }
        final List<Integer> children = new ArrayList<>();
        final int[] viaChild = new int[cores.length];
        for (int i = 0; i < cores.length; i++)
        {
            viaChild[i] = childTowards(self, cores[i], parentOf);
            if (parents[i] == self)
            {
                children.add(cores[i]);
            }
        }
        monitor.setRoutes(parentOf.get(self), children, cores, viaChild);

        final BootState state = monitor.local(BootState.class, BootState::new);
        state.waitingForChildren = children.size();
        for (final int child : children)
        {
            int n = 0;
            for (int i = 0; i < cores.length; i++)
            {
                n += viaChild[i] == child ? 1 : 0;
            }
            final int[] subCores = new int[n];
            final int[] subParents = new int[n];
            for (int i = 0, j = 0; i < cores.length; i++)
            {
                if (viaChild[i] == child)
                {
                    subCores[j] = cores[i];
                    subParents[j++] = parents[i];
                }
            }
            bootChild(monitor, child, subCores, subParents);
        }
        if (children.isEmpty())
        {
            reportReady(monitor, state);
        }
    }

    /** The child of {@code self} on the path to {@code core}, or -1 when {@code core} is not below {@code self}. */
    private static int childTowards(final int self, final int core, final Int2IntHashMap parentOf)
    {
        int c = core;
        int guard = parentOf.size();
        while (c != -1 && c != UNKNOWN && guard-- >= 0)
        {
            final int p = parentOf.get(c);
            if (p == self)
            {
                return c;
            }
            c = p;
        }
        return -1;
    }

    private static void bootChild(final Monitor monitor, final int child, final int[] cores, final int[] parents)
    {
        final Core core = monitor.core();
        final int slots = monitor.system().config().channelSlots();
        final RingPair rings = RingPair.allocate(core, slots);
        final long frameAddress = core.frames().allocate(FRAME_BYTES);
        final AtomicBuffer frame = monitor.system().machine().physicalMemory().map(frameAddress, FRAME_BYTES);
        frame.putInt(FRAME_PARENT, core.id());
        frame.putInt(FRAME_SLOTS, slots);
        frame.putLong(FRAME_TX, rings.forward());
        frame.putLong(FRAME_RX, rings.backward());
        monitor.addLink(child, rings.forward(), rings.backward(), slots);
        monitor.send(child, new BootCore(cores, parents));
        // The channel's first message publishes the frame's contents with a release store before the IPI, which
        // reaches the child after the link's latency, like a message.
        monitor.system().machine().start(child, frameAddress,
            monitor.now() + monitor.system().topology().latency(core.id(), child));
    }

    private static void onCoreReady(final Monitor monitor, final int from, final CoreReady ready)
    {
        final BootState state = monitor.local(BootState.class, BootState::new);
        state.readyCores += ready.cores();
        state.readyMessages += ready.messages();
        if (--state.waitingForChildren == 0)
        {
            reportReady(monitor, state);
        }
    }

    private static void reportReady(final Monitor monitor, final BootState state)
    {
        if (monitor.parent() == -1)
        {
            monitor.system().bootComplete(state.readyCores, monitor.now(), state.readyMessages + monitor.messagesSent());
        }
        else
        {
            monitor.send(monitor.parent(), new CoreReady(state.readyCores, state.readyMessages + monitor.messagesSent() + 1));
        }
    }
}
