package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.KERNEL;
import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RevokeTest
{
    private final CapsFixture f = new CapsFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldRevokeAllCopiesAndDescendantsAcrossCSpacesOfOneCore()
    {
        // The CNodes of two more CSpaces come from the boot RAM's first pages; the pool revoked lies after them.
        final CSpace a = newCSpace(0, "a");
        final CSpace b = newCSpace(2 * PAGE, "b");
        f.ops.retype(f.boot, RAM, CapType.RAM, 64 * PAGE, 64 * PAGE, 1, f.slot(5));
        final int pool = f.slot(5);
        f.ops.copy(f.boot, pool, a, a.cptr(1, 0));
        f.ops.mint(f.boot, pool, b, b.cptr(1, 0), Rights.READ.with(Rights.GRANT));
        f.ops.retype(f.boot, pool, CapType.RAM, 0, 16 * PAGE, 1, a, a.cptr(1, 1));
        f.ops.retype(a, a.cptr(1, 1), CapType.FRAME, 0, PAGE, 4, b, b.cptr(1, 4));
        f.ops.copy(b, b.cptr(1, 5), f.boot, f.slot(9));
        f.ops.retype(f.boot, pool, CapType.VNODE_L4, 32 * PAGE, PAGE, 1, b, b.cptr(1, 9));
        f.ops.retype(f.boot, pool, CapType.DISPATCHER, 33 * PAGE, CapType.DISPATCHER_BYTES, 1, f.slot(10));
        f.ops.retype(f.boot, f.slot(10), CapType.ENDPOINT, 0, 0, 2, a, a.cptr(1, 2));
        final Capability poolCap = f.cap(pool);
        final Set<Long> doomed = new HashSet<>();
        f.ops.mdb().descendants(f.boot.slot(pool)).forEach(c -> doomed.add(c.capability().objectId()));
        final int before = f.ops.mdb().size();

        f.ops.revoke(f.boot, pool);

        assertEquals(poolCap, f.cap(pool), "the revoked capability stays");
        assertFalse(f.ops.mdb().hasCopies(f.boot.slot(pool)));
        assertFalse(f.ops.mdb().hasDescendants(f.boot.slot(pool)));
        assertNull(a.capability(a.cptr(1, 0)));
        assertNull(b.capability(b.cptr(1, 0)));
        for (int i = 0; i < 16; i++)
        {
            assertNull(a.capability(a.cptr(1, i)));
            assertNull(b.capability(b.cptr(1, i)));
        }
        assertNull(f.cap(f.slot(9)));
        assertNull(f.cap(f.slot(10)));
        assertEquals(before - 2 - 10, f.ops.mdb().size(), "2 copies and 10 descendant copies went");
        final Set<Long> cleaned = new HashSet<>();
        f.lastCopies.forEach(c -> cleaned.add(c.objectId()));
        assertEquals(doomed, cleaned, "each descendant object was cleaned up once");
        assertEquals(doomed.size(), f.lastCopies.size());
        assertTrue(a.isAlive() && b.isAlive());
        f.ops.checkConsistency();
    }

    @Test
    void shouldKillCSpacesMadeFromRevokedMemory()
    {
        f.ops.retype(f.boot, RAM, CapType.RAM, 0, 64 * PAGE, 1, f.slot(5));
        f.ops.retype(f.boot, f.slot(5), CapType.CNODE, 0, CapType.CTE_BYTES << 2, 1, f.slot(6));
        final CSpace doomed = f.ops.newCSpace(f.boot, f.slot(6), 4, "doomed");
        f.ops.retype(f.boot, f.slot(5), CapType.CNODE, PAGE, CapType.CTE_BYTES << 4, 1, doomed, CSpace.rootSlot(0));
        f.ops.copy(f.boot, f.slot(5), doomed, doomed.cptr(0, 1));

        f.ops.revoke(f.boot, f.slot(5));

        assertFalse(doomed.isAlive());
        assertEquals(0, f.ops.mdb().descendants(f.boot.slot(f.slot(5))).size());
        assertEquals(2, f.ops.cnodeCount(), "only the boot CNodes remain");
        f.ops.checkConsistency();
    }

    @Test
    void shouldRevokeAnObjectWithNeitherCopiesNorDescendants()
    {
        f.frames(0, PAGE, 1, 5);
        f.ops.revoke(f.boot, f.slot(5));
        assertNotNull(f.cap(f.slot(5)));
        assertEquals(0, f.lastCopies.size());
    }

    @Test
    void shouldRejectRevokeWithoutGrant()
    {
        f.frames(0, PAGE, 1, 5);
        f.ops.mint(f.boot, f.slot(5), f.slot(6), Rights.READ_WRITE);
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops, () -> f.ops.revoke(f.boot, f.slot(6)));
    }

    @Test
    void shouldRejectRevokeOfAnEmptySlot()
    {
        assertFails(ShoalError.SLOT_EMPTY, f.ops, () -> f.ops.revoke(f.boot, f.slot(5)));
    }

    @Test
    void shouldSendRevokeThroughTheMonitorWhenRelationsExistElsewhere()
    {
        f.frames(0, 4 * PAGE, 1, 5);
        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, PAGE, 1, f.slot(6));
        f.ops.copy(f.boot, f.slot(5), f.slot(7));

        f.ops.mdb().setRelations(f.boot.slot(f.slot(5)), Cte.REMOTE_COPIES, Cte.REMOTE_COPIES);
        assertFails(ShoalError.RETRY_THROUGH_MONITOR, f.ops, () -> f.ops.revoke(f.boot, f.slot(5)));
        f.ops.mdb().setRelations(f.boot.slot(f.slot(5)), 0, Cte.REMOTE_COPIES);

        f.ops.mdb().setRelations(f.boot.slot(f.slot(6)), Cte.REMOTE_COPIES, Cte.REMOTE_COPIES);
        assertFails(ShoalError.RETRY_THROUGH_MONITOR, f.ops, () -> f.ops.revoke(f.boot, f.slot(5)));
    }

    @Test
    void shouldRejectRevokeOfACapabilityOwnedByAnotherCore()
    {
        final Capability foreign = new Capability(CapType.FRAME, CapOps.initialRam(1, PAGE).base(), PAGE,
            Rights.ALL, 1, Capability.objectId(1, 3));
        f.ops.install(f.boot, KERNEL, foreign, Cte.REMOTE_COPIES, f.boot, f.slot(5));
        assertFails(ShoalError.NOT_OWNER, f.ops, () -> f.ops.revoke(f.boot, f.slot(5)));
    }

    @Test
    void shouldRevokeNothingWhenSomethingToDeleteIsLocked()
    {
        f.frames(0, 4 * PAGE, 1, 5);
        f.ops.copy(f.boot, f.slot(5), f.slot(6));
        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, PAGE, 2, f.slot(7));
        f.boot.slot(f.slot(8)).setLocked(true);

        assertFails(ShoalError.CAP_LOCKED, f.ops, () -> f.ops.revoke(f.boot, f.slot(5)));
        assertNotNull(f.cap(f.slot(6)));
        assertNotNull(f.cap(f.slot(7)));
    }

    /** A CSpace whose root CNode (4 slots) and leaf 1 (16 slots) are made from the boot RAM at {@code offset}. */
    private CSpace newCSpace(final long offset, final String name)
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, offset, CapType.CTE_BYTES << 2, 1, f.slot(20));
        final CSpace space = f.ops.newCSpace(f.boot, f.slot(20), 4, name);
        f.ops.delete(f.boot, f.slot(20));
        f.ops.retype(f.boot, RAM, CapType.CNODE, offset + PAGE, CapType.CTE_BYTES << 4, 1, space,
            CSpace.rootSlot(1));
        return space;
    }
}
