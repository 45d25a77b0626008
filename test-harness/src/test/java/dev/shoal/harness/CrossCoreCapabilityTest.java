package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Cte;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.CapabilityOperation;
import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorSystem;

/** Capabilities crossing cores as descriptors, and revoke/delete through the owner. */
class CrossCoreCapabilityTest
{
    private static final int FRAME = 2;
    private static final int PIECE = 3;
    private static final long FRAME_BYTES = 4 * 4096;

    private static <T> T on(final MonitorSystem system, final int core, final Function<Monitor, T> f) throws Exception
    {
        return system.onCore(core, f).get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(final MonitorSystem system, final int core,
        final Function<Monitor, CompletableFuture<T>> f) throws Exception
    {
        return on(system, core, f).get(10, TimeUnit.SECONDS);
    }

    /** Core 0 retypes a 16 KiB frame from its RAM and a 4 KiB piece of it; returns the frame capability. */
    private static Capability makeFrameOnCoreZero(final MonitorSystem system) throws Exception
    {
        return on(system, 0, m ->
        {
            final CSpace init = m.core().initCSpace();
            m.core().caps().retype(init, CSpace.BOOT_RAM_CPTR, CapType.FRAME, 0, FRAME_BYTES, 1, init.cptr(0, FRAME));
            m.core().caps().retype(init, init.cptr(0, FRAME), CapType.FRAME, 0, 4096, 1, init.cptr(0, PIECE));
            return init.capability(init.cptr(0, FRAME));
        });
    }

    private static int sendTo(final MonitorSystem system, final int slot, final int core) throws Exception
    {
        return await(system, 0, m ->
        {
            final CSpace init = m.core().initCSpace();
            return CapabilityOperation.send(m, init, init.cptr(0, slot), core);
        });
    }

    private static Cte copyOn(final MonitorSystem system, final int core, final Capability cap) throws Exception
    {
        return on(system, core, m -> m.core().caps().mdb().findCopy(cap));
    }

    @OnBootedMachine(cores = {2, 4, 16})
    void shouldInstallASentCopyWithItsOwnerAndRelations(final Shoal shoal) throws Exception
    {
        final MonitorSystem system = shoal.system();
        final Capability frame = makeFrameOnCoreZero(system);
        final int last = shoal.cores() - 1;
        final int slot = sendTo(system, FRAME, last);
        final Capability remote = on(system, last, m -> m.core().initCSpace().capability(slot));
        assertTrue(remote.isCopyOf(frame));
        assertEquals(0, remote.owner());
        assertTrue(copyOn(system, 0, frame).hasRelation(Cte.REMOTE_COPIES));
        assertTrue(copyOn(system, last, frame).hasRelation(Cte.REMOTE_COPIES));
    }

    @OnBootedMachine(cores = {4, 16})
    void shouldRevokeCopiesAndDescendantsOnEveryCore(final Shoal shoal) throws Exception
    {
        final MonitorSystem system = shoal.system();
        final Capability frame = makeFrameOnCoreZero(system);
        final Capability piece = on(system, 0, m -> m.core().initCSpace().capability(m.core().initCSpace().cptr(0, PIECE)));
        for (int c = 1; c < shoal.cores(); c++)
        {
            sendTo(system, FRAME, c);
        }
        sendTo(system, PIECE, 2);
        assertNotNull(copyOn(system, 2, piece));

        final CapabilityOperation.RevokeResult result = await(system, 0, m ->
        {
            final CSpace init = m.core().initCSpace();
            return CapabilityOperation.revoke(m, init, init.cptr(0, FRAME));
        });
        assertEquals(shoal.cores() - 1, result.cores());
        assertEquals(shoal.cores() - 1 + 1, result.remoteDeleted(), "a copy on every other core and the piece on 2");
        for (int c = 1; c < shoal.cores(); c++)
        {
            assertNull(copyOn(system, c, frame), "core " + c + " still holds the frame");
            assertNull(copyOn(system, c, piece), "core " + c + " still holds the piece");
        }
        assertNull(copyOn(system, 0, piece), "the owner's descendant goes too");
        final Cte kept = copyOn(system, 0, frame);
        assertNotNull(kept, "revoke keeps the capability it was called on");
        assertFalse(kept.hasRelation(Cte.REMOTE_COPIES));
        on(system, 0, m ->
        {
            m.core().caps().checkConsistency();
            return null;
        });
    }

    @OnBootedMachine(cores = {4})
    void shouldForwardARevokeFromACopyHolderToTheOwner(final Shoal shoal) throws Exception
    {
        final MonitorSystem system = shoal.system();
        final Capability frame = makeFrameOnCoreZero(system);
        final int slotOn3 = sendTo(system, FRAME, 3);
        sendTo(system, FRAME, 1);
        await(system, 3, m -> CapabilityOperation.revoke(m, m.core().initCSpace(), slotOn3));
        assertNull(copyOn(system, 1, frame));
        assertNull(copyOn(system, 3, frame), "the owner's copy is the one that stays");
        assertNotNull(copyOn(system, 0, frame));
    }

    @OnBootedMachine(cores = {4})
    void shouldAbortARevokeWhenACoreHoldsACopyForAnotherOperation(final Shoal shoal) throws Exception
    {
        final MonitorSystem system = shoal.system();
        final Capability frame = makeFrameOnCoreZero(system);
        for (int c = 1; c < 4; c++)
        {
            sendTo(system, FRAME, c);
        }
        on(system, 2, m ->
        {
            m.core().caps().mark(List.of(m.core().caps().mdb().findCopy(frame)));
            return null;
        });
        final ExecutionException failure = assertThrows(ExecutionException.class, () -> await(system, 0, m ->
            CapabilityOperation.revoke(m, m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME))));
        assertTrue(failure.getCause().getMessage().contains("CAP_LOCKED"), failure.getCause().getMessage());
        for (int c = 1; c < 4; c++)
        {
            assertNotNull(copyOn(system, c, frame), "an aborted revoke deletes nothing (core " + c + ")");
        }
        assertFalse(copyOn(system, 1, frame).isInDelete(), "the abort cleared the marks");
        assertTrue(copyOn(system, 2, frame).isInDelete(),
            "core 2 refused because another operation holds its copy: the abort leaves that operation's mark alone");

        on(system, 2, m ->
        {
            m.core().caps().unmark(List.of(m.core().caps().mdb().findCopy(frame)));
            return null;
        });
        await(system, 0, m -> CapabilityOperation.revoke(m, m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME)));
        for (int c = 1; c < 4; c++)
        {
            assertNull(copyOn(system, c, frame));
        }
    }

    @OnBootedMachine(cores = {4})
    void shouldRefuseARevokeForwardedToTheOwnerWithTheSameErrorAsOneAskedOnTheOwner(final Shoal shoal)
        throws Exception
    {
        final MonitorSystem system = shoal.system();
        final Capability frame = makeFrameOnCoreZero(system);
        sendTo(system, FRAME, 2);
        final int slotOn3 = sendTo(system, FRAME, 3);
        // Core 2 holds its copy for another operation, through both revokes (an abort releases only its own marks).
        on(system, 2, m ->
        {
            m.core().caps().mark(List.of(m.core().caps().mdb().findCopy(frame)));
            return null;
        });
        final ExecutionException onOwner = assertThrows(ExecutionException.class, () -> await(system, 0, m ->
            CapabilityOperation.revoke(m, m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME))));
        final ExecutionException forwarded = assertThrows(ExecutionException.class, () -> await(system, 3, m ->
            CapabilityOperation.revoke(m, m.core().initCSpace(), slotOn3)));

        final ShoalException local = assertInstanceOf(ShoalException.class, onOwner.getCause());
        final ShoalException remote = assertInstanceOf(ShoalException.class, forwarded.getCause(),
            "the refusal keeps its type across cores");
        assertEquals(ShoalError.CAP_LOCKED, local.error());
        assertEquals(local.error(), remote.error());
        assertTrue(remote.detail().contains("core 2"), "the detail names the refusing core: " + remote.detail());
    }

    @OnBootedMachine(cores = {4})
    void shouldMoveOwnershipWhenTheOwnerDeletesItsLastCopy(final Shoal shoal) throws Exception
    {
        final MonitorSystem system = shoal.system();
        final Capability frame = makeFrameOnCoreZero(system);
        on(system, 0, m ->
        {
            final CSpace init = m.core().initCSpace();
            m.core().caps().delete(init, init.cptr(0, PIECE));
            return null;
        });
        sendTo(system, FRAME, 3);
        sendTo(system, FRAME, 2);
        await(system, 0, m -> CapabilityOperation.delete(m, m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME)));
        assertNull(copyOn(system, 0, frame));
        assertEquals(2, copyOn(system, 2, frame).capability().owner(), "the lowest core holding a copy owns it now");
        assertEquals(2, copyOn(system, 3, frame).capability().owner(), "and every core knows");
    }

    @OnBootedMachine(cores = {4})
    void shouldRetypeASharedCapabilityOnlyWhenNoCoreHoldsAnOverlappingDescendant(final Shoal shoal) throws Exception
    {
        final MonitorSystem system = shoal.system();
        final Capability frame = makeFrameOnCoreZero(system);
        sendTo(system, FRAME, 1);
        final int slotOn3 = sendTo(system, FRAME, 3);
        // The piece [0, 4 KiB) exists on core 0; a retype of the same range must fail, of the next page succeed.
        final ExecutionException clash = assertThrows(ExecutionException.class, () -> await(system, 0, m ->
            CapabilityOperation.retype(m, m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME), CapType.FRAME,
                0, 4096, 1, m.core().initCSpace().cptr(0, 9))));
        assertTrue(clash.getCause().getMessage().contains("RETYPE_OVERLAPS_DESCENDANTS"), clash.getCause().getMessage());
        await(system, 0, m -> CapabilityOperation.retype(m, m.core().initCSpace(), m.core().initCSpace().cptr(0, FRAME),
            CapType.FRAME, 4096, 4096, 1, m.core().initCSpace().cptr(0, 9)));
        assertTrue(copyOn(system, 1, frame).hasRelation(Cte.REMOTE_DESCENDANTS), "copies learn of remote descendants");

        // Core 3 does not own the frame: it retrieves ownership first, then retypes the third page.
        await(system, 3, m -> CapabilityOperation.retype(m, m.core().initCSpace(), slotOn3, CapType.FRAME,
            2 * 4096, 4096, 1, m.core().initCSpace().cptr(0, 20)));
        assertEquals(3, copyOn(system, 0, frame).capability().owner());
        assertEquals(3, copyOn(system, 1, frame).capability().owner());
        assertEquals(3, copyOn(system, 3, frame).capability().owner());
        final Capability third = on(system, 3, m -> m.core().initCSpace().capability(m.core().initCSpace().cptr(0, 20)));
        assertEquals(frame.base() + 2 * 4096, third.base());
        assertEquals(3, third.owner());
    }
}
