package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.KERNEL;
import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeleteTest
{
    private final CapsFixture f = new CapsFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldRunTheCleanupHookExactlyWhenTheLastCopyGoes()
    {
        f.frames(0, PAGE, 1, 5);
        final Capability frame = f.cap(f.slot(5));
        f.ops.copy(f.boot, f.slot(5), f.slot(6));
        f.ops.mint(f.boot, f.slot(5), f.slot(7), Rights.READ);

        f.ops.delete(f.boot, f.slot(5));
        f.ops.delete(f.boot, f.slot(7));
        assertEquals(List.of(), f.lastCopies, "copies remain");
        assertEquals(2, f.copies.size());

        f.ops.delete(f.boot, f.slot(6));
        assertEquals(List.of(frame), f.lastCopies);
        assertNull(f.cap(f.slot(6)));
        assertEquals(4, f.ops.mdb().size(), "root, leaf, kernel and RAM remain");
        f.ops.checkConsistency();
    }

    @Test
    void shouldRejectDeleteOfAnEmptySlot()
    {
        assertFails(ShoalError.SLOT_EMPTY, f.ops, () -> f.ops.delete(f.boot, f.slot(5)));
    }

    @Test
    void shouldRejectDeleteOfAnInvalidAddress()
    {
        assertFails(ShoalError.INVALID_CPTR, f.ops, () -> f.ops.delete(f.boot, f.boot.cptr(1, 0)));
        assertFails(ShoalError.INVALID_CPTR, f.ops, () -> f.ops.delete(f.boot, -1));
    }

    @Test
    void shouldRejectDeleteOfALockedCapability()
    {
        f.frames(0, PAGE, 1, 5);
        f.boot.slot(f.slot(5)).setLocked(true);
        assertFails(ShoalError.CAP_LOCKED, f.ops, () -> f.ops.delete(f.boot, f.slot(5)));
        f.boot.slot(f.slot(5)).setInDelete(true);
        f.boot.slot(f.slot(5)).setLocked(false);
        assertFails(ShoalError.CAP_LOCKED, f.ops, () -> f.ops.delete(f.boot, f.slot(5)));
    }

    @Test
    void shouldRejectDeleteOfTheLastOwnedCopyWhileCopiesExistOnOtherCores()
    {
        f.frames(0, PAGE, 1, 5);
        f.ops.copy(f.boot, f.slot(5), f.slot(6));
        f.ops.mdb().setRelations(f.boot.slot(f.slot(5)), Cte.REMOTE_COPIES, Cte.REMOTE_COPIES);

        f.ops.delete(f.boot, f.slot(6));
        assertFails(ShoalError.DELETE_LAST_OWNED, f.ops, () -> f.ops.delete(f.boot, f.slot(5)));
        assertEquals(List.of(), f.lastCopies);
    }

    @Test
    void shouldDeleteTheLocalCopyOfAForeignObjectWithoutCleaningItUp()
    {
        final Capability foreign = new Capability(CapType.FRAME, CapOps.initialRam(1, PAGE).base(), PAGE,
            Rights.ALL, 1, Capability.objectId(1, 7));
        f.ops.install(f.boot, KERNEL, foreign, Cte.REMOTE_COPIES, f.boot, f.slot(5));

        f.ops.delete(f.boot, f.slot(5));

        assertEquals(List.of(), f.lastCopies, "the owner cleans up, not this core");
        assertEquals(List.of(foreign), f.copies);
    }

    @Test
    void shouldNeedWriteOnTheCNodeHoldingTheSlot()
    {
        f.attachLeaf(0, 2, 5);
        f.ops.copy(f.boot, RAM, f.boot.cptr(2, 0));
        f.ops.mint(f.boot, CSpace.rootSlot(2), f.slot(6), Rights.READ.with(Rights.GRANT));
        f.ops.delete(f.boot, CSpace.rootSlot(2));
        f.ops.copy(f.boot, f.slot(6), CSpace.rootSlot(2));

        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops, () -> f.ops.delete(f.boot, f.boot.cptr(2, 0)));
    }

    @Test
    void shouldDeleteWhatACNodeHeldWhenItsLastCopyGoes()
    {
        f.attachLeaf(0, 2, 5);
        final int inLeaf = f.boot.cptr(2, 0);
        f.ops.retype(f.boot, RAM, CapType.FRAME, 16 * PAGE, PAGE, 2, inLeaf);
        f.ops.copy(f.boot, inLeaf, f.slot(6));
        f.ops.retype(f.boot, RAM, CapType.CNODE, 32 * PAGE, CapType.CTE_BYTES << 2, 1, f.boot.cptr(2, 2));
        final Capability inner = f.cap(f.boot.cptr(2, 2));
        final Capability onlyInLeaf = f.cap(f.boot.cptr(2, 1));
        final Capability leaf = f.cap(CSpace.rootSlot(2));
        final int cnodes = f.ops.cnodeCount();

        f.ops.delete(f.boot, CSpace.rootSlot(2));

        assertEquals(List.of(leaf, onlyInLeaf, inner), f.lastCopies,
            "the CNode's hook runs first, then the hooks of the objects only it held");
        assertEquals(cnodes - 2, f.ops.cnodeCount());
        assertTrue(f.cap(f.slot(6)) != null && !f.ops.mdb().hasCopies(f.boot.slot(f.slot(6))),
            "an object with a copy elsewhere survives");
        assertFails(ShoalError.INVALID_CPTR, f.ops, () -> f.boot.slot(inLeaf));
        f.ops.checkConsistency();
    }

    @Test
    void shouldQueueForTheMonitorWhatADeletedCNodeHeldButCannotBeDeletedLocally()
    {
        f.attachLeaf(0, 2, 5);
        f.ops.retype(f.boot, RAM, CapType.FRAME, 16 * PAGE, PAGE, 2, f.boot.cptr(2, 0));
        final Cte shared = f.boot.slot(f.boot.cptr(2, 0));
        final Cte locked = f.boot.slot(f.boot.cptr(2, 1));
        f.ops.mdb().setRelations(shared, Cte.REMOTE_COPIES, Cte.REMOTE_COPIES);
        locked.setLocked(true);

        f.ops.delete(f.boot, CSpace.rootSlot(2));

        assertEquals(List.of(shared, locked), List.copyOf(f.ops.mdb().pendingDeletes()));
        assertTrue(shared.isInDelete() && locked.isInDelete());
        assertFalse(shared.isEmpty());
        assertSame(shared, f.ops.mdb().findCopy(shared.capability()));
        f.ops.checkConsistency();
    }

    @Test
    void shouldDestroyACSpaceAndEverythingOnlyItHeld()
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << 2, 1, f.slot(5));
        final CSpace other = f.ops.newCSpace(f.boot, f.slot(5), 4, "other");
        f.ops.delete(f.boot, f.slot(5));
        f.ops.retype(f.boot, RAM, CapType.CNODE, PAGE, CapType.CTE_BYTES << 4, 1, other, CSpace.rootSlot(1));
        f.ops.retype(f.boot, RAM, CapType.FRAME, 2 * PAGE, PAGE, 1, other, other.cptr(1, 3));

        f.ops.destroyCSpace(other);

        assertFalse(other.isAlive());
        assertEquals(3, f.lastCopies.size(), "root CNode, leaf CNode, frame");
        assertEquals(4, f.ops.mdb().size());
        assertFails(ShoalError.INVALID_CPTR, f.ops, () -> other.slot(other.cptr(1, 3)));
        f.ops.checkConsistency();
    }
}
