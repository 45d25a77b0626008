package dev.shoal.libos;

import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Machine;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.vspace.VNodeOps;

/**
 * One core's memory server (the role of Barrelfish's {@code mem_serv} and of init handing out RAM): it holds the
 * core's init CSpace ({@link Core#initCSpace()}: the KERNEL capability and the core's RAM, made as a CPU driver
 * makes init's) and gives every new dispatcher on the core its own CSpace, its own RAM capability and its own
 * address space:
 * <pre>
 *   init RAM (Core.INIT_RAM_BYTES)
 *    ├─ CNODE  root of the dispatcher's CSpace ──┐ copies kept by the server in its own leaves of the init
 *    ├─ CNODE  its first leaf (root slot 0)      │ CSpace (root slots 1 on; leaf 0 is the monitor's), so that
 *    └─ RAM    the dispatcher's RAM ─────────────┘ {@link Os#releaseMemory()} can revoke all it was given or made
 *         └─ VNODE_L4  its address-space root, bound to a core-unique address-space id
 * </pre>
 * In the dispatcher's CSpace the RAM is at {@link #RAM_CPTR} and the root table at {@link #ROOT_VNODE_CPTR}; the
 * rest is the dispatcher's. Everything it makes later (frames, page tables, more leaf CNodes) comes from its own
 * RAM, so a dispatcher can reach no memory that was not carved from what it was given. The server finds free init
 * RAM in the mapping database ({@link RamGaps}), so it shares the init CSpace with the monitor without a plan.
 *
 * <p>Threading: one server per core, created by {@link #of(Core)} on that core; its methods are called only on
 * that core (from the dispatchers' {@link Os}), so it does not lock. {@link #configure} is host-side.
 */
public final class MemoryServer
{
    /** Slot of the dispatcher's RAM capability in its own CSpace (leaf 0). */
    public static final int RAM_CPTR = 0;
    /** Slot of the dispatcher's L4 VNODE capability, the root of its address space (leaf 0). */
    public static final int ROOT_VNODE_CPTR = 1;
    /** First slot of leaf 0 that the dispatcher's slot allocator hands out. */
    static final int FIRST_FREE_CPTR = 2;
    /** The init CSpace's root slot of the server's first leaf. */
    private static final int FIRST_SERVER_LEAF = 1;

    private static final Map<Core, MemoryServer> BY_CORE = new WeakHashMap<>();
    private static final Map<Machine, MemoryConfig> CONFIGS = new WeakHashMap<>();

    private final int core;
    private final CapOps caps;
    private final VNodeOps vnodes;
    private final MemoryConfig config;
    private final CSpace init;
    private final SlotAllocator slots;
    private int nextAsid = 1;
    private int dispatchers;

    private MemoryServer(final Core core, final MemoryConfig config)
    {
        this.core = core.id();
        this.caps = core.caps();
        this.vnodes = VNodeOps.of(core);
        this.config = config;
        this.init = core.initCSpace();
        final long leafBytes = CapType.CTE_BYTES << init.leafBits();
        this.slots = new SlotAllocator(init, FIRST_SERVER_LEAF, 0, rootSlot -> caps.retype(init,
            CSpace.BOOT_RAM_CPTR, CapType.CNODE, initRamGap(leafBytes), leafBytes, 1, rootSlot));
    }

    /**
     * Sets the configuration of the memory servers of {@code shoal}'s machine. Host-side, before the first
     * dispatcher touches memory (a server reads it once, when its core first needs it).
     */
    public static void configure(final Shoal shoal, final MemoryConfig config)
    {
        Objects.requireNonNull(config, "config");
        synchronized (CONFIGS)
        {
            CONFIGS.put(shoal.system().machine(), config);
        }
    }

    /** The memory server of {@code core}, created on first use. Called only on that core. */
    public static MemoryServer of(final Core core)
    {
        synchronized (BY_CORE)
        {
            MemoryServer server = BY_CORE.get(core);
            if (server == null)
            {
                final MemoryConfig config;
                synchronized (CONFIGS)
                {
                    config = CONFIGS.getOrDefault(core.machine(), MemoryConfig.DEFAULT);
                }
                server = new MemoryServer(core, config);
                BY_CORE.put(core, server);
            }
            return server;
        }
    }

    public MemoryConfig config()
    {
        return config;
    }

    /** Dispatchers holding memory from this server now. */
    public int dispatchers()
    {
        return dispatchers;
    }

    /**
     * Builds a new dispatcher's CSpace, RAM and address space.
     *
     * @param name     names the CSpace in messages.
     * @param ramBytes RAM to give it, a multiple of 4 KiB of at least two pages.
     * @throws ShoalException OUT_OF_MEMORY when the core's init RAM has no gap that big; CNODE_FULL when the init
     *                        CSpace has no slot left. Nothing is kept then.
     */
    DispatcherMemory newDispatcher(final String name, final long ramBytes)
    {
        MemoryConfig.checkRam(ramBytes);
        final long[] sizes = {CapType.CTE_BYTES << config.rootBits(), CapType.CTE_BYTES << config.leafBits(), ramBytes};
        final CapType[] types = {CapType.CNODE, CapType.CNODE, CapType.RAM};
        final int[] held = new int[sizes.length];
        int made = 0;
        try
        {
            for (; made < sizes.length; made++)
            {
                held[made] = slots.allocate();
                try
                {
                    caps.retype(init, CSpace.BOOT_RAM_CPTR, types[made], initRamGap(sizes[made]), sizes[made], 1,
                        held[made]);
                }
                catch (final ShoalException ex)
                {
                    slots.free(held[made]);
                    throw ex;
                }
            }
        }
        catch (final ShoalException ex)
        {
            for (int i = 0; i < made; i++)
            {
                caps.delete(init, held[i]);
                slots.free(held[i]);
            }
            throw ex;
        }

        final CSpace space = caps.newCSpace(init, held[0], config.leafBits(), name);
        caps.copy(init, held[1], space, CSpace.rootSlot(0));
        caps.copy(init, held[2], space, space.cptr(0, RAM_CPTR));
        final int rootVNode = space.cptr(0, ROOT_VNODE_CPTR);
        caps.retype(space, space.cptr(0, RAM_CPTR), CapType.VNODE_L4, 0, CapType.BASE_PAGE_SIZE, 1, rootVNode);
        final AddressSpace addressSpace = vnodes.bindAddressSpace(space, rootVNode, nextAsid++);
        dispatchers++;
        return new DispatcherMemory(this, caps, vnodes, space, addressSpace, held);
    }

    /**
     * Takes back everything a dispatcher was given: revokes its RAM (deleting its copy and everything made from
     * it: frames, which are unmapped; page tables; leaf CNodes) and its CNodes. The init RAM is free again at once.
     */
    void release(final DispatcherMemory memory, final int[] held)
    {
        for (final int cptr : new int[] {held[2], held[0], held[1]})
        {
            caps.revoke(init, cptr);
            caps.delete(init, cptr);
            slots.free(cptr);
        }
        if (memory.cspace().isAlive())
        {
            caps.destroyCSpace(memory.cspace());
        }
        dispatchers--;
    }

    private long initRamGap(final long bytes)
    {
        return RamGaps.find(caps, init.capability(CSpace.BOOT_RAM_CPTR), bytes, CapType.BASE_PAGE_SIZE);
    }

    @Override
    public String toString()
    {
        return "memory server of core " + core + " (" + dispatchers + " dispatchers)";
    }
}
