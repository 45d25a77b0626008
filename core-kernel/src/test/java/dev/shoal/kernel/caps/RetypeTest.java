package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.KERNEL;
import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetypeTest
{
    private final CapsFixture f = new CapsFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldRetypeRamIntoFramesInConsecutiveSlots()
    {
        f.frames(2 * PAGE, 2 * PAGE, 3, 10);

        final Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 3; i++)
        {
            final Capability frame = f.cap(f.slot(10 + i));
            assertEquals(CapType.FRAME, frame.type());
            assertEquals(f.ram.base() + 2 * PAGE + i * 2 * PAGE, frame.base());
            assertEquals(2 * PAGE, frame.size());
            assertEquals(f.ram.rights(), frame.rights());
            assertEquals(0, frame.owner());
            assertTrue(frame.isDescendantOf(f.ram));
            assertSame(f.boot.slot(RAM), f.ops.mdb().findAncestor(f.boot.slot(f.slot(10 + i))));
            ids.add(frame.objectId());
        }
        assertEquals(3, ids.size(), "each new object has its own identity");
        assertTrue(f.ops.mdb().hasDescendants(f.boot.slot(RAM)));
        assertEquals(3, f.ops.mdb().descendants(f.boot.slot(RAM)).size());
        f.ops.checkConsistency();
    }

    @Test
    void shouldZeroMemoryRetypedFromRam()
    {
        f.frames(0, 2 * PAGE, 1, 5);
        final long base = f.cap(f.slot(5)).base();
        final byte[] junk = new byte[(int)(2 * PAGE)];
        java.util.Arrays.fill(junk, (byte)0x5a);
        f.memory.write(base, junk, 0, junk.length);
        f.ops.delete(f.boot, f.slot(5));

        f.frames(0, PAGE, 2, 6);

        final byte[] read = new byte[(int)(2 * PAGE)];
        f.memory.read(base, read, 0, read.length);
        assertArrayEquals(new byte[read.length], read, "a new object never shows an old object's bytes");
    }

    @Test
    void shouldKeepTheBytesWhenSplittingAFrame()
    {
        f.frames(0, 4 * PAGE, 1, 5);
        final long base = f.cap(f.slot(5)).base();
        f.memory.write(base + PAGE + 8, new byte[] {1, 2, 3}, 0, 3);

        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, PAGE, PAGE, 2, f.slot(6));

        final byte[] read = new byte[3];
        f.memory.read(f.cap(f.slot(6)).base() + 8, read, 0, 3);
        assertArrayEquals(new byte[] {1, 2, 3}, read);
        assertSame(f.boot.slot(f.slot(5)), f.ops.mdb().findAncestor(f.boot.slot(f.slot(6))));
    }

    @Test
    void shouldRejectRetypeWhenDescendantsOverlapTheRange()
    {
        f.frames(4 * PAGE, PAGE, 1, 5);

        assertFails(ShoalError.RETYPE_OVERLAPS_DESCENDANTS, f.ops, () -> f.frames(0, 8 * PAGE, 1, 6));
        assertFails(ShoalError.RETYPE_OVERLAPS_DESCENDANTS, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.VNODE_L1, 4 * PAGE, PAGE, 1, f.slot(6)));
        assertFails(ShoalError.RETYPE_OVERLAPS_DESCENDANTS, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.RAM, 0, 16 * PAGE, 1, f.slot(6)));
    }

    @Test
    void shouldRejectRetypeWhenADescendantOfADeletedIntermediateOverlaps()
    {
        f.ops.retype(f.boot, RAM, CapType.RAM, 0, 16 * PAGE, 1, f.slot(5));
        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 3 * PAGE, PAGE, 1, f.slot(6));
        f.ops.delete(f.boot, f.slot(5));

        assertFails(ShoalError.RETYPE_OVERLAPS_DESCENDANTS, f.ops, () -> f.frames(0, 16 * PAGE, 1, 7));
        assertSame(f.boot.slot(RAM), f.ops.mdb().findAncestor(f.boot.slot(f.slot(6))),
            "the frame now descends from the boot RAM");
    }

    @Test
    void shouldRetypeAPartDisjointFromExistingDescendants()
    {
        f.frames(0, PAGE, 1, 5);
        f.frames(PAGE, PAGE, 1, 6);
        f.ops.retype(f.boot, RAM, CapType.VNODE_L4, 2 * PAGE, PAGE, 1, f.slot(7));

        assertEquals(CapType.VNODE_L4, f.cap(f.slot(7)).type());
        assertEquals(3, f.ops.mdb().descendants(f.boot.slot(RAM)).size());
        f.ops.checkConsistency();
    }

    @Test
    void shouldRejectRetypeIntoATypeTheSourceCannotBecome()
    {
        f.frames(0, 4 * PAGE, 1, 5);
        assertFails(ShoalError.RETYPE_INVALID_SOURCE_TYPE, f.ops,
            () -> f.ops.retype(f.boot, f.slot(5), CapType.CNODE, 0, 64, 1, f.slot(6)));
        assertFails(ShoalError.RETYPE_INVALID_SOURCE_TYPE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.DEV_FRAME, 0, PAGE, 1, f.slot(6)));
        assertFails(ShoalError.RETYPE_INVALID_SOURCE_TYPE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.KERNEL, 0, 0, 1, f.slot(6)));
        assertFails(ShoalError.RETYPE_INVALID_SOURCE_TYPE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.ENDPOINT, 0, 0, 1, f.slot(6)));
        assertFails(ShoalError.RETYPE_INVALID_SOURCE_TYPE, f.ops,
            () -> f.ops.retype(f.boot, KERNEL, CapType.RAM, 0, PAGE, 1, f.slot(6)));
        assertFails(ShoalError.RETYPE_INVALID_SOURCE_TYPE, f.ops,
            () -> f.ops.retype(f.boot, f.boot.cptr(0, 0) | CSpace.ROOT_LEVEL, CapType.CNODE, 0, 64, 1, f.slot(6)));
    }

    @Test
    void shouldRejectRetypeOutsideTheSource()
    {
        final long size = f.ram.size();
        assertFails(ShoalError.RETYPE_OUT_OF_RANGE, f.ops, () -> f.frames(size, PAGE, 1, 5));
        assertFails(ShoalError.RETYPE_OUT_OF_RANGE, f.ops, () -> f.frames(size - PAGE, PAGE, 2, 5));
        assertFails(ShoalError.RETYPE_OUT_OF_RANGE, f.ops, () -> f.frames(-PAGE, PAGE, 1, 5));
        assertFails(ShoalError.RETYPE_OUT_OF_RANGE, f.ops, () -> f.frames(0, size / 2, Integer.MAX_VALUE, 5));
        f.frames(size - PAGE, PAGE, 1, 5);
    }

    @Test
    void shouldRejectMisalignedObjects()
    {
        assertFails(ShoalError.RETYPE_BAD_ALIGNMENT, f.ops, () -> f.frames(PAGE / 2, PAGE, 1, 5));
        assertFails(ShoalError.RETYPE_BAD_ALIGNMENT, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.CNODE, 32, 64, 1, f.slot(5)));
        assertFails(ShoalError.RETYPE_BAD_ALIGNMENT, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.DISPATCHER, 512, CapType.DISPATCHER_BYTES, 1, f.slot(5)));
    }

    @Test
    void shouldRejectObjectSizesTheTypeDoesNotAllow()
    {
        assertFails(ShoalError.RETYPE_BAD_SIZE, f.ops, () -> f.frames(0, 100, 1, 5));
        assertFails(ShoalError.RETYPE_BAD_SIZE, f.ops, () -> f.frames(0, 0, 1, 5));
        assertFails(ShoalError.RETYPE_BAD_SIZE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.VNODE_L2, 0, 2 * PAGE, 1, f.slot(5)));
        assertFails(ShoalError.RETYPE_BAD_SIZE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.CNODE, 0, 3 * 64, 1, f.slot(5)));
        assertFails(ShoalError.RETYPE_BAD_SIZE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.DISPATCHER, 0, PAGE, 1, f.slot(5)));
        assertFails(ShoalError.RETYPE_BAD_SIZE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.RAM, 0, f.ram.size(), 1, f.slot(5)));
    }

    @Test
    void shouldRejectRetypeWithoutWriteOnTheSource()
    {
        f.ops.mint(f.boot, RAM, f.slot(5), Rights.READ.with(Rights.GRANT));
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops,
            () -> f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, PAGE, 1, f.slot(6)));
    }

    @Test
    void shouldRejectACountBelowOne()
    {
        assertFails(ShoalError.RETYPE_BAD_COUNT, f.ops, () -> f.frames(0, PAGE, 0, 5));
    }

    @Test
    void shouldCreateNothingWhenADestinationSlotIsTakenOrMissing()
    {
        f.ops.copy(f.boot, RAM, f.slot(7));
        assertFails(ShoalError.SLOT_IN_USE, f.ops, () -> f.frames(0, PAGE, 3, 5));
        assertFails(ShoalError.CNODE_FULL, f.ops, () -> f.frames(0, PAGE, 3, 62));
        assertFails(ShoalError.SLOT_EMPTY, f.ops, () -> f.ops.retype(f.boot, f.slot(9), CapType.FRAME, 0, PAGE, 1,
            f.slot(10)));
        assertFails(ShoalError.INVALID_CPTR, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.FRAME, 0, PAGE, 1, f.boot.cptr(2, 0)));
    }

    @Test
    void shouldRejectRetypeOfACapabilityOwnedByAnotherCore()
    {
        final Capability foreign = new Capability(CapType.RAM, CapOps.initialRam(1, PAGE * 4).base(), PAGE * 4,
            Rights.ALL, 1, Capability.objectId(1, 0));
        f.ops.install(f.boot, KERNEL, foreign, Cte.REMOTE_COPIES, f.boot, f.slot(5));

        assertFails(ShoalError.NOT_OWNER, f.ops,
            () -> f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, PAGE, 1, f.slot(6)));
    }

    @Test
    void shouldSendRetypeOfACapabilityWithRemoteRelationsThroughTheMonitor()
    {
        f.ops.mdb().setRelations(f.boot.slot(RAM), Cte.REMOTE_DESCENDANTS, Cte.REMOTE_DESCENDANTS);
        assertFails(ShoalError.RETRY_THROUGH_MONITOR, f.ops, () -> f.frames(0, PAGE, 1, 5));
    }

    @Test
    void shouldGiveNewObjectsTheRemoteAncestorsOfTheirSource()
    {
        f.ops.retype(f.boot, RAM, CapType.RAM, 0, 16 * PAGE, 1, f.slot(5));
        f.ops.mdb().setRelations(f.boot.slot(f.slot(5)), Cte.REMOTE_ANCESTORS, Cte.REMOTE_ANCESTORS);
        f.ops.retype(f.boot, f.slot(5), CapType.FRAME, 0, PAGE, 1, f.slot(6));

        assertEquals(Cte.REMOTE_ANCESTORS, f.boot.slot(f.slot(6)).relations());
    }

    @Test
    void shouldMakeACNodeThatServesAsALeaf()
    {
        f.attachLeaf(0, 3, 5);

        final int cptr = f.boot.cptr(3, 17);
        f.ops.copy(f.boot, RAM, cptr);
        assertEquals(f.ram, f.cap(cptr));
        assertEquals(CapType.CNODE, f.cap(CSpace.rootSlot(3)).type());
        f.ops.checkConsistency();
    }

    @Test
    void shouldRetypeCNodesStraightIntoRootSlots()
    {
        f.ops.retype(f.boot, RAM, CapType.CNODE, 0, CapType.CTE_BYTES << CapsFixture.LEAF_BITS, 2,
            CSpace.rootSlot(4));

        f.ops.copy(f.boot, RAM, f.boot.cptr(5, 1));
        assertFails(ShoalError.WRONG_TYPE, f.ops,
            () -> f.ops.retype(f.boot, RAM, CapType.FRAME, 8 * PAGE, PAGE, 1, CSpace.rootSlot(6)));
    }

    @Test
    void shouldMakeEndpointsThatNameTheirDispatcher()
    {
        f.ops.retype(f.boot, RAM, CapType.DISPATCHER, 0, CapType.DISPATCHER_BYTES, 1, f.slot(5));
        f.ops.retype(f.boot, f.slot(5), CapType.ENDPOINT, 0, 0, 2, f.slot(6));
        f.ops.retype(f.boot, f.slot(5), CapType.ENDPOINT, 0, 0, 1, f.slot(8));

        final Capability dispatcher = f.cap(f.slot(5));
        final Capability ep = f.cap(f.slot(6));
        assertEquals(dispatcher.base(), ep.base());
        assertEquals(0, ep.size());
        assertNotEquals(ep.objectId(), f.cap(f.slot(7)).objectId(), "two endpoints are two objects");
        assertTrue(!f.ops.mdb().hasCopies(f.boot.slot(f.slot(6))));
        assertEquals(3, f.ops.mdb().descendants(f.boot.slot(f.slot(5))).size());
        assertSame(f.boot.slot(f.slot(5)), f.ops.mdb().findAncestor(f.boot.slot(f.slot(8))));
        f.ops.checkConsistency();
    }

    @Test
    void shouldSplitDeviceFramesWithoutTouchingDeviceMemory()
    {
        final Capability dev = new Capability(CapType.DEV_FRAME, 0xfee0_0000L, 4 * PAGE, Rights.ALL, 0,
            Capability.objectId(0, 1L << 30));
        f.ops.install(f.boot, KERNEL, dev, 0, f.boot, f.slot(5));
        f.ops.retype(f.boot, f.slot(5), CapType.DEV_FRAME, PAGE, PAGE, 1, f.slot(6));

        assertEquals(0xfee0_1000L, f.cap(f.slot(6)).base());
        assertNull(f.ops.mdb().findAncestor(f.boot.slot(RAM)));
        assertSame(f.boot.slot(f.slot(5)), f.ops.mdb().findAncestor(f.boot.slot(f.slot(6))));
    }
}
