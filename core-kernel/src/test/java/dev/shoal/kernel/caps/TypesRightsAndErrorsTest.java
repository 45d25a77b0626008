package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TypesRightsAndErrorsTest
{
    @Test
    void shouldDeclareEveryTypeBeforeTheTypesItCanBecome()
    {
        for (final CapType a : CapType.values())
        {
            for (final CapType d : CapType.values())
            {
                if (a.canRetypeTo(d))
                {
                    assertTrue(a.isAncestorTypeOf(d), a + " -> " + d);
                    assertSame(a.root(), d.root(), a + " -> " + d);
                }
                if (a != d && a.isAncestorTypeOf(d))
                {
                    assertTrue(a.ordinal() < d.ordinal(), a + " must come before " + d);
                }
            }
        }
    }

    @Test
    void shouldRetypeRamIntoMemoryObjectsButNotDeviceFrames()
    {
        for (final CapType t : new CapType[] {CapType.RAM, CapType.FRAME, CapType.CNODE, CapType.VNODE_L4,
            CapType.VNODE_L3, CapType.VNODE_L2, CapType.VNODE_L1, CapType.DISPATCHER})
        {
            assertTrue(CapType.RAM.canRetypeTo(t), t.name());
        }
        assertFalse(CapType.RAM.canRetypeTo(CapType.DEV_FRAME));
        assertFalse(CapType.RAM.canRetypeTo(CapType.ENDPOINT));
        assertTrue(CapType.DISPATCHER.canRetypeTo(CapType.ENDPOINT));
        assertTrue(CapType.FRAME.canRetypeTo(CapType.FRAME));
        assertFalse(CapType.FRAME.canRetypeTo(CapType.RAM));
        assertFalse(CapType.CNODE.canRetypeTo(CapType.CNODE));
        assertFalse(CapType.KERNEL.namesMemory());
        assertTrue(CapType.VNODE_L2.isVNode());
        assertTrue(CapType.DEV_FRAME.isMappable());
    }

    @Test
    void shouldStateObjectSizeRules()
    {
        assertNull(CapType.FRAME.objectSizeProblem(3 * 4096));
        assertTrue(CapType.FRAME.objectSizeProblem(4095).contains("multiple of 4096"));
        assertNull(CapType.VNODE_L1.objectSizeProblem(4096));
        assertTrue(CapType.VNODE_L1.objectSizeProblem(8192) != null);
        assertNull(CapType.CNODE.objectSizeProblem(64 * 256));
        assertTrue(CapType.CNODE.objectSizeProblem(64 * 3) != null);
        assertTrue(CapType.CNODE.objectSizeProblem(64L << 17) != null);
        assertNull(CapType.ENDPOINT.objectSizeProblem(0));
        assertTrue(CapType.KERNEL.objectSizeProblem(0) != null);
    }

    @Test
    void shouldCombineRights()
    {
        final Rights rw = Rights.READ.with(Rights.WRITE);
        assertSame(Rights.READ_WRITE, rw);
        assertTrue(Rights.ALL.contains(rw));
        assertFalse(rw.contains(Rights.GRANT));
        assertSame(Rights.READ, rw.intersect(Rights.READ.with(Rights.EXECUTE)));
        assertSame(Rights.WRITE, rw.without(Rights.READ));
        assertTrue(Rights.NONE.isEmpty());
        assertTrue(rw.contains(Rights.NONE));
        assertEquals("RW---", rw.toString());
        assertEquals("RWXGI", Rights.ALL.toString());
        assertEquals(Rights.ALL_BITS, Rights.ALL.bits());
        assertFails(ShoalError.INVALID_ARGUMENT, () -> Rights.of(0x20));
    }

    @Test
    void shouldFormatErrorsAsNameDescriptionAndDetail()
    {
        final ShoalException e = ShoalError.SLOT_EMPTY.exception("cptr 0x5");
        assertEquals("SLOT_EMPTY: the addressed slot holds no capability: cptr 0x5", e.getMessage());
        assertEquals("cptr 0x5", e.detail());
        assertEquals("SLOT_EMPTY: the addressed slot holds no capability", ShoalError.SLOT_EMPTY.exception()
            .getMessage());
        for (final ShoalError error : ShoalError.values())
        {
            assertSame(error, ShoalError.fromCode(error.code()));
            assertFalse(error.description().isBlank(), error.name());
        }
        assertNull(ShoalError.fromCode(-1));
    }

    @Test
    void shouldDescribeCopiesAndDescendants()
    {
        final Capability ram = CapOps.initialRam(0, 1 << 20);
        final Capability frame = new Capability(CapType.FRAME, ram.base(), 1 << 20, Rights.READ, 0,
            Capability.objectId(0, 9));
        final Capability piece = new Capability(CapType.FRAME, ram.base() + 4096, 4096, Rights.READ, 0,
            Capability.objectId(0, 10));
        assertTrue(ram.withRights(Rights.READ).isCopyOf(ram));
        assertTrue(frame.isDescendantOf(ram), "a frame as big as its RAM descends from it");
        assertFalse(ram.isDescendantOf(frame));
        assertTrue(piece.isDescendantOf(frame));
        assertFalse(frame.isDescendantOf(frame));
        assertFails(ShoalError.INVALID_ARGUMENT, () -> new Capability(CapType.NULL, 0, 0, Rights.ALL, 0, 0));
        assertFails(ShoalError.INVALID_ARGUMENT, () -> new Capability(CapType.RAM, -1, 0, Rights.ALL, 0, 0));
        assertFails(ShoalError.INVALID_ARGUMENT,
            () -> new Capability(CapType.RAM, Long.MAX_VALUE, 2, Rights.ALL, 0, 0));
    }
}
