package dev.shoal.kernel.caps;

import java.util.ArrayList;
import java.util.List;

import dev.shoal.kernel.PhysicalMemory;

/**
 * One core's capability system for tests: physical memory for two cores, core 0's {@link CapOps} with a cleanup
 * hook that records what it is told, and the boot CSpace (16 root slots, 64-slot leaves, 16 MiB of RAM).
 */
final class CapsFixture implements AutoCloseable
{
    static final int ROOT_BITS = 4;
    static final int LEAF_BITS = 6;
    static final long RAM_BYTES = 16L << 20;
    static final long PAGE = CapType.BASE_PAGE_SIZE;
    static final int KERNEL = CSpace.BOOT_KERNEL_CPTR;
    static final int RAM = CSpace.BOOT_RAM_CPTR;

    final PhysicalMemory memory = new PhysicalMemory(2);
    final List<Capability> lastCopies = new ArrayList<>();
    final List<Capability> copies = new ArrayList<>();
    final CapOps ops;
    final CSpace boot;
    final Capability ram;

    CapsFixture()
    {
        this(0);
    }

    CapsFixture(final int core)
    {
        ops = new CapOps(core, memory, new CapCleanup()
        {
            @Override
            public void onLastCopyDeleted(final Capability cap, final Cte slot)
            {
                if (!slot.isEmpty())
                {
                    throw new AssertionError("hook ran before the slot was emptied: " + slot);
                }
                lastCopies.add(cap);
            }

            @Override
            public void onCopyDeleted(final Capability cap, final Cte slot)
            {
                copies.add(cap);
            }
        });
        ram = CapOps.initialRam(core, RAM_BYTES);
        boot = ops.boot(ram, PhysicalMemory.regionBase(core), ROOT_BITS, LEAF_BITS);
    }

    /** Address of slot {@code leafIndex} of leaf 0 of the boot CSpace. */
    int slot(final int leafIndex)
    {
        return boot.cptr(0, leafIndex);
    }

    Capability cap(final int cptr)
    {
        return boot.capability(cptr);
    }

    /** Retypes {@code count} frames of {@code bytes} from the boot RAM at {@code offset} into leaf 0 from slot dst. */
    void frames(final long offset, final long bytes, final int count, final int dst)
    {
        ops.retype(boot, RAM, CapType.FRAME, offset, bytes, count, slot(dst));
    }

    /**
     * Makes a leaf CNode of the boot CSpace's size from the boot RAM at {@code offset} (in slot {@code scratch},
     * then moved) and attaches it at root slot {@code rootIndex}.
     */
    void attachLeaf(final long offset, final int rootIndex, final int scratch)
    {
        ops.retype(boot, RAM, CapType.CNODE, offset, CapType.CTE_BYTES << LEAF_BITS, 1, slot(scratch));
        ops.copy(boot, slot(scratch), CSpace.rootSlot(rootIndex));
        ops.delete(boot, slot(scratch));
    }

    @Override
    public void close()
    {
        memory.close();
    }
}
