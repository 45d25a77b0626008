package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.KERNEL;
import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MappingDatabaseTest
{
    private final CapsFixture f = new CapsFixture();
    private final MappingDatabase mdb = f.ops.mdb();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldOrderObjectsBeforeTheirDescendantsAndKeepCopiesTogether()
    {
        f.ops.retype(f.boot, RAM, CapType.RAM, 0, 8 * PAGE, 1, f.slot(5));
        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, 8 * PAGE - PAGE, 1, f.slot(6));
        f.ops.copy(f.boot, RAM, f.slot(7));
        f.ops.retype(f.boot, f.slot(6), CapType.FRAME, 0, PAGE, 1, f.slot(8));

        final List<Capability> order = mdb.entries().stream()
            .map(Cte::capability)
            .filter(c -> c.type().root() == CapType.RAM && c.type() != CapType.CNODE)
            .toList();
        assertEquals(List.of(f.ram, f.ram, f.cap(f.slot(5)), f.cap(f.slot(6)), f.cap(f.slot(8))), order);
        mdb.checkConsistency();
    }

    @Test
    void shouldFindTheNearestAncestor()
    {
        f.ops.retype(f.boot, RAM, CapType.RAM, 0, 64 * PAGE, 1, f.slot(5));
        f.ops.retype(f.boot, f.slot(5), CapType.RAM, 16 * PAGE, 16 * PAGE, 1, f.slot(6));
        f.ops.retype(f.boot, f.slot(6), CapType.FRAME, 4 * PAGE, 4 * PAGE, 2, f.slot(7));
        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, PAGE, 8, f.slot(20));

        assertSame(f.boot.slot(f.slot(6)), mdb.findAncestor(f.boot.slot(f.slot(8))));
        assertSame(f.boot.slot(f.slot(5)), mdb.findAncestor(f.boot.slot(f.slot(6))));
        assertSame(f.boot.slot(f.slot(5)), mdb.findAncestor(f.boot.slot(f.slot(27))));
        assertSame(f.boot.slot(RAM), mdb.findAncestor(f.boot.slot(f.slot(5))));
        assertNull(mdb.findAncestor(f.boot.slot(RAM)));
        assertNull(mdb.findAncestor(f.boot.slot(KERNEL)));
        assertFalse(mdb.hasAncestors(f.boot.slot(RAM)));
    }

    @Test
    void shouldListDescendantsAndCopies()
    {
        f.ops.retype(f.boot, RAM, CapType.RAM, 0, 64 * PAGE, 1, f.slot(5));
        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, PAGE, 3, f.slot(6));
        f.ops.copy(f.boot, f.slot(6), f.slot(9));
        f.ops.copy(f.boot, f.slot(5), f.slot(10));

        assertEquals(4, mdb.descendants(f.boot.slot(f.slot(5))).size());
        assertEquals(mdb.descendants(f.boot.slot(f.slot(5))), mdb.descendants(f.boot.slot(f.slot(10))),
            "copies have the same descendants");
        assertEquals(List.of(f.boot.slot(f.slot(5))), mdb.copies(f.boot.slot(f.slot(10))));
        assertFalse(mdb.hasDescendants(f.boot.slot(f.slot(7))));
        assertFalse(mdb.hasCopies(f.boot.slot(f.slot(7))));
        assertSame(f.boot.slot(f.slot(6)), mdb.findCopy(f.cap(f.slot(9))));
    }

    @Test
    void shouldKeepRemoteRelationsEqualAcrossCopies()
    {
        f.ops.copy(f.boot, RAM, f.slot(5));
        mdb.setRelations(f.boot.slot(f.slot(5)), Cte.REMOTE_COPIES | Cte.REMOTE_DESCENDANTS, Cte.ALL_RELATIONS);
        assertEquals(Cte.REMOTE_COPIES | Cte.REMOTE_DESCENDANTS, f.boot.slot(RAM).relations());

        mdb.setRelations(f.boot.slot(RAM), 0, Cte.REMOTE_COPIES);
        assertEquals(Cte.REMOTE_DESCENDANTS, f.boot.slot(f.slot(5)).relations());
        assertTrue(f.boot.slot(f.slot(5)).hasRelation(Cte.REMOTE_DESCENDANTS));

        f.ops.copy(f.boot, RAM, f.slot(6));
        assertEquals(Cte.REMOTE_DESCENDANTS, f.boot.slot(f.slot(6)).relations(), "a new copy inherits them");
        mdb.checkConsistency();
    }

    @Test
    void shouldDetectObjectsThatOverlapWithoutOneHoldingTheOther()
    {
        final Capability a = new Capability(CapType.RAM, f.ram.base() + f.ram.size(), 8 * PAGE, Rights.ALL, 0,
            Capability.objectId(0, 1L << 35));
        final Capability b = new Capability(CapType.FRAME, a.base() + 4 * PAGE, 8 * PAGE, Rights.ALL, 0,
            Capability.objectId(0, (1L << 35) + 1));
        f.ops.install(f.boot, KERNEL, a, 0, f.boot, f.slot(5));
        f.ops.install(f.boot, KERNEL, b, 0, f.boot, f.slot(6));

        final IllegalStateException e = assertThrows(IllegalStateException.class, mdb::checkConsistency);
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    }

    @Test
    void shouldAnswerQueriesOverManyEntries()
    {
        f.ops.retype(f.boot, RAM, CapType.RAM, 0, 1024 * PAGE, 1, f.slot(2));
        for (int leaf = 1; leaf < 16; leaf++)
        {
            f.attachLeaf((1024 + leaf) * PAGE, leaf, 3);
            f.ops.retype(f.boot, f.slot(2), CapType.FRAME, (leaf - 1) * 64 * PAGE, PAGE, 64, f.boot.cptr(leaf, 0));
        }

        final Cte last = f.boot.slot(f.boot.cptr(15, 63));
        assertSame(f.boot.slot(f.slot(2)), mdb.findAncestor(last));
        assertEquals(15 * 64, mdb.descendants(f.boot.slot(f.slot(2))).size());
        assertTrue(mdb.hasDescendants(f.boot.slot(RAM)));
        mdb.checkConsistency();
    }
}
