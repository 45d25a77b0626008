package dev.shoal.monitor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.shoal.kernel.Core;
import dev.shoal.kernel.Trace;
import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapDescriptor;
import dev.shoal.kernel.caps.CapOps;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;

/**
 * Capabilities across cores. A capability crosses cores only as a {@link CapDescriptor} that monitors send; each
 * core keeps its own mapping database. Operations that touch copies on other cores go through the capability's
 * owner:
 * <ul>
 *   <li><b>send</b>: a copy is installed in the receiving core's init CSpace; both sides record that remote
 *       copies exist (Barrelfish's relation flags).</li>
 *   <li><b>revoke</b>: mark-and-sweep two-phase commit run by the owner over every other core. Phase one marks
 *       the copies and descendants each core holds (refusing if another operation holds one); if any core refuses,
 *       all marks are cleared and the revoke fails with CAP_LOCKED; otherwise phase two deletes them everywhere
 *       (each deletion runs its clean-up, e.g. unmapping a frame), then the owner revokes locally. A revoke asked
 *       on a core that does not own the capability is forwarded to the owner.</li>
 *   <li><b>delete</b> of the owner's last copy while copies live elsewhere: ownership moves to the lowest
 *       numbered core holding a copy, every core learns the new owner, then the old owner deletes its copy.</li>
 *   <li><b>retype</b> of a shared capability: ownership is retrieved first if needed, then every core confirms
 *       it holds no overlapping descendant.</li>
 * </ul>
 * Guarantee: when revoke's future completes normally, no core holds a copy or a descendant of the object any more.
 */
public final class CapabilityOperation implements MonitorOperation
{
    public record Install(long requestId, byte[] descriptor)
    {
    }

    public record Installed(long requestId, boolean ok, int cptr, int error, String detail)
    {
    }

    public record RevokeAtOwner(long requestId, byte[] descriptor)
    {
    }

    public record RevokeDone(long requestId, boolean ok, int cores, int deleted, int error, String detail)
    {
    }

    public record Mark(long round, byte[] descriptor)
    {
    }

    public record Marked(long round, boolean ok, int count, int error, String detail)
    {
    }

    /**
     * Phase two of a revoke. It names the object again, so that a core whose monitor restarted after marking (and
     * so lost the list of what it marked) still finds its marked copies in the kernel's mapping database.
     */
    public record Sweep(long round, long markRound, boolean commit, byte[] descriptor)
    {
    }

    public record Swept(long round, int deleted)
    {
    }

    public record HoldsCopy(long round, byte[] descriptor)
    {
    }

    public record CopyHeld(long round, boolean held)
    {
    }

    public record NewOwner(long round, byte[] descriptor, int owner)
    {
    }

    public record OwnerSet(long round)
    {
    }

    public record TransferOwnership(long requestId, byte[] descriptor, int newOwner)
    {
    }

    public record OwnershipTransferred(long requestId, boolean ok, int error, String detail)
    {
    }

    public record RetypeCheck(long round, byte[] descriptor, long base, long end)
    {
    }

    public record RetypeChecked(long round, boolean clash, String clashWith)
    {
    }

    public record DescendantsElsewhere(long round, byte[] descriptor)
    {
    }

    /**
     * What a revoke did: cores asked, entries deleted on other cores, and the cores that did not confirm the sweep
     * in time (presumed halted; whatever they hold was not deleted).
     */
    public record RevokeResult(int cores, int remoteDeleted, List<Integer> unresponsive)
    {
    }

    /**
     * Simulated cycles a round waits for every reply before it presumes the silent cores halted: 1 ms at 2 GHz,
     * far above the slowest round trip across the largest machine booted here (tens of thousands of cycles).
     */
    public static final long ROUND_TIMEOUT_CYCLES = 2_000_000;

    /** A round run by this core (revoke or ownership move). */
    private static final class Round
    {
        long phaseId;
        long markPhase;
        final java.util.Set<Integer> replied = new java.util.HashSet<>();
        final List<Integer> unresponsive = new java.util.ArrayList<>();
        int waiting;
        boolean refused;
        String error = "";
        boolean clash;
        int deleted;
        int newOwner = Integer.MAX_VALUE;
        Runnable next;
        CompletableFuture<RevokeResult> revoked;
        CompletableFuture<Void> deletedLocally;
    }

    /** Core-local state: rounds this core runs, marks it holds for other cores' rounds, pending requests. */
    private static final class State
    {
        final Map<Long, Round> rounds = new HashMap<>();
        final Map<Long, List<Cte>> marks = new HashMap<>();
        final Map<Long, CompletableFuture<Integer>> installs = new HashMap<>();
        final Map<Long, CompletableFuture<RevokeResult>> forwarded = new HashMap<>();
        final Map<Long, CompletableFuture<Void>> transfers = new HashMap<>();
        long next = 1;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Install.class, CapabilityOperation::onInstall);
        protocol.message(Installed.class, (m, from, r) ->
        {
            final CompletableFuture<Integer> f = state(m).installs.remove(r.requestId());
            if (f != null)
            {
                if (r.ok())
                {
                    f.complete(r.cptr());
                }
                else
                {
                    f.completeExceptionally(refusal(r.error(), r.detail()));
                }
            }
        });
        protocol.message(RevokeAtOwner.class, CapabilityOperation::onRevokeAtOwner);
        protocol.message(RevokeDone.class, (m, from, r) ->
        {
            final CompletableFuture<RevokeResult> f = state(m).forwarded.remove(r.requestId());
            if (f != null)
            {
                if (r.ok())
                {
                    f.complete(new RevokeResult(r.cores(), r.deleted(), List.of()));
                }
                else
                {
                    f.completeExceptionally(refusal(r.error(), r.detail()));
                }
            }
        });
        protocol.message(Mark.class, CapabilityOperation::onMark);
        protocol.message(Marked.class, (m, from, r) -> onReply(m, from, r.round(), round ->
        {
            if (!r.ok())
            {
                round.refused = true;
                round.error = "core " + from + ": " + refusal(r.error(), r.detail()).getMessage();
            }
        }));
        protocol.message(Sweep.class, CapabilityOperation::onSweep);
        protocol.message(Swept.class, (m, from, r) -> onReply(m, from, r.round(), round -> round.deleted += r.deleted()));
        protocol.message(HoldsCopy.class, (m, from, r) ->
            m.send(from, new CopyHeld(r.round(), m.core().caps().mdb().findCopy(decode(r.descriptor())) != null)));
        protocol.message(CopyHeld.class, (m, from, r) -> onReply(m, from, r.round(), round ->
        {
            if (r.held())
            {
                round.newOwner = Math.min(round.newOwner, from);
            }
        }));
        protocol.message(NewOwner.class, (m, from, r) ->
        {
            final Cte copy = m.core().caps().mdb().findCopy(decode(r.descriptor()));
            if (copy != null)
            {
                m.core().caps().mdb().setOwner(copy, r.owner());
            }
            m.send(from, new OwnerSet(r.round()));
        });
        protocol.message(OwnerSet.class, (m, from, r) -> onReply(m, from, r.round(), round -> { }));
        protocol.message(TransferOwnership.class, CapabilityOperation::onTransferOwnership);
        protocol.message(OwnershipTransferred.class, (m, from, r) ->
        {
            final CompletableFuture<Void> f = state(m).transfers.remove(r.requestId());
            if (f != null)
            {
                if (r.ok())
                {
                    f.complete(null);
                }
                else
                {
                    f.completeExceptionally(refusal(r.error(), r.detail()));
                }
            }
        });
        protocol.message(RetypeCheck.class, (m, from, r) ->
        {
            final Capability cap = decode(r.descriptor());
            final Cte copy = m.core().caps().mdb().findCopy(cap);
            final Cte clash = copy == null ? null :
                m.core().caps().mdb().findDescendantOverlapping(cap, r.base(), r.end());
            m.send(from, new RetypeChecked(r.round(), clash != null, clash == null ? "" :
                "core " + m.coreId() + " holds " + clash.capability()));
        });
        protocol.message(RetypeChecked.class, (m, from, r) -> onReply(m, from, r.round(), round ->
        {
            if (r.clash())
            {
                round.clash = true;
                round.error = r.clashWith();
            }
        }));
        protocol.message(DescendantsElsewhere.class, (m, from, r) ->
        {
            final Cte copy = m.core().caps().mdb().findCopy(decode(r.descriptor()));
            if (copy != null)
            {
                m.core().caps().mdb().setRelations(copy, Cte.REMOTE_DESCENDANTS, Cte.REMOTE_DESCENDANTS);
            }
            m.send(from, new OwnerSet(r.round()));
        });
    }

    // ------------------------------------------------------------------------------------------------ send

    /**
     * Sends a copy of the capability at {@code cptr} of {@code space} to core {@code toCore}'s init CSpace. Needs
     * GRANT. Called on {@code monitor}'s core; the future gives the slot the copy landed in.
     */
    public static CompletableFuture<Integer> send(final Monitor monitor, final CSpace space, final int cptr,
        final int toCore)
    {
        final CapOps ops = monitor.core().caps();
        final Capability cap = ops.requireRights(space, cptr, Rights.GRANT);
        final State state = state(monitor);
        final long id = state.next++;
        final CompletableFuture<Integer> installed = new CompletableFuture<>();
        state.installs.put(id, installed);
        ops.mdb().setRelations(space.slot(cptr), Cte.REMOTE_COPIES, Cte.REMOTE_COPIES);
        trace(monitor, TRACE_SEND, cap);
        monitor.send(toCore, new Install(id, CapDescriptor.encode(cap)));
        return installed;
    }

    private static void onInstall(final Monitor monitor, final int from, final Install request)
    {
        try
        {
            final Capability cap = decode(request.descriptor());
            final Core core = monitor.core();
            final CSpace init = core.initCSpace();
            final int slot = freeSlot(init);
            core.caps().install(init, CSpace.BOOT_KERNEL_CPTR, cap, Cte.REMOTE_COPIES, init, slot);
            trace(monitor, TRACE_INSTALL, cap);
            monitor.send(from, new Installed(request.requestId(), true, slot, NO_ERROR, ""));
        }
        catch (final ShoalException ex)
        {
            monitor.send(from, new Installed(request.requestId(), false, -1, ex.error().code(), detail(ex)));
        }
    }

    /** The first empty slot of leaf 0 after the boot capabilities. */
    static int freeSlot(final CSpace space)
    {
        final int slots = 1 << space.leafBits();
        for (int i = CSpace.BOOT_RAM_CPTR + 1; i < slots; i++)
        {
            final int cptr = space.cptr(0, i);
            if (space.slot(cptr).isEmpty())
            {
                return cptr;
            }
        }
        throw ShoalError.CNODE_FULL.exception("no free slot in " + space);
    }

    // ------------------------------------------------------------------------------------------------ revoke

    /**
     * Revokes the capability at {@code cptr} of {@code space} on every core: afterwards only that capability
     * remains of its object and its descendants. Called on {@code monitor}'s core. Needs GRANT. If another core
     * owns the capability, the owner runs the revoke.
     */
    public static CompletableFuture<RevokeResult> revoke(final Monitor monitor, final CSpace space, final int cptr)
    {
        final Capability cap = monitor.core().caps().requireRights(space, cptr, Rights.GRANT);
        if (cap.owner() != monitor.coreId())
        {
            final State state = state(monitor);
            final long id = state.next++;
            final CompletableFuture<RevokeResult> done = new CompletableFuture<>();
            state.forwarded.put(id, done);
            monitor.send(cap.owner(), new RevokeAtOwner(id, CapDescriptor.encode(cap)));
            return done;
        }
        return revokeAsOwner(monitor, space.slot(cptr));
    }

    private static void onRevokeAtOwner(final Monitor monitor, final int from, final RevokeAtOwner request)
    {
        final Cte copy = monitor.core().caps().mdb().findCopy(decode(request.descriptor()));
        if (copy == null)
        {
            monitor.send(from, new RevokeDone(request.requestId(), false, 0, 0, ShoalError.CAP_NOT_FOUND.code(),
                "the owner holds no copy"));
            return;
        }
        revokeAsOwner(monitor, copy).whenComplete((result, failure) ->
        {
            if (failure == null)
            {
                monitor.send(from, new RevokeDone(request.requestId(), true, result.cores(), result.remoteDeleted(),
                    NO_ERROR, ""));
            }
            else
            {
                final ShoalException refusal = asShoalException(failure);
                monitor.send(from, new RevokeDone(request.requestId(), false, 0, 0, refusal.error().code(),
                    detail(refusal)));
            }
        });
    }

    private static CompletableFuture<RevokeResult> revokeAsOwner(final Monitor monitor, final Cte target)
    {
        final CapOps ops = monitor.core().caps();
        final Capability cap = target.capability();
        final List<Cte> local = ops.victims(cap, true);
        local.remove(target);
        ops.mark(local);
        final Round round = new Round();
        round.revoked = new CompletableFuture<>();
        final byte[] descriptor = CapDescriptor.encode(cap);
        broadcast(monitor, round, phase -> new Mark(phase, descriptor), () ->
        {
            // Two-phase commit: commit only if every core marked; a refusal or a silent core aborts.
            final boolean commit = !round.refused && round.unresponsive.isEmpty();
            final List<Integer> silentWhileMarking = List.copyOf(round.unresponsive);
            final long markPhase = round.markPhase;
            round.unresponsive.clear();
            broadcast(monitor, round, phase -> new Sweep(phase, markPhase, commit, descriptor), () ->
            {
                if (commit)
                {
                    trace(monitor, TRACE_REVOKE, cap);
                    ops.sweep(local);
                    ops.mdb().setRelations(target, 0, Cte.REMOTE_COPIES | Cte.REMOTE_DESCENDANTS);
                    round.revoked.complete(new RevokeResult(monitor.coreCount() - 1, round.deleted,
                        List.copyOf(round.unresponsive)));
                }
                else
                {
                    ops.unmark(local);
                    round.revoked.completeExceptionally(silentWhileMarking.isEmpty() ?
                        ShoalError.CAP_LOCKED.exception("revoke of " + cap + " aborted: " + round.error) :
                        ShoalError.CORE_UNRESPONSIVE.exception("revoke of " + cap + " aborted: cores " +
                            silentWhileMarking + " did not answer within " + ROUND_TIMEOUT_CYCLES + " cycles"));
                }
            });
        });
        return round.revoked;
    }

    private static void onMark(final Monitor monitor, final int from, final Mark mark)
    {
        final CapOps ops = monitor.core().caps();
        final List<Cte> victims = ops.victims(decode(mark.descriptor()), true);
        try
        {
            ops.mark(victims, key(from, mark.round()));
            trace(monitor, TRACE_MARK, decode(mark.descriptor()));
            state(monitor).marks.put(key(from, mark.round()), victims);
            monitor.send(from, new Marked(mark.round(), true, victims.size(), NO_ERROR, ""));
        }
        catch (final ShoalException ex)
        {
            monitor.send(from, new Marked(mark.round(), false, 0, ex.error().code(), detail(ex)));
        }
    }

    private static void onSweep(final Monitor monitor, final int from, final Sweep sweep)
    {
        final CapOps ops = monitor.core().caps();
        final long holder = key(from, sweep.markRound());
        List<Cte> victims = state(monitor).marks.remove(holder);
        if (victims == null)
        {
            // No record of a mark: this core refused to mark (another operation holds the entries: leave its marks
            // alone), or its monitor restarted and lost the record; the kernel's marks name their holder.
            victims = ops.victims(decode(sweep.descriptor()), true).stream().filter(v -> v.isMarkedBy(holder))
                .toList();
        }
        int deleted = 0;
        if (victims != null)
        {
            if (sweep.commit())
            {
                deleted = ops.sweep(victims);
                if (trace(monitor))
                {
                    monitor.core().trace().record(monitor.coreId(), monitor.now(), Trace.Event.CAPABILITY,
                        TRACE_SWEEP, deleted);
                }
            }
            else
            {
                ops.unmark(victims, holder);
            }
        }
        monitor.send(from, new Swept(sweep.round(), deleted));
    }

    // ------------------------------------------------------------------------------------------------ delete

    /**
     * Deletes the capability at {@code cptr} of {@code space}. A plain local delete unless it is the owner's last
     * copy of an object with copies on other cores: then ownership first moves to the lowest-numbered core holding
     * a copy and every core learns it. Called on {@code monitor}'s core.
     */
    public static CompletableFuture<Void> delete(final Monitor monitor, final CSpace space, final int cptr)
    {
        final CapOps ops = monitor.core().caps();
        try
        {
            final Capability deleted = space.capability(cptr);
            ops.delete(space, cptr);
            trace(monitor, TRACE_DELETE, deleted);
            return CompletableFuture.completedFuture(null);
        }
        catch (final ShoalException ex)
        {
            if (ex.error() != ShoalError.DELETE_LAST_OWNED)
            {
                throw ex;
            }
        }
        final Cte target = space.slot(cptr);
        final Capability cap = target.capability();
        final Round round = new Round();
        round.deletedLocally = new CompletableFuture<>();
        final byte[] descriptor = CapDescriptor.encode(cap);
        broadcast(monitor, round, phase -> new HoldsCopy(phase, descriptor), () ->
        {
            if (round.newOwner == Integer.MAX_VALUE)
            {
                // Nobody holds a copy any more: the flag was stale, and this is the last copy anywhere.
                ops.mdb().setRelations(target, 0, Cte.REMOTE_COPIES);
                ops.delete(space, cptr);
                round.deletedLocally.complete(null);
                return;
            }
            final int owner = round.newOwner;
            // Give up ownership before announcing it, so no moment has two cores that each think they own it.
            ops.mdb().setOwner(target, owner);
            broadcast(monitor, round, phase -> new NewOwner(phase, descriptor, owner), () ->
            {
                ops.delete(space, cptr);
                round.deletedLocally.complete(null);
            });
        });
        return round.deletedLocally;
    }

    // ------------------------------------------------------------------------------------------------ retype

    /**
     * Retypes like {@link CapOps#retype(CSpace, int, dev.shoal.kernel.caps.CapType, long, long, int, CSpace, int)},
     * going through the monitors when the capability is shared: a core that does not own it first retrieves
     * ownership (the owner tells every core the new owner); if copies exist elsewhere, every core is asked whether
     * it holds a descendant overlapping the range, the retype happens only if none does, and the other copies are
     * then flagged as having remote descendants. Called on {@code monitor}'s core.
     */
    public static CompletableFuture<Void> retype(final Monitor monitor, final CSpace space, final int src,
        final dev.shoal.kernel.caps.CapType type, final long offset, final long objectBytes, final int count,
        final int dst)
    {
        final CapOps ops = monitor.core().caps();
        final Capability cap = ops.requireRights(space, src, Rights.WRITE);
        if (cap.owner() != monitor.coreId())
        {
            final State state = state(monitor);
            final long id = state.next++;
            final CompletableFuture<Void> transferred = new CompletableFuture<>();
            state.transfers.put(id, transferred);
            monitor.send(cap.owner(), new TransferOwnership(id, CapDescriptor.encode(cap), monitor.coreId()));
            // Continues on this core when the owner's answer arrives (the future completes in a handler here).
            return transferred.thenCompose(ignored -> retype(monitor, space, src, type, offset, objectBytes, count,
                dst));
        }
        try
        {
            ops.retype(space, src, type, offset, objectBytes, count, dst);
            trace(monitor, TRACE_RETYPE, cap);
            return CompletableFuture.completedFuture(null);
        }
        catch (final ShoalException ex)
        {
            if (ex.error() != ShoalError.RETRY_THROUGH_MONITOR)
            {
                throw ex;
            }
        }
        final Round round = new Round();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final byte[] descriptor = CapDescriptor.encode(cap);
        final long base = cap.base() + offset;
        final long end = base + count * objectBytes;
        broadcast(monitor, round, phase -> new RetypeCheck(phase, descriptor, base, end), () ->
        {
            if (!round.unresponsive.isEmpty())
            {
                done.completeExceptionally(ShoalError.CORE_UNRESPONSIVE.exception("retype: cores " +
                    round.unresponsive + " could not confirm they hold no overlapping descendant"));
                return;
            }
            if (round.clash)
            {
                done.completeExceptionally(ShoalError.RETYPE_OVERLAPS_DESCENDANTS.exception(round.error));
                return;
            }
            try
            {
                ops.retypeAgreed(space, src, type, offset, objectBytes, count, space, dst);
                trace(monitor, TRACE_RETYPE, cap);
            }
            catch (final ShoalException ex)
            {
                done.completeExceptionally(ex);
                return;
            }
            broadcast(monitor, round, phase -> new DescendantsElsewhere(phase, descriptor),
                () -> done.complete(null));
        });
        return done;
    }

    private static void onTransferOwnership(final Monitor monitor, final int from, final TransferOwnership request)
    {
        final Cte copy = monitor.core().caps().mdb().findCopy(decode(request.descriptor()));
        if (copy == null || copy.capability().owner() != monitor.coreId())
        {
            monitor.send(from, new OwnershipTransferred(request.requestId(), false, ShoalError.NOT_OWNER.code(),
                "core " + monitor.coreId() + " does not own it"));
            return;
        }
        final Round round = new Round();
        final byte[] descriptor = request.descriptor();
        monitor.core().caps().mdb().setOwner(copy, request.newOwner());
        broadcast(monitor, round, phase -> new NewOwner(phase, descriptor, request.newOwner()),
            () -> monitor.send(from, new OwnershipTransferred(request.requestId(), true, NO_ERROR, "")));
    }

    // ------------------------------------------------------------------------------------------------ rounds

    /**
     * One phase of a round: sends the message made for the phase's fresh id to every other booted core and runs
     * {@code then} when all have replied, or when {@link #ROUND_TIMEOUT_CYCLES} have passed — then the silent
     * cores are listed in {@code round.unresponsive}. Replies to a finished phase are ignored (their id is gone).
     */
    private static void broadcast(final Monitor monitor, final Round round,
        final java.util.function.LongFunction<Object> message, final Runnable then)
    {
        final State state = state(monitor);
        final long phase = state.next++;
        state.rounds.put(phase, round);
        round.phaseId = phase;
        if (round.markPhase == 0)
        {
            round.markPhase = phase;
        }
        round.replied.clear();
        final int cores = monitor.coreCount();
        round.waiting = cores - 1;
        round.next = then;
        if (round.waiting == 0)
        {
            endPhase(monitor, round, phase);
            return;
        }
        for (int c = 0; c < cores; c++)
        {
            if (c != monitor.coreId())
            {
                monitor.send(c, message.apply(phase));
            }
        }
        monitor.after(ROUND_TIMEOUT_CYCLES, () ->
        {
            if (round.phaseId == phase && state.rounds.containsKey(phase))
            {
                for (int c = 0; c < cores; c++)
                {
                    if (c != monitor.coreId() && !round.replied.contains(c))
                    {
                        round.unresponsive.add(c);
                    }
                }
                endPhase(monitor, round, phase);
            }
        });
    }

    private static void onReply(final Monitor monitor, final int from, final long phase,
        final java.util.function.Consumer<Round> apply)
    {
        final Round round = state(monitor).rounds.get(phase);
        if (round == null || round.phaseId != phase || !round.replied.add(from))
        {
            return;
        }
        apply.accept(round);
        if (--round.waiting == 0)
        {
            endPhase(monitor, round, phase);
        }
    }

    private static void endPhase(final Monitor monitor, final Round round, final long phase)
    {
        state(monitor).rounds.remove(phase);
        final Runnable next = round.next;
        round.next = null;
        if (next != null)
        {
            next.run();
        }
    }

    private static long key(final int core, final long round)
    {
        return ((long)core << 40) | round;
    }

    /** Codes of the capability events in the trace ({@code a} of {@link Trace.Event#CAPABILITY}). */
    public static final int TRACE_SEND = 1;
    public static final int TRACE_INSTALL = 2;
    public static final int TRACE_MARK = 3;
    public static final int TRACE_SWEEP = 4;
    public static final int TRACE_REVOKE = 5;
    public static final int TRACE_DELETE = 6;
    public static final int TRACE_RETYPE = 7;

    private static void trace(final Monitor monitor, final int operation, final Capability cap)
    {
        final Trace trace = monitor.core().trace();
        if (trace.enabled())
        {
            trace.record(monitor.coreId(), monitor.now(), Trace.Event.CAPABILITY, operation, cap.objectId());
        }
    }

    private static boolean trace(final Monitor monitor)
    {
        return monitor.core().trace().enabled();
    }

    // ------------------------------------------------------------------------------------------------ errors

    /** The error field of a reply that reports success. */
    private static final int NO_ERROR = -1;

    /**
     * The exception a reply's error code and detail stand for: the same {@link ShoalError} the answering core
     * refused with, so a caller's {@code catch (ShoalException e)} does not depend on which core answered.
     */
    static ShoalException refusal(final int code, final String detail)
    {
        final ShoalError error = ShoalError.fromCode(code);
        return error != null ? new ShoalException(error, detail) :
            new ShoalException(ShoalError.REMOTE_FAILURE, "unknown error code " + code + ": " + detail);
    }

    /** {@code failure} as the ShoalException to send on: itself, or REMOTE_FAILURE naming an unexpected one. */
    private static ShoalException asShoalException(final Throwable failure)
    {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return cause instanceof ShoalException shoal ? shoal :
            new ShoalException(ShoalError.REMOTE_FAILURE, String.valueOf(cause));
    }

    /** A detail fit for a message, which carries no nulls. */
    private static String detail(final ShoalException ex)
    {
        return ex.detail() == null ? "" : ex.detail();
    }

    private static State state(final Monitor monitor)
    {
        return monitor.local(State.class, State::new);
    }

    private static Capability decode(final byte[] descriptor)
    {
        return CapDescriptor.decode(descriptor);
    }
}
