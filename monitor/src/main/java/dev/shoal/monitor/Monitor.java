package dev.shoal.monitor;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.CoreService;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.PhysicalMemory;
import dev.shoal.kernel.Timers;
import dev.shoal.kernel.Trace;
import dev.shoal.monitor.ump.UmpDescriptor;
import dev.shoal.monitor.ump.UmpEndpoint;
import dev.shoal.monitor.ump.UmpHandler;

/**
 * The monitor of one core: holds this core's replica of global state and talks to other monitors only through
 * UMP channels. It is a {@link CoreService}: the CPU driver polls it every duty cycle, on the core's carrier.
 *
 * <p>Every inter-monitor message starts with a {@link MonitorEnvelope} (message id, source and destination
 * core) after the UMP layer's send time. A monitor that receives a
 * message for another core forwards the bytes unchanged along the routing tree it learnt at boot (towards the
 * child whose subtree holds the destination, else to its parent), so N cores need not have N² channels; a
 * direct channel is opened on demand by {@link #ensureLink(int)}.
 *
 * <p>Threading: every method is called only on this monitor's core — by its handlers, or by dispatchers of the
 * same core (which the carrier never runs concurrently with the monitor).
 */
public final class Monitor implements CoreService
{
    private static final int POLL_LIMIT = 16;
    /** Live mode looks at the rendezvous page every 64th duty cycle: openings are rare, the idle cycle is hot. */
    private static final int RENDEZVOUS_POLL_MASK = 63;
    /** What a monitor without operation state holds (most cores of a big machine, most of the time). */
    private static final Class<?>[] NO_KEYS = {};
    private static final Object[] NO_STATE = {};

    private final Core core;
    private final MonitorSystem system;
    private final Protocol protocol;
    private final Trace trace;
    private final dev.shoal.kernel.Timeline timeline;

    private final Int2ObjectHashMap<MonitorLink> linksByPeer = new Int2ObjectHashMap<>();
    /** Every direct channel, in the order they were opened: what the duty cycle polls. */
    private MonitorLink[] links = new MonitorLink[2];
    private int linkCount;
    private final List<ChannelPoller> pollers = new ArrayList<>(2);
    private final Loopback loopback;
    /** Channels other cores opened to this one around the routing tree ({@link #openDirect}). */
    private final Rendezvous rendezvous;
    private int dutyCycles;
    private long lmpBindings;
    /** Exact mode: how to pump each channel, by the address of the ring this core receives on (its doorbell key). */
    private final Long2ObjectHashMap<Runnable> pumpByRing = new Long2ObjectHashMap<>();
    /** Channels from each peer so far, numbering each channel's jitter stream. */
    private final Int2IntHashMap channelsFrom = new Int2IntHashMap(0);
    private final Int2IntHashMap routeViaChild = new Int2IntHashMap(-1);
    private int parent = -1;
    /** The destination {@link #nextHop} answered last, when it has a direct channel, and that channel; -1 for none. */
    private int lastHopTo = -1;
    private MonitorLink lastHop;
    /** The type of the message handled last: a core often receives one type many times in a row. */
    private Protocol.MessageType<?> lastReceivedType;
    /** The class of the message last sent and its type: a core answering one kind of message sends one kind. */
    private Class<?> lastSentClass;
    private Protocol.MessageType<?> lastSentType;
    private final List<Integer> children = new ArrayList<>(4);

    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();
    /**
     * Operations' core-local state: the key classes and, at the same index, their state. A few operations keep state
     * on a core, so a scan by identity finds it sooner than a hash would.
     */
    private Class<?>[] localKeys = NO_KEYS;
    private Object[] locals = NO_STATE;
    private int localCount;
    private final Long2ObjectHashMap<PendingCall> calls = new Long2ObjectHashMap<>();
    private long nextRequestId = 1;

    private long messagesSent;
    private long messagesReceived;
    private long messagesForwarded;
    private long malformedDropped;
    private int restarts;

    private final UmpHandler inbound = this::onChannelMessage;
    private MonitorLink receivingFrom;
    private final Int2IntHashMap extraDelay = new Int2IntHashMap(0);
    private long arrivalCycle;
    /**
     * When this core's store buffer has committed its last slot write (x86 commits stores in program order, so a
     * core's writes to lines other caches hold leave one coherence transfer at a time): core-local occupancy.
     */
    private long storesCommitted;
    /**
     * When each of this core's miss buffers is next free: a line fetch takes one for one line transfer, so
     * independent fetches overlap up to their number ({@code Topology.missBuffers}). Kept in ascending order as a
     * ring from {@link #missBufferHead}, so the buffer free first is at the head and a fetch usually goes back in at
     * the end without a search. Core-local.
     */
    private final long[] missBufferFree;
    private int missBufferHead;
    /**
     * The machine's interconnect, through which the slot lines of the rings in this core's memory pass, or null:
     * only the exact engine has one, and only where the description gives the links, buses or memory controllers a
     * bandwidth. Queueing at a link is a property of the order in which transfers meet it, which live mode leaves
     * to the host (its figures are approximate wherever messages contend, docs/engine.md); and booking a line costs
     * some thirty reservations (a probe to every package and back), ten times the rest of a message's host time,
     * which live mode's round trip cannot afford.
     */
    private final Interconnect interconnect;

    Monitor(final Core core, final MonitorSystem system)
    {
        this.core = core;
        this.system = system;
        this.protocol = system.config().protocol();
        this.trace = core.trace();
        this.timeline = core.machine().timeline();
        this.loopback = new Loopback();
        this.interconnect = system.interconnect();
        this.missBufferFree = new long[system.topology().missBuffers()];
        this.rendezvous = new Rendezvous(system.machine().physicalMemory(), core.id());
        pumpByRing.put(PhysicalMemory.rendezvous(core.id()), () -> pollRendezvous(true));
    }

    // ---------------------------------------------------------------- identity and state

    public int coreId()
    {
        return core.id();
    }

    public Core core()
    {
        return core;
    }

    /** The machine-wide view every monitor shares read-only: topology, configuration, host hooks. */
    public MonitorSystem system()
    {
        return system;
    }

    /** Cores booted on this machine. */
    public int coreCount()
    {
        return system.config().cores();
    }

    /** The current simulated cycle of this core. */
    public long now()
    {
        return core.clock().now();
    }

    /**
     * Core-local state of an operation, created on first use: each monitor holds its own replica, so handlers
     * read and write it without synchronisation.
     */
    @SuppressWarnings("unchecked")
    public <S> S local(final Class<S> key, final Supplier<S> initial)
    {
        final Class<?>[] keys = localKeys;
        for (int i = 0, n = localCount; i < n; i++)
        {
            if (keys[i] == key)
            {
                return (S)locals[i];
            }
        }
        final S value = initial.get();
        if (localCount == localKeys.length)
        {
            localKeys = Arrays.copyOf(localKeys, Math.max(4, 2 * localCount));
            locals = Arrays.copyOf(locals, Math.max(4, 2 * localCount));
        }
        localKeys[localCount] = key;
        locals[localCount++] = value;
        return value;
    }

    public int parent()
    {
        return parent;
    }

    public List<Integer> children()
    {
        return children;
    }

    /**
     * The cores of the routing tree below this core that are reached through {@code child} ({@code child} included),
     * in ascending order; empty when {@code child} is not a child of this core.
     */
    public int[] subtreeOf(final int child)
    {
        if (!children.contains(child))
        {
            return new int[0];
        }
        final IntArrayList cores = new IntArrayList();
        cores.addInt(child);
        routeViaChild.forEach((c, via) ->
        {
            if (via == child && c != child)
            {
                cores.addInt(c);
            }
        });
        final int[] sorted = cores.toIntArray();
        Arrays.sort(sorted);
        return sorted;
    }

    public long messagesSent()
    {
        return messagesSent;
    }

    public long messagesReceived()
    {
        return messagesReceived;
    }

    public long messagesForwarded()
    {
        return messagesForwarded;
    }

    public long malformedDropped()
    {
        return malformedDropped;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends a registered message to the monitor of {@code toCore}: over a direct channel if there is one, else
     * along the routing tree; to itself through a loopback queue handled in the next duty cycle. Never blocks: a
     * full channel keeps the message in the channel's outbound queue. Charges the slot writes to this core's clock
     * and stamps the message with the clock after them. A message that fits one slot of a channel with room is
     * encoded straight into the slot, as the hardware's stores would be: nothing is copied.
     */
    public <M> void send(final int toCore, final M message)
    {
        if (toCore != core.id())
        {
            final MonitorLink hop = nextHop(toCore);
            final UmpEndpoint endpoint = hop.endpoint();
            final int slot = endpoint.claim();
            if (slot >= 0)
            {
                writer.resetInto(endpoint.txBuffer(), slot, UmpDescriptor.FIRST_FRAGMENT_CAPACITY);
                final int length = encodeMessage(toCore, message);
                chargeSlotWrites(length);
                final long stamp = commitSlots(hop.peer(), hop.txHome(), hop.transferCycles(), linesFor(length),
                    core.clock().now());
                if (writer.inPlace())
                {
                    endpoint.commit(stamp, length);
                }
                else
                {
                    endpoint.send(stamp, writer.buffer(), 0, length); // it outgrew the slot
                }
                return;
            }
        }
        final int length = encode(toCore, message);
        chargeSlotWrites(length);
        transmit(toCore, writer.buffer(), 0, length, core.clock().now());
    }

    /**
     * Sends like {@link #send} but charges nothing and takes {@code sendCycle} as the moment the message's line is
     * ready to leave, outside this core's store buffer: for operations that model a line's occupancy themselves
     * (e.g. one shared cache line read by many cores in turn). The message's stamp is that moment plus the line's
     * transfer to the next hop. It may lie in this core's future, never in its past: the engine orders events by
     * time, and a message cannot have left before the sender got to send it.
     *
     * @throws IllegalArgumentException when {@code sendCycle} is earlier than this core's clock.
     */
    public <M> void sendStamped(final int toCore, final M message, final long sendCycle)
    {
        if (sendCycle < core.clock().now())
        {
            throw new IllegalArgumentException("monitor " + core.id() + " cannot send a message stamped " + sendCycle +
                ", before its clock (" + core.clock().now() + ")");
        }
        final int length = encode(toCore, message);
        if (toCore == core.id())
        {
            loopback.add(sendCycle, writer.buffer(), 0, length);
            return;
        }
        // The caller modelled when the line is ready to go (e.g. its turn on a line many cores read): the line
        // then moves to the peer's cache, outside this core's store buffer.
        final MonitorLink hop = nextHop(toCore);
        final long lines = linesFor(length);
        final Interconnect ports = hop.txHome() ? interconnect : null;
        long stamp = sendCycle + hop.transferCycles() * lines;
        if (ports != null)
        {
            // The ring is in this core's memory: each line's move to the peer passes this core's ports as a
            // transaction of the peer's, and what it queues there makes the line later.
            stamp = sendCycle;
            for (long s = lines; s > 0; s--)
            {
                stamp += ports.delay(core, stamp, core.id(), hop.peer(), core.id()) + hop.transferCycles();
            }
        }
        hop.endpoint().send(stamp, writer.buffer(), 0, length);
    }

    /**
     * Sends a coherence message ({@link Protocol.Builder#coherenceMessage}): one leg of a cache-coherence transaction
     * that the calling operation models, arriving at {@code arrival} on {@code toCore}. It charges this core nothing
     * and goes around neither the store buffer nor the miss buffers: the caller's arrival already holds the leg's
     * line transfer, and the receiver pays no fetch, software or dispatch for it. It travels as bytes in a slot of
     * the direct channel to {@code toCore}, like every message, so the coherence state it carries stays core-local.
     *
     * @throws IllegalStateException    when there is no direct channel to {@code toCore} ({@link #ensureLink}).
     * @throws IllegalArgumentException when the message is not a coherence message, or {@code arrival} is sooner
     *                                  than one line transfer from this core's clock (no leg is faster, and the
     *                                  exact engine's windows rely on it).
     */
    public <M> void sendCoherence(final int toCore, final M message, final long arrival)
    {
        final MonitorLink link = linksByPeer.get(toCore);
        if (link == null)
        {
            throw new IllegalStateException("monitor " + core.id() + " has no direct channel to core " + toCore +
                " for a coherence message");
        }
        if (!protocol.typeOf(message).coherence())
        {
            throw new IllegalArgumentException(message.getClass().getSimpleName() + " is not a coherence message");
        }
        final long earliest = core.clock().now() + system.topology().lineTransfer(core.id(), toCore);
        if (arrival < earliest)
        {
            throw new IllegalArgumentException("monitor " + core.id() + " cannot have a coherence message reach core " +
                toCore + " at " + arrival + ", sooner than one line transfer from its clock (" + earliest + ")");
        }
        final int length = encode(toCore, message);
        link.endpoint().send(arrival, writer.buffer(), 0, length);
    }

    /** The protocol's type with {@code typeId}, or null; the last one asked for is kept. */
    private Protocol.MessageType<?> typeById(final int typeId)
    {
        Protocol.MessageType<?> type = lastReceivedType;
        if (type == null || type.id() != typeId)
        {
            type = protocol.byId(typeId);
            lastReceivedType = type;
        }
        return type;
    }

    /** Whether the {@code length} bytes at {@code offset} are a coherence message for this core. */
    private boolean isCoherence(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!protocol.hasCoherenceMessages() || length < MonitorEnvelope.LENGTH ||
            buffer.getInt(offset + MonitorEnvelope.DESTINATION_OFFSET) != core.id())
        {
            return false;
        }
        final Protocol.MessageType<?> type = typeById(buffer.getInt(offset + MonitorEnvelope.TYPE_ID_OFFSET));
        return type != null && type.coherence();
    }

    /** {@link Protocol#typeOf}, with the last answer kept. */
    @SuppressWarnings("unchecked")
    private <M> Protocol.MessageType<M> sentTypeOf(final M message)
    {
        final Class<?> c = message.getClass();
        if (c != lastSentClass)
        {
            lastSentType = protocol.typeOf(message);
            lastSentClass = c;
        }
        return (Protocol.MessageType<M>)lastSentType;
    }

    private <M> int encode(final int toCore, final M message)
    {
        writer.reset();
        return encodeMessage(toCore, message);
    }

    /** Encodes the envelope and {@code message} where {@link #writer} was reset to; counts and records the send. */
    private <M> int encodeMessage(final int toCore, final M message)
    {
        final Protocol.MessageType<M> type = sentTypeOf(message);
        final int header = writer.reserve(MonitorEnvelope.LENGTH);
        writer.buffer().putInt(header + MonitorEnvelope.TYPE_ID_OFFSET, type.id());
        writer.buffer().putInt(header + MonitorEnvelope.SOURCE_OFFSET, core.id());
        writer.buffer().putInt(header + MonitorEnvelope.DESTINATION_OFFSET, toCore);
        type.codec().encode(message, writer);
        messagesSent++;
        if (trace.enabled())
        {
            trace.record(core.id(), core.clock().now(), Trace.Event.SEND, toCore, Integer.toUnsignedLong(type.id()));
        }
        if (timeline.enabled())
        {
            timeline.sent(core.id(), toCore, dev.shoal.kernel.Timeline.MONITOR, core.clock().now());
        }
        return writer.length();
    }

    private void transmit(final int toCore, final DirectBuffer buffer, final int offset, final int length,
        final long sendCycle)
    {
        if (toCore == core.id())
        {
            loopback.add(sendCycle, buffer, offset, length);
            return;
        }
        final MonitorLink hop = nextHop(toCore);
        hop.endpoint().send(commitSlots(hop.peer(), hop.txHome(), hop.transferCycles(), linesFor(length), sendCycle),
            buffer, offset, length);
    }

    /**
     * The transport's hardware part on the sending side: {@code slots} slot lines written for {@code peer} from
     * {@code from} leave this core's store buffer one after another, each one line transfer to the peer's cache
     * (the invalidation of its copy: {@code transfer} cycles, {@code Topology.lineTransfer}), after every earlier
     * slot write of this core. Returns when the last one is committed: the message's send stamp. The sender's
     * clock does not wait (the store buffer does); a core that writes faster than lines move sees its stamps fall
     * behind — throughput comes from this occupancy. Core-local. Stores are not overlapped the way fetches are
     * ({@link #fetchSlots}): x86 makes them visible in program order, and the model takes the store at the head of
     * the buffer to hold the later ones until its line is owned.
     *
     * <p>When the ring is in this core's memory ({@code ringHome}), each line's two transactions pass the machine's
     * interconnect ({@link Interconnect}) and pay their queueing there: the invalidation from the line's
     * turn in the store buffer (a later ownership holds the buffer), the peer's fetch from the line's commit (the
     * earliest it can be fetched; a later answer makes the stamp later). On an idle machine both cost nothing.
     */
    long commitSlots(final int peer, final boolean ringHome, final long transfer, final long slots, final long from)
    {
        long at = Math.max(from, storesCommitted);
        final Interconnect ports = ringHome ? interconnect : null;
        if (ports == null)
        {
            at += transfer * slots;
            storesCommitted = at;
            return at;
        }
        long visible = at;
        for (long s = slots; s > 0; s--)
        {
            final long queued = ports.slotLine(core, at, at + transfer, core.id(), core.id(), peer);
            visible = Math.max(visible, at + transfer + queued);
            at += transfer + ports.writeQueueing();
        }
        storesCommitted = at;
        return Math.max(at, visible);
    }

    /**
     * The transport's hardware part on the receiving side: this core fetches the message's {@code length} bytes of
     * slot lines, each {@code transfer} cycles ({@link #lineFetch}: written by {@code peer} in its ring's home's
     * memory), one line after another (one ring
     * is read at its head, in order), the first no earlier than {@code arrival} (when it was written) nor than
     * {@code ringFree} (when the ring's previous message was taken: the poll of the next slot follows it). Each
     * fetch takes a free miss buffer for {@code transfer} cycles; fetches of other rings overlap with it
     * up to the miss buffers, and with whatever this core runs meanwhile: a core polling many rings keeps their
     * independent loads in flight. Returns when the last line has arrived; the caller's clock stalls until then
     * and then pays the software ({@link #receiveSoftware}). Core-local.
     *
     * <p>When the ring is in this core's memory ({@code ringHome}), each line's two transactions pass the machine's
     * interconnect ({@link Interconnect}), booked when the fetch starts: the peer's invalidation, taken
     * to have ended then (one line transfer earlier; the peer, not the home, does not book it), and the fetch. What
     * they queue there holds the miss buffer and makes the line later. On an idle machine both cost nothing.
     */
    long fetchSlots(final int peer, final boolean ringHome, final long transfer, final int length,
        final long arrival, final long ringFree)
    {
        long at = Math.max(arrival, ringFree);
        final Interconnect ports = ringHome ? interconnect : null;
        if (ports == null)
        {
            for (long s = linesFor(length); s > 0; s--)
            {
                at = occupyMissBuffer(at, transfer);
            }
            return at;
        }
        final long written = system.topology().lineTransfer(peer, core.id());
        for (long s = linesFor(length); s > 0; s--)
        {
            final long start = Math.max(at, missBufferFree[missBufferHead]);
            final long queued = ports.slotLine(core, start - written, start, core.id(), peer, core.id());
            at = occupyMissBuffer(start, transfer + queued);
        }
        return at;
    }

    /** The receiver's software for a message of {@code length} bytes once its lines are here: poll check and copy. */
    long receiveSoftware(final int length)
    {
        return core.costs().umpReceiveSlot() * linesFor(length);
    }

    /** The sender's software for writing the slots of a message of {@code length} bytes. */
    private void chargeSlotWrites(final int length)
    {
        core.clock().advance(core.costs().umpSendSlot() * linesFor(length));
    }

    /** What one line fetch costs this core: a line {@code peer} wrote in the memory of {@code homeCore}'s node. */
    long lineFetch(final int peer, final int homeCore)
    {
        return system.topology().lineFetch(core.id(), peer, homeCore);
    }

    /** Takes the miss buffer free first, no earlier than {@code from}, for {@code transfer}; returns when it is done. */
    private long occupyMissBuffer(final long from, final long transfer)
    {
        final long[] free = missBufferFree;
        final int last = free.length - 1;
        final int head = missBufferHead;
        final long done = Math.max(from, free[head]) + transfer;
        // The head leaves the ring's front and its slot becomes the ring's end; done goes in where it belongs,
        // later fetches usually being the latest, so usually right there.
        final int first = head == last ? 0 : head + 1;
        missBufferHead = first;
        int at = head;
        int before = at == 0 ? last : at - 1;
        while (at != first && free[before] > done)
        {
            free[at] = free[before];
            at = before;
            before = at == 0 ? last : at - 1;
        }
        free[at] = done;
        return done;
    }

    /** The node whose memory holds the ring at {@code ringAddress}, named by the core whose region it lies in. */
    static int homeCoreOf(final long ringAddress)
    {
        return (int)(ringAddress >>> PhysicalMemory.CORE_SHIFT);
    }

    /** Messages a monitor sends itself: handled at their send time, after what this core is doing now. */
    private final class Loopback extends dev.shoal.kernel.EventSource
    {
        private final ChannelInbox inbox = new ChannelInbox(0, () -> 0, null, 0)
            .observedBy(core.machine().timeline(), core.id(), false, core.clock().now());

        Loopback()
        {
            super(core, Kind.MESSAGES, core.id());
        }

        void add(final long sendCycle, final DirectBuffer buffer, final int offset, final int length)
        {
            inbox.append(inbox.arrival(sendCycle), buffer, offset, length);
            changed();
        }

        int size()
        {
            return inbox.size();
        }

        @Override
        public long headTime()
        {
            return inbox.headArrival();
        }

        @Override
        protected void handleHead()
        {
            arrivalCycle = inbox.headArrival();
            core.clock().observe(arrivalCycle);
            try
            {
                deliver(inbox.buffer(), inbox.headOffset(), inbox.headLength());
            }
            finally
            {
                inbox.pop();
            }
        }
    }

    /**
     * Cache lines the cost model charges for a message of {@code length} bytes: what the message takes on the
     * hardware, {@link UmpDescriptor#PAYLOAD_SIZE} bytes per 64-byte slot (at least one). The simulator's own send
     * time, which travels in the first slot ({@link UmpDescriptor#slotsFor}), is bookkeeping of the simulation, not
     * part of the message: it must not cost a line (a 56-byte request would otherwise pay two).
     */
    static long linesFor(final int length)
    {
        if (length <= UmpDescriptor.PAYLOAD_SIZE)
        {
            return 1; // nearly every message: no division
        }
        return (length + UmpDescriptor.PAYLOAD_SIZE - 1) / UmpDescriptor.PAYLOAD_SIZE;
    }

    private MonitorLink nextHop(final int toCore)
    {
        if (toCore == lastHopTo)
        {
            return lastHop;
        }
        MonitorLink link = linksByPeer.get(toCore);
        if (link != null)
        {
            lastHopTo = toCore;
            lastHop = link;
            return link;
        }
        final int child = routeViaChild.get(toCore);
        final int hop = child != -1 ? child : parent;
        link = hop == -1 ? null : linksByPeer.get(hop);
        if (link == null)
        {
            throw new IllegalStateException("monitor " + core.id() + " has no route to core " + toCore);
        }
        return link;
    }

    /** Whether a direct channel to {@code peer} exists. */
    public boolean hasLink(final int peer)
    {
        return linksByPeer.containsKey(peer);
    }

    /**
     * Makes sure a direct channel to {@code peer} exists: if not, allocates its two rings from this core's
     * physical memory, starts using them, and tells the peer (along the tree) where they are. Messages sent
     * earlier along the tree reach the peer before it learns of the channel, so per-pair order holds.
     */
    public void ensureLink(final int peer)
    {
        if (peer == core.id() || linksByPeer.containsKey(peer))
        {
            return;
        }
        final RingPair rings = RingPair.allocate(core, system.config().channelSlots());
        send(peer, new BuiltinOperations.LinkOpen(rings.forward(), rings.backward(), rings.slots()));
        addLink(peer, rings.forward(), rings.backward(), rings.slots());
    }

    /**
     * Opens a direct channel to {@code peer} without the routing tree, for reaching a core whose path along the tree
     * runs through a halted one: allocates the rings from this core's memory, as {@link #ensureLink} does, and leaves
     * their addresses on the peer's rendezvous page (kernel memory at an address every core knows) instead of sending
     * them along the tree. Charges one slot write. A halted peer finds the channel if it ever runs again.
     *
     * @throws IllegalStateException when the peer's rendezvous page is full ({@value Rendezvous#CAPACITY} openings
     *                               it has not looked at).
     */
    public void openDirect(final int peer)
    {
        if (peer == core.id() || linksByPeer.containsKey(peer))
        {
            return;
        }
        final RingPair rings = RingPair.allocate(core, system.config().channelSlots());
        if (!Rendezvous.post(system.machine().physicalMemory(), peer,
            new Rendezvous.Opening(core.id(), rings.slots(), rings.forward(), rings.backward())))
        {
            throw new IllegalStateException("monitor " + core.id() + " cannot open a channel to core " + peer +
                ": its rendezvous page holds " + Rendezvous.CAPACITY + " openings it has not looked at");
        }
        core.clock().advance(core.costs().umpSendSlot());
        addLink(peer, rings.forward(), rings.backward(), rings.slots());
        // Live mode's Dekker handshake: the opening must be visible before the peer's sleep word is read.
        VarHandle.fullFence();
        system.machine().wake(peer, PhysicalMemory.rendezvous(peer));
    }

    /**
     * Connects the channels other cores left on this core's rendezvous page; returns how many. In exact mode
     * ({@code pump}) also pumps each new channel, whose opener may have written to it already; live, the duty cycle
     * polls it with the others. Carrier only.
     */
    private int pollRendezvous(final boolean pump)
    {
        int opened = 0;
        Rendezvous.Opening opening;
        while ((opening = rendezvous.poll()) != null)
        {
            opened++;
            if (!linksByPeer.containsKey(opening.opener()))
            {
                // The opener transmits on its tx ring, so that is our receive ring.
                final MonitorLink link = connectLink(opening.opener(), opening.openerRx(), opening.openerTx(),
                    opening.slots());
                if (pump)
                {
                    pumpLink(link);
                }
            }
        }
        return opened;
    }

    /** Registers a channel whose rings were allocated (by either side): we transmit on tx, receive on rx. */
    MonitorLink addLink(final int peer, final long txAddress, final long rxAddress, final int slots)
    {
        final MonitorLink link = connectLink(peer, txAddress, rxAddress, slots);
        // The peer may have written to the ring before this side knew of it (boot's first message): look at once.
        core.wake();
        return link;
    }

    private MonitorLink connectLink(final int peer, final long txAddress, final long rxAddress, final int slots)
    {
        final UmpEndpoint endpoint = RingPair.connect(system, core.id(), peer, txAddress, rxAddress, slots);
        final MonitorLink link = new MonitorLink(this, peer, endpoint, inboxFrom(peer), homeCoreOf(txAddress),
            homeCoreOf(rxAddress));
        linksByPeer.put(peer, link);
        lastHopTo = -1; // a new direct channel may replace a route along the tree
        if (linkCount == links.length)
        {
            links = Arrays.copyOf(links, 2 * linkCount);
        }
        links[linkCount++] = link;
        pumpByRing.put(rxAddress, () -> pumpLink(link));
        return link;
    }

    /** The receiving side of a new channel from {@code peer}: its latency and its own jitter stream. */
    ChannelInbox inboxFrom(final int peer)
    {
        final int serial = channelsFrom.get(peer);
        channelsFrom.put(peer, serial + 1);
        // Latency 0: the send stamp already holds the line's transfer (commitSlots), the receiver pays its fetch.
        return new ChannelInbox(0, () -> extraDelay.isEmpty() ? 0 : extraDelay.get(peer),
            core.machine().channelJitter(peer, core.id(), serial), core.machine().jitter())
            .observedBy(timeline, core.id(), true, core.clock().now());
    }

    /** Records the routing tree below this core: {@code viaChild[i]} is the child through which core i is reached. */
    void setRoutes(final int parent, final List<Integer> children, final int[] cores, final int[] viaChild)
    {
        this.parent = parent;
        this.children.clear();
        this.children.addAll(children);
        for (int i = 0; i < cores.length; i++)
        {
            if (viaChild[i] != -1)
            {
                routeViaChild.put(cores[i], viaChild[i]);
            }
        }
    }

    /**
     * Two fresh keys (this and the next number) naming the directions of a new same-core LMP binding on the
     * timeline: just above {@link dev.shoal.kernel.Timeline#MONITOR}, so never a ring's address (positive) nor the
     * monitors' key. This core only.
     */
    long newLmpTimelineKeys()
    {
        return dev.shoal.kernel.Timeline.MONITOR + 2 + 2L * lmpBindings++;
    }

    /** Adds a channel poller (e.g. an application binding's endpoint) to this core's waitset. */
    public void addPoller(final ChannelPoller poller)
    {
        pollers.add(poller);
        core.wake();
    }

    /** Adds an application binding that receives on the ring at {@code rxAddress} (its doorbell key). */
    void addBinding(final UmpBinding binding, final long rxAddress)
    {
        pumpByRing.put(rxAddress, binding::pump);
        addPoller(binding);
    }

    // ---------------------------------------------------------------- time and faults

    /**
     * Runs {@code task} on this core once its clock has advanced {@code delayCycles} (simulated time); returns the
     * timer, which the caller may cancel once it is no longer needed. A delay past the end of the clock saturates
     * at {@link Long#MAX_VALUE}, a deadline that never comes (it neither fires nor lets idle time pass to it).
     *
     * @throws IllegalArgumentException when {@code delayCycles} is negative.
     */
    public Timers.Timer after(final long delayCycles, final Runnable task)
    {
        if (delayCycles < 0)
        {
            throw new IllegalArgumentException("a timer delay of " + delayCycles + " cycles: not negative");
        }
        final long now = core.clock().now();
        return core.timers().at(delayCycles > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayCycles, task);
    }

    /**
     * Fault injection: messages from {@code peer} arrive {@code cycles} later than the link's latency says (a
     * slow channel), on every channel from it: the monitor's and the applications' bindings. Called on this core
     * (or while it is paused).
     */
    public void delayFrom(final int peer, final int cycles)
    {
        if (cycles < 0)
        {
            throw new IllegalArgumentException("a channel delay of " + cycles + " cycles: not negative");
        }
        timeline.fault(core, "delay", "from", peer, "cycles", cycles);
        if (cycles == 0)
        {
            extraDelay.remove(peer); // no delay (the map cannot hold its missing value)
            return;
        }
        extraDelay.put(peer, cycles);
    }

    /**
     * Fault injection: the monitor restarts and loses its replicated state — every operation's core-local state
     * and its pending calls. Its channels and routes (set up by boot, kept by the kernel) stay. Operations must
     * cope: a round this monitor was running never completes here, rounds of others time out or see no reply.
     */
    public void restart()
    {
        timeline.fault(core, "restart");
        Arrays.fill(localKeys, null);
        Arrays.fill(locals, null);
        localCount = 0;
        calls.clear();
        restarts++;
    }

    /** How many times this monitor restarted. */
    public int restarts()
    {
        return restarts;
    }

    // ---------------------------------------------------------------- calls from dispatchers

    /**
     * Sends a request built from a fresh request id and parks the calling dispatcher (of this core) until a
     * handler {@link #complete(long, Object) completes} that id. Charges an LMP round trip for reaching the
     * monitor from the dispatcher.
     */
    public Object call(final int toCore, final LongFunction<?> request)
    {
        final Dispatcher self = Dispatcher.current();
        if (self.core() != core)
        {
            throw new IllegalStateException("dispatcher of core " + self.core().id() + " called monitor " + core.id());
        }
        self.charge(core.costs().lrpcRoundTrip());
        final long id = nextRequestId++;
        final PendingCall pending = new PendingCall(Thread.currentThread());
        calls.put(id, pending);
        send(toCore, request.apply(id));
        while (!pending.done)
        {
            LockSupport.park(this);
        }
        return pending.reply;
    }

    /** Completes a pending {@link #call}; ignored when the id is unknown (a late or duplicate reply). */
    public void complete(final long requestId, final Object reply)
    {
        final PendingCall pending = calls.remove(requestId);
        if (pending != null)
        {
            pending.reply = reply;
            pending.done = true;
            LockSupport.unpark(pending.waiter);
        }
    }

    private static final class PendingCall
    {
        final Thread waiter;
        Object reply;
        boolean done;

        PendingCall(final Thread waiter)
        {
            this.waiter = waiter;
        }
    }

    // ---------------------------------------------------------------- receiving

    /** Live mode: polls every channel and handles what arrived at once, in host arrival order. */
    @Override
    public int doWork()
    {
        int work = 0;
        final MonitorLink[] links = this.links;
        for (int i = 0, n = linkCount; i < n; i++)
        {
            final MonitorLink link = links[i];
            receivingFrom = link;
            work += link.endpoint().poll(inbound, POLL_LIMIT);
        }
        receivingFrom = null;
        for (int i = 0; i < pollers.size(); i++)
        {
            work += pollers.get(i).poll();
        }
        if ((++dutyCycles & RENDEZVOUS_POLL_MASK) == 0)
        {
            work += pollRendezvous(false);
        }
        for (int n = loopback.size(); n > 0; n--)
        {
            loopback.handleHead();
            work++;
        }
        return work;
    }

    /**
     * Exact mode: copies what arrived on every channel into its inbox, stamped with its arrival, and flushes what
     * waited for credit; handles nothing (the engine hands this core its events in time order).
     */
    @Override
    public void pump(final long channel)
    {
        if (channel != Core.ALL_CHANNELS)
        {
            final Runnable pump = pumpByRing.get(channel);
            if (pump != null)
            {
                pump.run();
            }
            return;
        }
        pollRendezvous(true);
        for (int i = 0; i < linkCount; i++)
        {
            pumpLink(links[i]);
        }
        for (int i = 0; i < pollers.size(); i++)
        {
            pollers.get(i).pump();
        }
    }

    private static void pumpLink(final MonitorLink link)
    {
        if (link.inbox().drain(link.endpoint()))
        {
            link.changed();
        }
    }

    /** Exact mode: handles the head of {@code link}'s inbox, at its arrival. */
    void handleQueued(final MonitorLink link)
    {
        final ChannelInbox inbox = link.inbox();
        arrivalCycle = inbox.headArrival();
        try
        {
            receive(link, inbox.buffer(), inbox.headOffset(), inbox.headLength());
        }
        finally
        {
            inbox.pop();
        }
    }

    private void onChannelMessage(final long sendCycle, final DirectBuffer buffer, final int offset, final int length)
    {
        final MonitorLink link = receivingFrom;
        arrivalCycle = link.inbox().arrival(sendCycle);
        receive(link, buffer, offset, length);
    }

    /**
     * Both engines' receive, once {@link #arrivalCycle} is set: the line fetches and the receiver's software, then
     * the handler. A coherence message is hardware: its arrival is when the line (or the answer) is here, with no
     * fetch, software or dispatch, and it does not hold up the ring's next message.
     */
    private void receive(final MonitorLink link, final DirectBuffer buffer, final int offset, final int length)
    {
        if (isCoherence(buffer, offset, length))
        {
            core.clock().observe(arrivalCycle);
            deliver(buffer, offset, length);
            return;
        }
        core.clock().observe(fetchSlots(link.peer(), link.rxHome(), link.fetchCycles(), length, arrivalCycle,
            link.takenAt()));
        core.clock().advance(receiveSoftware(length));
        try
        {
            deliver(buffer, offset, length);
        }
        finally
        {
            link.taken(core.clock().now());
        }
    }

    /**
     * When the message now being handled reached this core: its send stamp plus the link's latency (and any
     * injected delay or jitter). In exact mode the engine hands a core its messages in this order, so handlers
     * need not order replies themselves.
     */
    public long arrivalCycle()
    {
        return arrivalCycle;
    }

    private void deliver(final DirectBuffer buffer, final int offset, final int length)
    {
        if (timeline.enabled())
        {
            MonitorTimeline.deliver(this, () -> handle(buffer, offset, length), buffer, offset, length);
            return;
        }
        handle(buffer, offset, length);
    }

    private void handle(final DirectBuffer buffer, final int offset, final int length)
    {
        messagesReceived++;
        if (length < MonitorEnvelope.LENGTH)
        {
            dropMalformed(-1, "message of " + length + " bytes is shorter than the monitor header");
            return;
        }
        final int typeId = buffer.getInt(offset + MonitorEnvelope.TYPE_ID_OFFSET);
        final int source = buffer.getInt(offset + MonitorEnvelope.SOURCE_OFFSET);
        final int destination = buffer.getInt(offset + MonitorEnvelope.DESTINATION_OFFSET);
        if (destination != core.id())
        {
            if (destination < 0 || destination >= coreCount())
            {
                dropMalformed(source, "destination core " + destination + " does not exist");
                return;
            }
            // A relay is work of this core like any other: it waits its turn and pays for writing the slots again.
            messagesForwarded++;
            chargeSlotWrites(length);
            transmit(destination, buffer, offset, length, core.clock().now());
            return;
        }
        final Protocol.MessageType<?> type = typeById(typeId);
        if (type == null)
        {
            dropMalformed(source, String.format("unknown message id 0x%08x", typeId));
            return;
        }
        if (!type.coherence())
        {
            core.clock().advance(core.costs().monitorHandler());
        }
        if (trace.enabled())
        {
            trace.record(core.id(), core.clock().now(), Trace.Event.RECEIVE, source, Integer.toUnsignedLong(typeId));
        }
        dispatch(type, source, buffer, offset + MonitorEnvelope.LENGTH, length - MonitorEnvelope.LENGTH);
    }

    private <M> void dispatch(final Protocol.MessageType<M> type, final int source, final DirectBuffer buffer,
        final int offset, final int length)
    {
        final M message;
        try
        {
            reader.wrap(buffer, offset, length, type.type());
            message = type.codec().decode(reader);
            reader.expectEnd();
        }
        catch (final MalformedMessageException ex)
        {
            dropMalformed(source, ex.getMessage());
            return;
        }
        try
        {
            type.handler().onMessage(this, source, message);
        }
        catch (final Throwable t)
        {
            // Contained per message, in both modes: the rest of the batch, the channel and the core carry on.
            core.fail("handler of " + type.type().getSimpleName() + " from core " + source, t);
        }
    }

    private void dropMalformed(final int source, final String problem)
    {
        malformedDropped++;
        system.reportMalformed(core.id(), source, problem);
    }

    @Override
    public String toString()
    {
        return "monitor " + core.id();
    }
}
