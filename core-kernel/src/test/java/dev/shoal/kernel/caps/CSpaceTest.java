package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CSpaceTest
{
    private final CapsFixture f = new CapsFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldEncodeRootIndexAboveLeafIndex()
    {
        assertEquals((3 << CapsFixture.LEAF_BITS) | 17, f.boot.cptr(3, 17));
        assertEquals(0, f.boot.cptr(0, 0));
        assertEquals(CSpace.ROOT_LEVEL | 5, CSpace.rootSlot(5));
        assertTrue(CSpace.isRootLevel(CSpace.rootSlot(0)));
        assertFalse(CSpace.isRootLevel(f.boot.cptr(15, 63)));
        assertEquals(CapsFixture.ROOT_BITS, f.boot.rootBits());
        assertEquals(CapsFixture.LEAF_BITS, f.boot.leafBits());
    }

    @Test
    void shouldRejectIndicesOutsideTheLevels()
    {
        assertFails(ShoalError.INVALID_CPTR, () -> f.boot.cptr(16, 0));
        assertFails(ShoalError.INVALID_CPTR, () -> f.boot.cptr(0, 64));
        assertFails(ShoalError.INVALID_CPTR, () -> f.boot.cptr(-1, 0));
        assertFails(ShoalError.INVALID_CPTR, () -> CSpace.rootSlot(-1));
    }

    @Test
    void shouldRejectAddressesThatNameNoSlot()
    {
        assertFails(ShoalError.INVALID_CPTR, () -> f.boot.slot(-5));
        assertFails(ShoalError.INVALID_CPTR, () -> f.boot.slot(1 << (CapsFixture.ROOT_BITS + CapsFixture.LEAF_BITS)));
        assertFails(ShoalError.INVALID_CPTR, () -> f.boot.slot(CSpace.ROOT_LEVEL | 16));
        final ShoalException e = assertFails(ShoalError.INVALID_CPTR, () -> f.boot.slot(f.boot.cptr(1, 0)));
        assertTrue(e.getMessage().startsWith("INVALID_CPTR: the capability address does not name a slot of this " +
            "CSpace: cptr 0x40: root slot 1 holds nothing"), e.getMessage());
    }

    @Test
    void shouldReachRootSlotsAndLeafSlots()
    {
        final Cte leafHolder = f.boot.slot(CSpace.rootSlot(0));
        assertEquals(CapType.CNODE, leafHolder.capability().type());
        assertSame(f.boot.rootCNode(), leafHolder.cnode());
        final Cte ram = f.boot.slot(RAM);
        assertEquals(1, ram.index());
        assertEquals(f.ram, ram.capability());
        assertNull(f.boot.capability(f.slot(63)));
    }

    @Test
    void shouldRejectAddressesThroughARootSlotHoldingSomethingElse()
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << CapsFixture.LEAF_BITS, 1, f.slot(5));
        f.ops.copy(f.boot, f.slot(5), CSpace.rootSlot(1));
        f.boot.slot(f.boot.cptr(1, 0));

        f.ops.delete(f.boot, CSpace.rootSlot(1));
        assertFails(ShoalError.INVALID_CPTR, () -> f.boot.slot(f.boot.cptr(1, 0)));
    }

    @Test
    void shouldMakeANewCSpaceFromACNodeCapability()
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << 3, 1, f.slot(5));
        final CSpace space = f.ops.newCSpace(f.boot, f.slot(5), 5, "app");

        assertEquals(3, space.rootBits());
        assertEquals(5, space.leafBits());
        assertTrue(space.isAlive());
        assertFails(ShoalError.INVALID_CPTR, () -> space.slot(space.cptr(0, 0)));
        f.ops.retype(f.boot, RAM, CapType.CNODE, PAGE, CapType.CTE_BYTES << 5, 1, space, CSpace.rootSlot(7));
        f.ops.copy(f.boot, RAM, space, space.cptr(7, 31));
        assertEquals(f.ram, space.capability(space.cptr(7, 31)));
        assertEquals("app", space.name());
        f.ops.checkConsistency();
    }

    @Test
    void shouldRejectANewCSpaceFromSomethingElse()
    {
        assertFails(ShoalError.WRONG_TYPE, f.ops, () -> f.ops.newCSpace(f.boot, RAM, 4, "x"));
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << 3, 1, f.slot(5));
        assertFails(ShoalError.INVALID_ARGUMENT, f.ops, () -> f.ops.newCSpace(f.boot, f.slot(5), 28, "x"));
    }
}
