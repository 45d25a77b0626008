package dev.shoal.kernel.vspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.function.Executable;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.CostModel;
import dev.shoal.kernel.Machine;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.MemoryAccess;
import dev.shoal.kernel.paging.PageTableFormat;

/**
 * Core 0 of an unstarted two-core machine with its capability system booted (16 × 256 slots, 64 MiB of RAM at
 * {@link #RAM}), its VNode invocations registered the way the libOS gets them ({@link VNodeOps#of}), and an address
 * space whose four tables map virtual page {@code n} of the first 2 MiB through entry {@code n} of {@link #L1}:
 * L4 in slot 2, L3 in 3, L2 in 4, L1 in 5, all linked at entry 0, the L4 bound to {@link #ASID}.
 */
final class VSpaceFixture implements AutoCloseable
{
    static final long PAGE = PageTableFormat.PAGE_SIZE;
    static final int ROOT_BITS = 4;
    static final int LEAF_BITS = 8;
    static final long RAM_BYTES = 64L << 20;
    static final int RAM = CSpace.BOOT_RAM_CPTR;
    static final int ASID = 7;
    static final int L4 = 2;
    static final int L3 = 3;
    static final int L2 = 4;
    static final int L1 = 5;

    final Machine machine = new Machine(2, CostModel.forLrpc(1000), (core, arg) -> { });
    final Core core = machine.core(0);
    final CapOps caps = core.caps();
    final VNodeOps vnodes = VNodeOps.of(core);
    final MemoryAccess mmu = vnodes.mmu();
    final CSpace boot;
    final AddressSpace space;
    /** What the unmap listener was told, as "asid l4 vaddr bytes" in hex. */
    final List<String> unmapped = new ArrayList<>();
    /** Next free byte of {@link #RAM} for {@link #retype}. */
    private long nextOffset;

    VSpaceFixture()
    {
        final long cnodes = core.frames().allocate((int)CapOps.bootCNodeBytes(ROOT_BITS, LEAF_BITS), 4096);
        boot = caps.boot(CapOps.initialRam(0, RAM_BYTES), cnodes, ROOT_BITS, LEAF_BITS);
        retype(CapType.VNODE_L4, PAGE, L4);
        retype(CapType.VNODE_L3, PAGE, L3);
        retype(CapType.VNODE_L2, PAGE, L2);
        retype(CapType.VNODE_L1, PAGE, L1);
        vnodes.map(boot, L4, 0, L3);
        vnodes.map(boot, L3, 0, L2);
        vnodes.map(boot, L2, 0, L1);
        space = vnodes.bindAddressSpace(boot, L4, ASID);
        vnodes.onUnmapped((asid, l4, vaddr, bytes) -> unmapped.add(asid + " " + Long.toHexString(l4) + " " +
            Long.toHexString(vaddr) + " " + Long.toHexString(bytes)));
    }

    /** Address of slot {@code index} of leaf 0. */
    int slot(final int index)
    {
        return boot.cptr(0, index);
    }

    Cte cte(final int cptr)
    {
        return boot.slot(cptr);
    }

    long base(final int cptr)
    {
        return boot.capability(cptr).base();
    }

    /** Retypes the next {@code bytes} of the boot RAM into one {@code type} object at {@code dst}. */
    void retype(final CapType type, final long bytes, final int dst)
    {
        caps.retype(boot, RAM, type, nextOffset, bytes, 1, slot(dst));
        nextOffset += bytes;
    }

    /** A frame of {@code pages} pages at {@code dst}. */
    void frame(final int pages, final int dst)
    {
        retype(CapType.FRAME, pages * PAGE, dst);
    }

    /** A copy of the capability at {@code src} with only {@code rights}, at {@code dst}. */
    void mint(final int src, final int dst, final Rights rights)
    {
        caps.mint(boot, slot(src), slot(dst), rights);
    }

    /** Maps all {@code pages} pages of the frame at {@code frame} from entry {@code entry} of the L1. */
    void map(final int frame, final int entry, final int pages, final Rights rights)
    {
        vnodes.map(boot, slot(L1), entry, slot(frame), rights, 0, pages);
    }

    long l1Entry(final int index)
    {
        return vnodes.mmu().tables().readEntry(base(L1), index);
    }

    String listenerLine(final long vaddr, final long bytes)
    {
        return ASID + " " + Long.toHexString(base(L4)) + " " + Long.toHexString(vaddr) + " " +
            Long.toHexString(bytes);
    }

    /**
     * Runs {@code action}, expecting {@code error}, and checks nothing changed: the mapping database with every
     * entry's mapping records, and all four tables.
     */
    ShoalException assertFails(final ShoalError error, final Executable action)
    {
        final List<String> before = snapshot();
        final ShoalException e = assertThrows(ShoalException.class, action);
        assertEquals(error, e.error(), e.getMessage());
        assertEquals(before, snapshot(), "a refused invocation changes nothing");
        caps.checkConsistency();
        return e;
    }

    private List<String> snapshot()
    {
        final List<String> out = new ArrayList<>();
        for (final Cte cte : caps.mdb().entries())
        {
            out.add(System.identityHashCode(cte) + " " + cte);
        }
        for (final int table : new int[] {L4, L3, L2, L1})
        {
            for (int i = 0; i < PageTableFormat.ENTRIES; i++)
            {
                final long e = vnodes.mmu().tables().readEntry(base(slot(table)), i);
                if (e != 0)
                {
                    out.add(table + "[" + i + "]=" + Long.toHexString(e));
                }
            }
        }
        return out;
    }

    @Override
    public void close()
    {
        machine.close();
    }
}
