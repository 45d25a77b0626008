package dev.shoal.libos;

import dev.shoal.kernel.DeterminismEscapeException;
import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.EscapeDetector;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.paging.PageFaultHandler;
import dev.shoal.kernel.vspace.VNodeOps;
import dev.shoal.monitor.BindingOperation;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.NameServiceException;

/**
 * The library OS as one dispatcher sees it: its core, its clock, threads, services and channels, and its memory.
 * An application gets one {@code Os} per dispatcher from {@link Domain}; every method is called only from that
 * dispatcher's threads (all of which run on its core).
 *
 * <p>Scheduling is cooperative: a thread keeps the core until it blocks or until a libOS call finds its time slice
 * spent ({@link #compute(long)} and the message calls charge cycles and yield when it is). Memory accesses charge
 * the core's clock but do not yield.
 *
 * <h2>Memory</h2>
 * An application touches memory only through mappings its capabilities allow. Each dispatcher has its own
 * capability space ({@link #cspace()}), its own RAM capability ({@link #ram()}, {@link MemoryConfig#DEFAULT 16 MiB}
 * unless {@link #initMemory(long)} or {@link MemoryServer#configure} say otherwise) and its own address space,
 * rooted in an L4 page table made from that RAM ({@link #rootVNode()}); its core's {@link MemoryServer} sets them
 * up at the first memory call. Nothing else is reachable: another dispatcher's capabilities cannot be named from
 * this CSpace, and its address space is another set of tables.
 * <ul>
 *   <li>{@link #allocateFrame(long)} retypes part of the RAM into a FRAME capability and returns its cptr. The
 *       application may follow its own policy instead, with {@link #caps()} on its RAM capability.</li>
 *   <li>{@link #map(int, long, Rights)} maps a whole frame at a virtual address, creating the missing page tables
 *       from the RAM. The rights asked for must be held by the frame capability: a READ-only (minted) frame can
 *       only be mapped READ. {@link #unmap(long, long)} and {@link #protect(long, long, Rights)} change mappings;
 *       deleting the frame capability ({@link #delete(int)}) unmaps everything mapped through it.</li>
 *   <li>{@link #readLong}, {@link #writeLong}, {@link #readBytes} and {@link #writeBytes} access virtual memory
 *       through the core's software TLB and the page tables, charging the translation's cycles to the core's
 *       clock. An access with no mapping, or with a mapping that lacks the right it needs, is a page fault: it is
 *       upcalled to the handler set by {@link #onPageFault(PageFaultHandler)}, which may map something and return
 *       {@code RETRY}; by default, or when the handler returns {@code FAIL}, the access throws
 *       {@link PageFaultException} and memory is unchanged. It is never silently allowed.</li>
 *   <li>Invocations that are refused throw {@link ShoalException} (e.g. {@code INSUFFICIENT_RIGHTS},
 *       {@code MAPPING_EXISTS}, {@code OUT_OF_MEMORY}) having changed nothing.</li>
 *   <li>{@link #releaseMemory()} gives everything back to the server; a dispatcher should call it before it
 *       ends.</li>
 * </ul>
 */
public final class Os
{
    private final Shoal shoal;
    private final Domain domain;
    private final int core;
    private DispatcherMemory memory;
    private final java.util.Map<Integer, Channel> siblings = new java.util.HashMap<>();

    Os(final Shoal shoal, final Domain domain, final int core)
    {
        this.shoal = shoal;
        this.domain = domain;
        this.core = core;
    }

    /** The core this dispatcher runs on. */
    public int coreId()
    {
        return core;
    }

    /** The cores of this dispatcher's domain. */
    public int[] domainCores()
    {
        return domain.cores();
    }

    public String domainName()
    {
        return domain.name();
    }

    /** Number of cores the machine booted. */
    public int machineCores()
    {
        return shoal.cores();
    }

    /** The core's cycle clock: simulated time, the only clock code on a core may read. */
    public long now()
    {
        check();
        return Dispatcher.current().core().clock().now();
    }

    /**
     * The host's monotonic clock ({@link System#nanoTime()}), for measuring host time in live mode. A deterministic
     * run has no host time on a core: there the call throws, and {@link #now()} is the clock to read.
     *
     * @throws DeterminismEscapeException in deterministic mode, naming the caller; the run records the escape in
     *                                    {@code Machine.escapes()}.
     */
    public long hostNanos()
    {
        check();
        EscapeDetector.checkHostClock();
        return System.nanoTime();
    }

    /** Spends {@code cycles} of simulated computation; yields the core when the time slice is spent. */
    public void compute(final long cycles)
    {
        check().charge(cycles);
    }

    /** Gives the core to the next runnable thread. */
    public void yieldCore()
    {
        check().yieldCore();
    }

    /** Starts another thread of this domain on this core. */
    public Dispatcher spawnThread(final String name, final Runnable body)
    {
        return check().core().spawn(domain.name() + "/" + name, body);
    }

    /**
     * Exports a service under {@code name} (registered with the name service on core 0).
     *
     * @throws NameServiceException when the name is taken.
     */
    public Service export(final String name)
    {
        check();
        return new Service(BindingOperation.export(monitor(), name));
    }

    /**
     * Binds to the service {@code name}: LMP if it runs on this core, otherwise a new UMP channel.
     *
     * @throws NameServiceException when no service has that name.
     */
    public Channel bind(final String name)
    {
        check();
        return new Channel(BindingOperation.bind(monitor(), name));
    }

    /**
     * Binds to the service {@code name} like {@link #bind(String)}, but first waits until some dispatcher exports
     * it: the name server answers the lookup when the name is registered.
     */
    public Channel bindWhenExported(final String name)
    {
        check();
        return new Channel(BindingOperation.bindWhenExported(monitor(), name));
    }

    /**
     * A channel to this domain's dispatcher on {@code peerCore}, for the dispatchers of a domain that spans cores
     * to talk among themselves. Both ends call it (with each other's core). The lower core of the pair exports a
     * service named after the domain instance and the pair and returns at once (its channel accepts the peer at
     * first use); the higher core's call waits until that export exists, then binds. So the call on the higher
     * core waits only for the lower core to make its call; later calls return the same channel.
     *
     * @throws IllegalArgumentException when {@code peerCore} is this core or not one of the domain's cores.
     */
    public Channel sibling(final int peerCore)
    {
        check();
        if (peerCore == core || java.util.Arrays.stream(domain.cores()).noneMatch(c -> c == peerCore))
        {
            throw new IllegalArgumentException("core " + peerCore + " is not another core of domain " +
                domain.name() + " " + java.util.Arrays.toString(domain.cores()));
        }
        Channel channel = siblings.get(peerCore);
        if (channel == null)
        {
            final String name = "domain:" + domain.name() + "#" + domain.instance() + "/" +
                Math.min(core, peerCore) + "-" + Math.max(core, peerCore);
            channel = core < peerCore ?
                new Channel(new SiblingBinding(BindingOperation.export(monitor(), name), peerCore)) :
                bindWhenExported(name);
            siblings.put(peerCore, channel);
        }
        return channel;
    }

    /** The monitor of this core, for applications that speak a monitor operation of their own. */
    public Monitor monitor()
    {
        return shoal.system().monitorOf(core);
    }

    // ------------------------------------------------------------------------------------------------ memory

    /**
     * Sets up this dispatcher's CSpace, address space and {@code ramBytes} of RAM now, instead of with the
     * configured default at the first memory call.
     *
     * @throws IllegalStateException when they are set up already.
     */
    public void initMemory(final long ramBytes)
    {
        check();
        if (memory != null)
        {
            throw new IllegalStateException("the memory of " + domain.name() + " on core " + core +
                " is set up already");
        }
        memory = MemoryServer.of(Dispatcher.current().core()).newDispatcher(domain.name() + "@" + core, ramBytes);
    }

    /** This dispatcher's capability space. */
    public CSpace cspace()
    {
        return memory().cspace();
    }

    /** The cptr of this dispatcher's RAM capability in {@link #cspace()}. */
    public int ram()
    {
        return memory().ramCptr();
    }

    /** The cptr of the L4 VNODE capability at the root of this dispatcher's address space. */
    public int rootVNode()
    {
        return memory().rootVNodeCptr();
    }

    /** This dispatcher's address space: its core-unique id, root table and page-fault upcall. */
    public AddressSpace addressSpace()
    {
        return memory().addressSpace();
    }

    /** The core's capability invocations, for an application's own policies; they act on {@link #cspace()}. */
    public CapOps caps()
    {
        memory();
        return Dispatcher.current().core().caps();
    }

    /** The core's VNode invocations, for an application that builds page tables itself. */
    public VNodeOps vnodes()
    {
        memory();
        return VNodeOps.of(Dispatcher.current().core());
    }

    /** An empty slot of {@link #cspace()}. */
    public int allocateSlot()
    {
        return memory().allocateSlot();
    }

    /**
     * Retypes {@code bytes} (rounded up to whole pages) of this dispatcher's RAM into a new FRAME capability.
     *
     * @return the frame's cptr in {@link #cspace()}.
     * @throws ShoalException OUT_OF_MEMORY when the RAM has no gap that big.
     */
    public int allocateFrame(final long bytes)
    {
        return memory().allocateFrame(bytes);
    }

    /**
     * Retypes {@code bytes} (rounded up to whole pages) of this dispatcher's RAM into a new, smaller RAM capability,
     * for an application that manages memory with its own policy: it may retype that RAM into frames itself.
     *
     * @return the new RAM capability's cptr in {@link #cspace()}.
     * @throws ShoalException OUT_OF_MEMORY when the RAM has no gap that big.
     */
    public int allocateRam(final long bytes)
    {
        return memory().allocateRamCapability(bytes);
    }

    /**
     * Maps the whole frame at {@code frameCptr} at {@code vaddr} (page-aligned) with {@code rights}: READ, plus
     * WRITE and EXECUTE as wanted, all of which the frame capability must hold. Missing page tables are made from
     * this dispatcher's RAM.
     *
     * @throws ShoalException SLOT_EMPTY, WRONG_TYPE, INSUFFICIENT_RIGHTS, MAPPING_EXISTS (a page of the range is
     *                        mapped), INVALID_ARGUMENT, OUT_OF_MEMORY (for the tables).
     */
    public void map(final int frameCptr, final long vaddr, final Rights rights)
    {
        memory().map(frameCptr, vaddr, rights);
    }

    /** Unmaps every page of {@code [vaddr, vaddr + bytes)} (page-aligned); pages not mapped are skipped. */
    public void unmap(final long vaddr, final long bytes)
    {
        memory().unmap(vaddr, bytes);
    }

    /**
     * Gives every page of {@code [vaddr, vaddr + bytes)} the rights {@code rights}, within what each page's frame
     * capability holds. All pages must be mapped, or nothing changes.
     */
    public void protect(final long vaddr, final long bytes, final Rights rights)
    {
        memory().protect(vaddr, bytes, rights);
    }

    /**
     * Deletes the capability at {@code cptr} of {@link #cspace()} and frees its slot; a frame's mappings made
     * through it go with it.
     */
    public void delete(final int cptr)
    {
        memory().delete(cptr);
    }

    /**
     * Sets the page-fault upcall: called on the faulting thread before the access touched memory; it may map the
     * page and return {@code RETRY}. The default fails every fault.
     */
    public void onPageFault(final PageFaultHandler handler)
    {
        memory().onPageFault(handler);
    }

    /** Reads 8 bytes at {@code vaddr}. @throws PageFaultException when no mapping allows the read. */
    public long readLong(final long vaddr)
    {
        return memory().readLong(vaddr);
    }

    /** Writes 8 bytes at {@code vaddr}. @throws PageFaultException when no mapping allows the write. */
    public void writeLong(final long vaddr, final long value)
    {
        memory().writeLong(vaddr, value);
    }

    /** Copies {@code length} bytes at {@code vaddr} into {@code dst}: all of them, or none if a fault fails. */
    public void readBytes(final long vaddr, final byte[] dst, final int offset, final int length)
    {
        memory().readBytes(vaddr, dst, offset, length);
    }

    /** Copies {@code length} bytes of {@code src} to {@code vaddr}: all of them, or none if a fault fails. */
    public void writeBytes(final long vaddr, final byte[] src, final int offset, final int length)
    {
        memory().writeBytes(vaddr, src, offset, length);
    }

    /**
     * Gives this dispatcher's CSpace, RAM and address space back to its core's memory server: everything made
     * from the RAM is revoked (and unmapped). The memory methods fail afterwards. Does nothing when no memory was
     * set up.
     */
    public void releaseMemory()
    {
        check();
        if (memory != null)
        {
            memory.release();
        }
    }

    private DispatcherMemory memory()
    {
        check();
        if (memory == null)
        {
            final var server = MemoryServer.of(Dispatcher.current().core());
            memory = server.newDispatcher(domain.name() + "@" + core, server.config().dispatcherRamBytes());
        }
        return memory;
    }

    private Dispatcher check()
    {
        final Dispatcher d = Dispatcher.current();
        if (d.core().id() != core)
        {
            throw new IllegalStateException("the libOS of core " + core + " was called from core " + d.core().id());
        }
        return d;
    }
}
