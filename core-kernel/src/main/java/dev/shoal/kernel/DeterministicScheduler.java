package dev.shoal.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * Exact mode: a conservative parallel discrete-event engine (Sandia SST's scheme; Agrona's AgentInvoker, where the
 * caller drives the agents). Every core handles its events — channel messages, timer expiries, dispatcher
 * wake-ups, host requests — one at a time in simulated-time order, ties broken by a fixed rule
 * ({@link EventSource}); the machine's cycle figures are then a property of the model alone, whatever the host
 * did, the seed (without jitter) or the number of host threads.
 *
 * <h2>How it runs</h2>
 * <ul>
 *   <li><b>Partitions.</b> The cores are split into {@code K} partitions of contiguous blocks (packages, from
 *       {@link #plan}); each partition has one host thread, the carrier of all its cores, which mounts their
 *       dispatchers. A partition keeps its cores in a calendar by next event time; only cores with pending events
 *       are in it, so idle cores cost nothing.</li>
 *   <li><b>Windows.</b> Time advances in windows {@code [W, W + L)}: {@code W} is the earliest pending event of the
 *       whole machine and {@code L} the lookahead, the smallest latency of a link between two blocks. In a window
 *       each partition handles, earliest first, every event of its cores that happens before {@code W + L}. A
 *       message between partitions arrives at least {@code L} after it was sent, so never inside the window it was
 *       sent in: partitions need not talk until the window ends. When every other partition is idle, a busy one runs
 *       on without barriers until it sends to them. Where windows fall changes no core's order of events, so results
 *       do not depend on {@code K}.</li>
 *   <li><b>Transport.</b> A channel's bytes still travel through its UMP ring. A doorbell asks the engine to pump
 *       the receiving core: its services copy what arrived into their own queues of timestamped events and flush
 *       what waited for credit ({@link CoreService#pump(long)}), outside simulated time. Within a partition that
 *       happens right after the event that rang; between partitions at the barrier that ends the window, repeated
 *       until no partition has anything more to pass on.</li>
 *   <li><b>Host requests</b> ({@link #hostSubmit}, {@link #hostSubmitAll}) are admitted only when the machine has
 *       nothing left to do, one request (or one batch, whose requests may be for cores of any partition) at a time,
 *       and land at one instant: the latest clock of any core. Where they land never depends on host timing.</li>
 * </ul>
 *
 * <p>The seed does not order events of different times. It breaks ties between senders and draws latency jitter
 * only when the run explores interleavings ({@link #jitter(long)} above 0); without jitter every figure is the same
 * for every seed. Faults drawn from the seed are the harness's.
 *
 * <p>Code on a core that lets the host's clock or threads decide what happens next (Thread.sleep, a new thread, a
 * dispatcher resumed from another thread) is reported as a determinism escape ({@link EscapeDetector}).
 */
public final class DeterministicScheduler implements RunnerFactory
{
    private final long seed;
    private final TraceRecorder trace;
    private final EscapeDetector detector = new EscapeDetector(this);
    private boolean detectEscapes = true;
    private int requestedThreads = Runtime.getRuntime().availableProcessors();
    private long jitter;
    private Runnable afterStep;
    private Timeline timeline = Timeline.OFF;

    private int[] blockOfCore;
    private long lookahead = Long.MAX_VALUE;

    private final ConcurrentLinkedQueue<List<Landing>> hostRequests = new ConcurrentLinkedQueue<>();
    private Partition[] partitions;
    private int[] partitionOfCore;
    private PartitionBarrier barrier;
    /** Set when the machine spans JVMs: this JVM carries partition {@code link.self()} only. */
    private PartitionLink link;
    /** Rings written here and read in another partition, by address: their lines travel at doorbells and barriers. */
    private final java.util.Map<Long, RingMirror> mirrors = new java.util.LinkedHashMap<>();
    private Machine machine;
    private volatile boolean exit;
    private volatile Throwable engineFailure;

    /** Host requests for cores of other JVMs, by number: what to do with the bytes their task answers. */
    private final java.util.Map<Long, java.util.function.Consumer<byte[]>> replies =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong requestNumbers = new java.util.concurrent.atomic.AtomicLong();
    private volatile HostRequestDecoder decoder;

    /**
     * A task that lands on a core at a cycle: a host request, a start-up IPI. A host request as bytes has no task
     * but its bytes ({@code encoded}) and its number ({@code id}), and names its core by number only
     * ({@code coreId}; {@code core} is null when that core is in another JVM, which holds its object).
     */
    private record Landing(Core core, Runnable task, long at, byte[] encoded, long id, int coreId)
    {
        Landing(final Core core, final Runnable task, final long at)
        {
            this(core, task, at, null, 0, core == null ? -1 : core.id());
        }
    }

    public DeterministicScheduler(final long seed, final TraceRecorder trace)
    {
        this.seed = seed;
        this.trace = trace;
    }

    public long seed()
    {
        return seed;
    }

    @Override
    public Trace trace()
    {
        return trace;
    }

    /**
     * Host threads to run the cores on (at most one per block of cores; default: the host's CPUs). Set before the
     * machine is made. Results do not depend on it.
     */
    public DeterministicScheduler threads(final int threads)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("--threads must be at least 1: " + threads);
        }
        this.requestedThreads = threads;
        return this;
    }

    /**
     * Writes the run's timeline ({@link Timeline}): its events are sorted as the trace file's are, so the file does
     * not depend on the number of threads either. Set before the machine is made.
     */
    public DeterministicScheduler timeline(final Timeline timeline)
    {
        this.timeline = timeline;
        return this;
    }

    @Override
    public Timeline timeline()
    {
        return timeline;
    }

    /**
     * Makes this engine one partition of a machine spread over several JVMs (docs/partitions.md): it carries the
     * cores of partition {@code link.self()} on one host thread and reaches the others through {@code link}. Set
     * before the machine starts.
     */
    public DeterministicScheduler partitionedBy(final PartitionLink link)
    {
        this.link = link;
        return this;
    }

    /**
     * Waits until this JVM's partition thread has ended (the coordinator decided the machine stops): a worker's host
     * thread. Returns false after {@code millis} of host time.
     */
    public boolean awaitEnd(final long millis) throws InterruptedException
    {
        final Partition[] ps = partitions;
        if (ps == null)
        {
            return false;
        }
        final Thread t = ps[link == null ? 0 : link.self()].thread;
        t.join(millis);
        return !t.isAlive();
    }

    /** A worker of a partitioned machine: starts this JVM's partition before any of its cores is started. */
    public synchronized void startPartition(final Machine m)
    {
        if (partitions == null)
        {
            init(m);
        }
    }

    @Override
    public void announce(final String machineText)
    {
        if (link != null && link.self() == 0)
        {
            // Whether this run's trace goes on from an earlier machine (a sweep, or a workload's variants): a worker
            // then goes on folding its cores' hashes into its own too, so the merged hash is the single JVM's.
            link.announce("seed=" + seed + "\njitter=" + jitter + "\ntrace=" +
                (trace != null && trace.events() > 0 ? "continue" : "new") + "\nlines=" +
                (trace != null && trace.keepsLines()) + "\ntimeline=" +
                (timeline.enabled() ? timeline.filter() : "off") + "\n" + machineText);
        }
    }

    @Override
    public boolean ownsCore(final int core)
    {
        if (link == null)
        {
            return true;
        }
        if (partitionOfCore == null)
        {
            throw new IllegalStateException("a partitioned machine must be planned before it is built");
        }
        return partitionOfCore[core] == link.self();
    }

    @Override
    public void startRemote(final int core, final long bootArgument, final long atCycle)
    {
        // The start-up task is rebuilt there from the boot argument and the line it points at (the boot frame).
        final byte[] line = new byte[RingMirror.LINE];
        if (bootArgument != 0)
        {
            machine.physicalMemory().read(bootArgument, line, 0, RingMirror.LINE);
        }
        link.sendStart(partitionOfCore[core], core, bootArgument, line, atCycle);
        final Partition here = currentPartition();
        if (here != null)
        {
            here.posted = true;
        }
    }

    @Override
    public void wakeRemote(final int core, final long channel)
    {
        final Partition here = currentPartition();
        if (here == null)
        {
            throw new IllegalStateException("a host thread rang core " + core + ", which runs in another partition: " +
                "only its JVM's cores may write to its channels");
        }
        final RingMirror mirror = mirrors.get(channel);
        if (mirror != null)
        {
            shipRing(mirror);
        }
        link.sendDoorbell(partitionOfCore[core], core, channel);
        here.posted = true;
    }

    @Override
    public void noteRing(final long address, final int bytes, final int reader)
    {
        if (link != null && partitionOfCore[reader] != link.self())
        {
            mirrors.putIfAbsent(address, new RingMirror(address, bytes, partitionOfCore[reader]));
        }
    }

    /** Sends the lines of a ring another partition reads that changed since they were last sent. */
    private void shipRing(final RingMirror mirror)
    {
        mirror.ship(machine.physicalMemory(), link);
    }

    /**
     * Before this JVM's vote: the ring lines other partitions read and, for a trace file or a timeline, this
     * worker's lines and events (so the coordinator has every event before the vote that lets it write them).
     */
    /**
     * Before each vote of this JVM's partition: the ring lines it wrote; a worker's trace lines and timeline events;
     * and, when a worker votes that it has nothing pending (as every partition does at a quiescent barrier), the
     * hashes of its cores that recorded events since it last sent them, so the coordinator holds every core's hash
     * once the machine is quiescent without asking for them.
     */
    private void beforeVote(final long earliest)
    {
        shipAllRings();
        if (link.self() != 0 && trace != null && earliest == Long.MAX_VALUE)
        {
            final int[] changed = trace.drainChangedCores();
            if (changed.length > 0)
            {
                link.sendHashes(changed, trace);
            }
        }
        if (link.self() != 0 && trace != null && trace.keepsLines())
        {
            final byte[] lines = trace.drainLines();
            if (lines.length > 0)
            {
                link.sendTraceLines(lines);
            }
        }
        if (link.self() != 0)
        {
            timeline.drainEvents(link::sendTimelineEvents);
        }
    }

    private void shipAllRings()
    {
        for (final RingMirror mirror : mirrors.values())
        {
            shipRing(mirror);
        }
    }

    /** The partitions actually used (known once the machine started; before that, the requested count). */
    public int threads()
    {
        return partitions == null ? requestedThreads : partitions.length;
    }

    /**
     * Explores interleavings: every message's latency gets up to {@code cycles} extra, drawn from the seed per
     * channel (never reordering one channel's messages), and ties between senders are broken in an order drawn
     * from the seed. 0 (the default, and what benchmarks use) makes every figure independent of the seed. Set
     * before the machine is made.
     */
    public DeterministicScheduler jitter(final long cycles)
    {
        if (cycles < 0)
        {
            throw new IllegalArgumentException("--jitter must not be negative: " + cycles);
        }
        this.jitter = cycles;
        return this;
    }

    /** The latency jitter bound in cycles (0: none). */
    @Override
    public long jitter()
    {
        return jitter;
    }

    /**
     * A seed for the jitter drawn on the channel from {@code from} to {@code to} (the {@code serial}-th such channel
     * of the receiver): a pure function of the run's seed, so it does not depend on which thread draws it.
     */
    @Override
    public long channelSeed(final int from, final int to, final int serial)
    {
        return mix(mix(mix(seed ^ 0x6a09e667f3bcc909L, from), to), serial);
    }

    /** Where events from {@code peer} rank among equal-time events on {@code core} (see {@link EventSource}). */
    int peerOrder(final int core, final int peer)
    {
        return jitter == 0 ? peer : (int)(mix(mix(seed, core), peer) >>> 33);
    }

    /**
     * How the cores divide into blocks that a partition never splits (packages), and the lookahead: the smallest
     * latency of a link between two blocks ({@link Long#MAX_VALUE}: one block). Set before the machine starts; by
     * default every core is in one block.
     */
    @Override
    public void plan(final int[] blockOfCore, final long lookahead)
    {
        plan(blockOfCore, lookahead, null);
    }

    @Override
    public void plan(final int[] blockOfCore, final long lookahead, final String whyOneBlock)
    {
        if (whyOneBlock != null && link != null && link.count() > 1)
        {
            throw new IllegalArgumentException("--partitions " + link.count() + ": " + whyOneBlock);
        }
        if (lookahead < 1)
        {
            throw new IllegalArgumentException("the lookahead must be at least one cycle: " + lookahead);
        }
        this.blockOfCore = blockOfCore.clone();
        this.lookahead = lookahead;
        if (link != null)
        {
            // Known before the machine is built, so that it builds only this JVM's cores (ownsCore).
            partitionOfCore = partitionsOf(this.blockOfCore, link.count());
        }
    }

    /**
     * Which partition each core belongs to: {@code k} partitions of contiguous blocks, an equal share of the blocks
     * each.
     *
     * @throws IllegalArgumentException when there are fewer blocks than partitions.
     */
    private static int[] partitionsOf(final int[] blocks, final int k)
    {
        final int cores = blocks.length;
        final int blockCount = blockCount(blocks);
        if (k > blockCount)
        {
            throw new IllegalArgumentException("--partitions " + k + " is more than the machine's " + blockCount +
                " packages (a partition holds whole packages)");
        }
        final int[] partitionOf = new int[cores];
        int block = -1;
        for (int c = 0; c < cores; c++)
        {
            if (c == 0 || blocks[c] != blocks[c - 1])
            {
                block++;
            }
            partitionOf[c] = (int)((long)block * k / blockCount);
        }
        return partitionOf;
    }

    private static int blockCount(final int[] blocks)
    {
        int blockCount = 0;
        for (int c = 0; c < blocks.length; c++)
        {
            if (c == 0 || blocks[c] != blocks[c - 1])
            {
                blockCount++;
            }
        }
        return blockCount;
    }

    /** The window width in cycles ({@link Long#MAX_VALUE}: one window). */
    public long lookahead()
    {
        return lookahead;
    }

    /**
     * Turns the detection of determinism escapes ({@link EscapeDetector}) on (the default) or off. Set before the
     * machine is made. Off, nothing is reported, and a dispatcher resumed by another thread (the JDK's timer after a
     * {@code Thread.sleep}, say) is delivered as a host request, admitted once the machine is quiescent.
     */
    public DeterministicScheduler detectEscapes(final boolean on)
    {
        this.detectEscapes = on;
        return this;
    }

    /** The determinism escapes found so far (see {@link EscapeDetector}). Any thread. */
    public List<DeterminismEscape> escapes()
    {
        return detector.escapes();
    }

    @Override
    public boolean isDeterministic()
    {
        return true;
    }

    @Override
    public EscapeDetector escapeDetector()
    {
        return detectEscapes ? detector : null;
    }

    /**
     * Runs {@code check} while every core is paused: with one partition after every event, with several at every
     * barrier. An invariant checker may read any core's state. Set before the machine starts.
     */
    public void afterEachStep(final Runnable check)
    {
        this.afterStep = check;
    }

    // ---------------------------------------------------------------- machine hooks

    @Override
    public synchronized Thread carrierFor(final Core core)
    {
        if (partitions == null)
        {
            init(core.machine());
        }
        return partitions[partitionOfCore[core.id()]].thread;
    }

    private void init(final Machine m)
    {
        machine = m;
        final int cores = m.coreCount();
        final int[] blocks = blockOfCore != null && blockOfCore.length == cores ? blockOfCore : new int[cores];
        final int k = link != null ? link.count() : Math.max(1, Math.min(requestedThreads, blockCount(blocks)));
        if (partitionOfCore == null || partitionOfCore.length != cores)
        {
            partitionOfCore = partitionsOf(blocks, k);
        }
        partitions = new Partition[k];
        final Thread[] threads = new Thread[k];
        for (int p = 0; p < k; p++)
        {
            partitions[p] = new Partition(p);
            threads[p] = partitions[p].thread;
        }
        if (link != null)
        {
            link.layout(partitionOfCore.clone());
            for (int c = 0; c < cores; c++)
            {
                if (partitionOfCore[c] != link.self())
                {
                    m.physicalMemory().holdCopiesOf(c);
                }
            }
        }
        barrier = link == null ? new WindowBarrier(threads, this::atBarrier) :
            new LinkedBarrier(link, new Arrivals(partitions[link.self()]), this::beforeVote, this::atBarrier);
        if (trace != null)
        {
            trace.layout(cores, partitionOfCore, k);
        }
        timeline.layout();
        for (final Partition p : partitions)
        {
            if (link == null || p.index == link.self())
            {
                p.thread.start();
            }
        }
    }

    /** What other JVMs sent, put where this partition takes it at the barrier. The partition thread only. */
    private final class Arrivals implements PartitionLink.Inbound
    {
        private final Partition local;

        Arrivals(final Partition local)
        {
            this.local = local;
        }

        @Override
        public void line(final long address, final byte[] bytes, final int offset)
        {
            machine.physicalMemory().write(address, bytes, offset, RingMirror.LINE);
        }

        @Override
        public void doorbell(final int core, final long channel)
        {
            local.inbox.offer(new Doorbell(machine.core(core), channel));
        }

        @Override
        public void start(final int core, final long argument, final byte[] line, final int offset, final long at)
        {
            if (argument != 0)
            {
                machine.physicalMemory().write(argument, line, offset, RingMirror.LINE);
            }
            local.inbox.offer(new RemoteStart(core, argument, at));
        }

        @Override
        public void request(final int core, final long at, final long id, final byte[] request)
        {
            final Core target = machine.core(core);
            local.inbox.offer(new Landing(target, decode(target, id, request), at));
        }

        @Override
        public void reply(final long id, final byte[] reply)
        {
            replied(id, reply);
        }

        @Override
        public void hashes(final int core, final long events, final long hash)
        {
            if (trace != null && events != 0)
            {
                trace.absorb(core, events, hash);
            }
        }

        @Override
        public void traceLines(final byte[] lines, final int offset, final int length)
        {
            if (trace != null)
            {
                trace.absorbLines(lines, offset, length);
            }
        }

        @Override
        public void timelineEvents(final byte[] events, final int offset, final int length)
        {
            timeline.absorbEvents(events, offset, length);
        }
    }

    /** A start-up IPI from another JVM, taken at the barrier. */
    private record RemoteStart(int core, long argument, long at)
    {
    }

    private boolean isRemote(final Partition p)
    {
        return link != null && p.index != link.self();
    }

    /** A core starts: its start-up task lands at {@code at}. Called by {@link Core#start(long, long)}. */
    void startCore(final Core core, final Runnable boot, final long at)
    {
        deliver(new Landing(core, boot, at));
    }

    @Override
    public void hostSubmit(final Core core, final Runnable task)
    {
        hostRequests.add(List.of(new Landing(core, task, -1)));
        wakeCoordinator();
    }

    @Override
    public void hostSubmitEncoded(final int core, final byte[] request,
        final java.util.function.Consumer<byte[]> reply)
    {
        if (link == null)
        {
            throw new IllegalStateException("a host request as bytes needs a partitioned machine");
        }
        final long id = requestNumbers.incrementAndGet();
        replies.put(id, reply);
        hostRequests.add(List.of(new Landing(machine.isLocal(core) ? machine.core(core) : null, null, -1, request,
            id, core)));
        wakeCoordinator();
    }

    @Override
    public void hostSubmitAll(final HostRequest[] requests)
    {
        final List<Landing> batch = new ArrayList<>(requests.length);
        for (final HostRequest r : requests)
        {
            if (r.encoded() == null)
            {
                batch.add(new Landing(r.core(), r.task(), -1));
                continue;
            }
            if (link == null)
            {
                throw new IllegalStateException("a host request as bytes needs a partitioned machine");
            }
            final long id = requestNumbers.incrementAndGet();
            replies.put(id, r.reply());
            batch.add(new Landing(machine.isLocal(r.coreId()) ? machine.core(r.coreId()) : null, null, -1,
                r.encoded(), id, r.coreId()));
        }
        hostRequests.add(batch);
        wakeCoordinator();
    }

    @Override
    public void decodeHostRequestsWith(final HostRequestDecoder decoder)
    {
        this.decoder = decoder;
    }

    /** The task of a host request that came as bytes; its reply goes to the coordinator. The partition thread. */
    private Runnable decode(final Core core, final long id, final byte[] request)
    {
        final HostRequestDecoder d = decoder;
        if (d == null)
        {
            throw new IllegalStateException("a host request for core " + core.id() + " came as bytes, but nothing " +
                "in this JVM decodes host requests");
        }
        return d.decode(core, request, reply ->
        {
            if (link.self() == 0)
            {
                replied(id, reply);
            }
            else
            {
                link.sendReply(id, reply);
            }
        });
    }

    private void replied(final long id, final byte[] reply)
    {
        final java.util.function.Consumer<byte[]> waiting = replies.remove(id);
        if (waiting != null)
        {
            waiting.accept(reply);
        }
    }

    /**
     * Host requests that land together, at one instant, once the machine is quiescent: {@code tasks[i]} on
     * {@code cores[i]}, in order. Any host thread.
     */
    @Override
    public void hostSubmitAll(final Core[] cores, final Runnable[] tasks)
    {
        final List<Landing> batch = new ArrayList<>(cores.length);
        for (int i = 0; i < cores.length; i++)
        {
            batch.add(new Landing(cores[i], tasks[i], -1));
        }
        hostRequests.add(batch);
        wakeCoordinator();
    }

    /**
     * Before the machine stops: waits (at most {@code timeoutMillis} of host time) until it has nothing left to do,
     * so that what the cores were still doing when the host decided to stop — the last acknowledgements of an
     * operation whose result the host already has — always runs to the end, and the trace is the same on every run.
     * A machine that never becomes quiescent (a timer that re-arms itself) stops after the timeout. Host threads only.
     */
    @Override
    public void quiesce(final long timeoutMillis)
    {
        final Partition[] ps = partitions;
        if (ps == null || exit || currentPartition() != null)
        {
            return;
        }
        final java.util.concurrent.CountDownLatch quiet = new java.util.concurrent.CountDownLatch(1);
        hostRequests.add(List.of(new Landing(null, quiet::countDown, -1)));
        wakeCoordinator();
        try
        {
            quiet.await(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** A core was asked to stop: the coordinator looks again whether the machine still runs. Any thread. */
    void onStop()
    {
        wakeCoordinator();
    }

    private void wakeCoordinator()
    {
        final Partition[] ps = partitions;
        if (ps != null)
        {
            LockSupport.unpark(ps[0].thread);
        }
    }

    /** A doorbell rang for {@code core} (a channel to it was written): pump it before its next event. Any thread. */
    void onDoorbell(final Core core, final long channel)
    {
        final Partition target = partitions[partitionOfCore[core.id()]];
        final Partition here = currentPartition();
        if (here == target)
        {
            target.requestPump(core, channel);
        }
        else if (here != null)
        {
            target.inbox.offer(new Doorbell(core, channel));
            here.posted = true;
        }
        else
        {
            // A host or foreign thread wrote to a ring (an escape): pumped when the machine is next quiescent.
            hostRequests.add(List.of(new Landing(core, null, -1)));
            wakeCoordinator();
        }
    }

    /** A doorbell from another partition, passed on at the barrier. */
    private record Doorbell(Core core, long channel)
    {
    }

    private void deliver(final Landing landing)
    {
        final Partition target = partitions[partitionOfCore[landing.core.id()]];
        final Partition here = currentPartition();
        if (here == target)
        {
            target.land(landing, landing.at);
        }
        else if (here != null)
        {
            target.inbox.offer(landing);
            here.posted = true;
        }
        else
        {
            hostRequests.add(List.of(landing));
            wakeCoordinator();
        }
    }

    /** The partition whose thread is the caller's carrier, or null for any other thread. */
    private Partition currentPartition()
    {
        final Thread current = Thread.currentThread();
        // Monitors run on the partition thread itself; only a dispatcher (a virtual thread) needs its carrier.
        final Thread carrier = current.isVirtual() ? VirtualThreads.currentCarrier() : current;
        for (final Partition p : partitions)
        {
            if (p.thread == carrier)
            {
                return p;
            }
        }
        return null;
    }

    private static long mix(final long h, final long v)
    {
        long x = h ^ (v * 0x9e3779b97f4a7c15L);
        x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
        x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
        return x ^ (x >>> 31);
    }

    // ---------------------------------------------------------------- partitions

    /** One host thread and the cores it carries. */
    private final class Partition
    {
        final int index;
        final Thread thread;
        /** Cores with pending events, by next event time. */
        final EventHeap<EventHeap.Entry> calendar = new EventHeap<>();
        /** Cores of this partition whose channels must be pumped before the next event. */
        final ArrayDeque<Core> pumps = new ArrayDeque<>();
        /** From other partitions, taken at barriers: cores to pump and landings. */
        final MpscUnboundedXaddArrayQueue<Object> inbox = new MpscUnboundedXaddArrayQueue<>(64);
        boolean posted;
        long frontier;

        Partition(final int index)
        {
            this.index = index;
            this.thread = Thread.ofPlatform().group(EscapeDetector.STEPPING_THREADS)
                .name("shoal-exact-" + seed + "-" + index).daemon(true).unstarted(this::run);
        }

        void requestPump(final Core core, final long channel)
        {
            core.notePending(channel);
            if (!core.pumpPending)
            {
                core.pumpPending = true;
                pumps.addLast(core);
            }
        }

        void land(final Landing landing, final long at)
        {
            final Core core = landing.core;
            if (landing.task == null)
            {
                requestPump(core, Core.ALL_CHANNELS);
                return;
            }
            core.land(landing.task, at);
            frontier = Math.max(frontier, core.clock().now());
            calendar.update(core.calendarEntry);
        }

        private void pumpAll()
        {
            Core core;
            while ((core = pumps.pollFirst()) != null)
            {
                core.pumpPending = false;
                core.pump();
                calendar.update(core.calendarEntry);
            }
        }

        private void takeInbox()
        {
            Object item;
            while ((item = inbox.relaxedPoll()) != null)
            {
                if (item instanceof Doorbell bell)
                {
                    requestPump(bell.core, bell.channel);
                }
                else if (item instanceof RemoteStart start)
                {
                    machine.core(start.core).start(start.argument, start.at);
                }
                else
                {
                    final Landing landing = (Landing)item;
                    land(landing, landing.at);
                }
            }
        }

        /** The earliest pending event of this partition, refreshing cores whose time moved while not stepped. */
        private long earliest()
        {
            while (true)
            {
                final EventHeap.Entry entry = calendar.peek();
                if (entry == null)
                {
                    return Long.MAX_VALUE;
                }
                final long t = entry.eventTime();
                if (t == entry.heapTime)
                {
                    return t;
                }
                calendar.update(entry);
            }
        }

        private void run()
        {
            final EscapeDetector escapes = escapeDetector();
            if (escapes != null)
            {
                escapes.onSteppingThreadStart();
            }
            final boolean alone = partitions.length == 1;
            try
            {
                boolean settled = false;
                while (true)
                {
                    if (settled)
                    {
                        // The quiescent barrier told every partition where the host's requests land: take them;
                        // the barrier's reduction is already the one a settle round would give.
                        takeInbox();
                        pumpAll();
                        atBarrier();
                        settled = false;
                    }
                    else
                    {
                        // Settle: pass on what the last window sent between partitions, until nothing more moves.
                        do
                        {
                            takeInbox();
                            pumpAll();
                            final boolean sent = posted;
                            posted = false;
                            barrier.arrive(index, earliest(), frontier, sent, true);
                        }
                        while (barrier.anyPosted());
                    }
                    final long start = barrier.globalMin();
                    if (start == Long.MAX_VALUE)
                    {
                        if (!awaitHost(alone))
                        {
                            return;
                        }
                        settled = !alone && barrier.predicted();
                        continue;
                    }
                    // Every partition handles the window [start, start + lookahead): nothing sent in it can arrive
                    // in another partition before it ends. When every other partition is idle, nothing can come
                    // from them at all until this one sends to them, and then not before start plus two
                    // lookaheads: so a lone busy partition runs on without barriers. (Letting each partition run to
                    // the others' earliest event plus the lookahead instead makes them leapfrog: one works while
                    // the other waits.)
                    final long end = barrier.minOfOthers(index) == Long.MAX_VALUE ? Long.MAX_VALUE :
                        plus(start, lookahead);
                    runWindow(end, plus(start, 2 * Math.min(lookahead, Long.MAX_VALUE / 4)), escapes, alone);
                }
            }
            catch (final Throwable t)
            {
                // The engine itself failed (a core's own failures are contained per event, see Core.fail): stop
                // every partition rather than leave them waiting at the barrier for ever.
                exit = true;
                if (engineFailure == null)
                {
                    engineFailure = t;
                    if (link == null)
                    {
                        // With partitions in other JVMs the link reports it, in the one line that ends the run.
                        System.err.println("exact engine, partition " + index + ": " + t);
                    }
                }
                barrier.breakAll();
                if (link != null)
                {
                    link.abort("the engine of partition " + index + " failed: " + t);
                }
            }
        }

        /**
         * Handles, earliest first, every event of this partition before {@code end}, or before {@code endOnceSent}
         * once it has sent to another partition.
         */
        private void runWindow(final long end, final long endOnceSent, final EscapeDetector escapes,
            final boolean alone)
        {
            final Runnable check = alone ? afterStep : null;
            while (true)
            {
                pumpAll();
                final long t = earliest();
                // Alone, or with every other partition idle and nothing sent to them: no event anywhere can come
                // before t any more, so the timeline may write what came before (its memory stays bounded).
                if ((alone || (end == Long.MAX_VALUE && !posted)) && timeline.wantsFlush())
                {
                    timeline.flushBefore(t);
                }
                if (t >= (posted ? Math.min(end, endOnceSent) : end))
                {
                    return;
                }
                final Core core = coreOf(calendar.peek());
                if (escapes == null)
                {
                    core.handleNextEvent();
                }
                else
                {
                    escapes.step(core);
                }
                frontier = Math.max(frontier, core.clock().now());
                calendar.update(core.calendarEntry);
                if (check != null)
                {
                    check.run();
                }
            }
        }

        /**
         * Quiescent: the first partition waits for the host's next request and hands it out; the rest wait. Returns
         * false when the machine stopped instead (decided by the first partition before the barrier, so every
         * partition reads the same answer after it).
         */
        private boolean awaitHost(final boolean alone)
        {
            // Quiescent everywhere: the coordinator already holds every worker core's trace hash (each worker sent
            // those that changed before it voted that it had nothing pending).
            if (this == partitions[0])
            {
                List<Landing> batch;
                while ((batch = hostRequests.poll()) == null && anyCoreRunning())
                {
                    LockSupport.park(DeterministicScheduler.this);
                }
                if (batch == null)
                {
                    exit = true;
                    barrier.requestExit();
                }
                else
                {
                    final long at = barrier.globalMax();
                    // Where the requests land, by partition: told with this barrier's vote, it saves the settle
                    // round that would learn it. A landing that only pumps a core's rings (an escape) lands at no
                    // known cycle: then that round is needed.
                    final long[] landings = new long[partitions.length];
                    java.util.Arrays.fill(landings, Long.MAX_VALUE);
                    boolean predictable = link != null;
                    for (Landing landing : batch)
                    {
                        if (landing.coreId < 0)
                        {
                            landing.task.run(); // the host asked only to learn that the machine is quiescent
                            continue;
                        }
                        final long when = Math.max(at, landing.at);
                        final Partition target = partitions[partitionOfCore[landing.coreId]];
                        // The request lands at `when` or, should its core's clock be later, at that clock: never
                        // before, so a window started at `when` misses nothing.
                        landings[target.index] = Math.min(landings[target.index], when);
                        predictable &= landing.task != null || landing.encoded != null;
                        if (landing.encoded != null)
                        {
                            if (isRemote(target))
                            {
                                // Carried as bytes; it lands there at the same instant (after this barrier).
                                link.sendRequest(target.index, landing.coreId, when, landing.id, landing.encoded);
                                continue;
                            }
                            landing = new Landing(landing.core, decode(landing.core, landing.id, landing.encoded),
                                landing.at);
                        }
                        if (isRemote(target))
                        {
                            throw new IllegalStateException("a host request for core " + landing.coreId +
                                ", which runs in partition " + target.index + ": a closure cannot cross JVMs " +
                                "(MonitorSystem.request carries a serializable one as bytes)");
                        }
                        if (target == this)
                        {
                            land(landing, when);
                        }
                        else
                        {
                            target.inbox.offer(new Landing(landing.core, landing.task, when));
                        }
                    }
                    if (predictable)
                    {
                        barrier.predict(landings);
                    }
                }
            }
            if (!alone)
            {
                barrier.arrive(index, Long.MAX_VALUE, frontier, false, false);
                if (barrier.exitRequested())
                {
                    exit = true;
                }
            }
            return !exit;
        }
    }

    private static Core coreOf(final EventHeap.Entry entry)
    {
        return ((Core.CalendarEntry)entry).core();
    }

    private static long plus(final long a, final long b)
    {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    /** Called with every partition paused at a barrier: the settled trace lines, the invariant checks. */
    private void atBarrier()
    {
        if (trace != null && !barrier.anyPosted())
        {
            // Settled: every event still to come happens at or after the next window's start.
            trace.flushBefore(barrier.globalMin());
        }
        if (!barrier.anyPosted())
        {
            timeline.flushBefore(barrier.globalMin());
        }
        if (afterStep != null && partitions.length > 1)
        {
            afterStep.run();
        }
    }

    private boolean anyCoreRunning()
    {
        for (int i = 0, n = machine.coreCount(); i < n; i++)
        {
            if (machine.isLocal(i) && machine.core(i).isRunning())
            {
                return true;
            }
        }
        return !hostRequests.isEmpty();
    }

    /** The failure that stopped the engine, or null. */
    public Throwable failure()
    {
        return engineFailure;
    }
}
