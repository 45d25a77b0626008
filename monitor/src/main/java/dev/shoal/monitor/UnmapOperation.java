package dev.shoal.monitor;

import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.paging.AddressSpace;
import dev.shoal.kernel.paging.PageTableFormat;
import dev.shoal.kernel.paging.PageTables;
import dev.shoal.kernel.paging.PagingCosts;

/**
 * The full unmap, as the Multikernel paper's Figure 7 measures it: an application's dispatcher unmaps pages of an
 * address space that dispatchers on other cores run too, and returns only when no core can reach the pages any
 * more. The path and what each step is charged (all on the dispatcher's core unless said otherwise):
 * <ol>
 *   <li>the dispatcher clears the leaf entries in its page tables ({@link PageTables#unmap}): the walk to them,
 *       {@link PagingCosts#walk} of {@link PageTableFormat#LEVELS} entries, as a TLB miss pays. Entering the CPU
 *       driver to do it is not charged: no kernel call in Shoal is (the cost model has no figure for a trap);</li>
 *   <li>it calls its local monitor ({@link Monitor#call}): the machine's same-core LRPC round trip, which covers
 *       the request and the reply to the dispatcher; the request reaches the monitor through its loopback, one
 *       slot's software and a monitor dispatch;</li>
 *   <li>the monitor shoots the range down on the given cores ({@link ShootdownOperation#start}, the Figure 6
 *       protocols): its own INVLPG, the messages, each core's dispatch, INVLPG and acknowledgement, and the
 *       aggregation of the acknowledgements;</li>
 *   <li>when every core has acknowledged, the monitor completes the call and the dispatcher runs again.</li>
 * </ol>
 * The user may only ask its own core's monitor: an unmap is the caller's, and its shootdown starts where it runs.
 */
public final class UnmapOperation implements MonitorOperation
{
    /** Dispatcher → its own monitor (through {@link Monitor#call}): shoot the range down on {@code cores}. */
    public record Unmap(long requestId, String strategy, int asid, long vaddr, long bytes, int[] cores)
    {
    }

    private final ShootdownOperation shootdown;

    /** An unmap whose shootdown runs {@code shootdown} (which the machine must register as well). */
    public UnmapOperation(final ShootdownOperation shootdown)
    {
        this.shootdown = shootdown;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Unmap.class, this::onUnmap);
    }

    /**
     * Unmaps {@code [vaddr, vaddr + bytes)} from {@code space} and returns once every core of {@code cores} (the
     * cores that run the address space; the caller's own is always included) has dropped the translations.
     * Called by a dispatcher of {@code monitor}'s core, which parks until then.
     *
     * @return the shootdown's result: how many cores acknowledged and whether the initiator gave up waiting.
     * @throws IllegalStateException when the caller is not a dispatcher of {@code monitor}'s core.
     */
    public ShootdownOperation.Result unmap(final Monitor monitor, final ShootdownStrategy strategy,
        final AddressSpace space, final long vaddr, final long bytes, final int[] cores)
    {
        final Dispatcher self = Dispatcher.currentOrNull();
        if (self == null || self.core() != monitor.core())
        {
            throw new IllegalStateException("an unmap is called by a dispatcher of core " + monitor.coreId());
        }
        new PageTables(monitor.core().machine().physicalMemory()).unmap(space.l4Table(), vaddr, bytes);
        self.charge(PagingCosts.DEFAULT.walk(PageTableFormat.LEVELS));
        return (ShootdownOperation.Result)monitor.call(monitor.coreId(),
            id -> new Unmap(id, strategy.cliName(), space.asid(), vaddr, bytes, cores));
    }

    private void onUnmap(final Monitor monitor, final int from, final Unmap request)
    {
        if (from != monitor.coreId())
        {
            return; // only the dispatchers of this core call it (see unmap)
        }
        shootdown.start(monitor, ShootdownStrategy.parse(request.strategy()), request.asid(), request.vaddr(),
            request.bytes(), request.cores()).thenAccept(result -> monitor.complete(request.requestId(), result));
    }
}
