package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CopyAndMintTest
{
    private final CapsFixture f = new CapsFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldCopyIntoAnEmptySlotAsACopyOfTheSameObject()
    {
        f.ops.copy(f.boot, RAM, f.slot(5));

        assertEquals(f.ram, f.cap(f.slot(5)));
        final Cte copy = f.boot.slot(f.slot(5));
        assertTrue(f.ops.mdb().hasCopies(copy));
        assertEquals(1, f.ops.mdb().copies(copy).size());
        assertSame(f.boot.slot(RAM), f.ops.mdb().copies(copy).get(0));
        f.ops.checkConsistency();
    }

    @Test
    void shouldCopyBetweenCSpacesOfOneCore()
    {
        final CSpace other = newCSpace();
        f.ops.copy(f.boot, RAM, other, other.cptr(0, 7));

        assertEquals(f.ram, other.capability(other.cptr(0, 7)));
        assertTrue(f.ops.mdb().hasCopies(f.boot.slot(RAM)));
        f.ops.checkConsistency();
    }

    @Test
    void shouldRejectCopyIntoAnOccupiedSlot()
    {
        f.frames(0, PAGE, 1, 5);
        assertFails(ShoalError.SLOT_IN_USE, f.ops, () -> f.ops.copy(f.boot, RAM, f.slot(5)));
    }

    @Test
    void shouldRejectCopyFromAnEmptySlot()
    {
        assertFails(ShoalError.SLOT_EMPTY, f.ops, () -> f.ops.copy(f.boot, f.slot(9), f.slot(10)));
    }

    @Test
    void shouldRejectCopyOfACapabilityWithoutGrant()
    {
        f.ops.mint(f.boot, RAM, f.slot(5), Rights.READ_WRITE);
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops, () -> f.ops.copy(f.boot, f.slot(5), f.slot(6)));
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops,
            () -> f.ops.mint(f.boot, f.slot(5), f.slot(6), Rights.READ));
    }

    @Test
    void shouldRejectCopyIntoALeafWhoseCNodeCapabilityLacksWrite()
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << CapsFixture.LEAF_BITS, 1, f.slot(5));
        f.ops.mint(f.boot, f.slot(5), CSpace.rootSlot(1), Rights.READ.with(Rights.GRANT));

        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops, () -> f.ops.copy(f.boot, RAM, f.boot.cptr(1, 0)));
    }

    @Test
    void shouldRejectCopyOfALockedCapability()
    {
        f.boot.slot(RAM).setLocked(true);
        assertFails(ShoalError.CAP_LOCKED, f.ops, () -> f.ops.copy(f.boot, RAM, f.slot(5)));
        f.boot.slot(RAM).setLocked(false);
        f.ops.copy(f.boot, RAM, f.slot(5));
    }

    @Test
    void shouldRejectACSpaceOfAnotherCore()
    {
        try (CapsFixture core1 = new CapsFixture(1))
        {
            assertFails(ShoalError.WRONG_CORE, f.ops, () -> f.ops.copy(f.boot, RAM, core1.boot, core1.slot(5)));
            assertFails(ShoalError.WRONG_CORE, f.ops, () -> f.ops.delete(core1.boot, core1.slot(1)));
        }
    }

    @Test
    void shouldAcceptOnlyLeafCNodesOfTheRightSizeInRootSlots()
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << 3, 1, f.slot(5));
        assertFails(ShoalError.WRONG_TYPE, f.ops, () -> f.ops.copy(f.boot, RAM, CSpace.rootSlot(2)));
        assertFails(ShoalError.CNODE_BAD_SIZE, f.ops, () -> f.ops.copy(f.boot, f.slot(5), CSpace.rootSlot(2)));
    }

    @Test
    void shouldMintACopyWithFewerRights()
    {
        f.ops.mint(f.boot, RAM, f.slot(5), Rights.READ.with(Rights.IDENTIFY));

        final Capability minted = f.cap(f.slot(5));
        assertEquals(Rights.READ.with(Rights.IDENTIFY), minted.rights());
        assertTrue(minted.isCopyOf(f.ram), "a minted capability names the same object");
        assertTrue(f.ops.mdb().hasCopies(f.boot.slot(RAM)));
        f.ops.checkConsistency();
    }

    @Test
    void shouldRejectMintThatAddsRights()
    {
        f.ops.mint(f.boot, RAM, f.slot(5), Rights.READ.with(Rights.GRANT));
        final ShoalException e = assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops,
            () -> f.ops.mint(f.boot, f.slot(5), f.slot(6), Rights.READ_WRITE.with(Rights.GRANT)));
        assertTrue(e.getMessage().startsWith("INSUFFICIENT_RIGHTS: "), e.getMessage());
    }

    @Test
    void shouldMintWithEveryRightAndWithNone()
    {
        f.ops.mint(f.boot, RAM, f.slot(5), Rights.ALL);
        f.ops.mint(f.boot, RAM, f.slot(6), Rights.NONE);
        assertEquals(Rights.ALL, f.cap(f.slot(5)).rights());
        assertEquals(Rights.NONE, f.cap(f.slot(6)).rights());
        f.ops.delete(f.boot, f.slot(6));
        assertTrue(f.copies.size() == 1 && f.lastCopies.isEmpty(), "a capability without rights can be deleted");
    }

    private CSpace newCSpace()
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << 2, 1, f.slot(10));
        final CSpace other = f.ops.newCSpace(f.boot, f.slot(10), 4, "other");
        f.ops.retype(f.boot, RAM, CapType.CNODE, PAGE, CapType.CTE_BYTES << 4, 1, f.slot(11));
        f.ops.copy(f.boot, f.slot(11), other, CSpace.rootSlot(0));
        return other;
    }
}
