package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.KERNEL;
import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.shoal.kernel.PhysicalMemory;

class IdentifyRightsAndInstallTest
{
    private final CapsFixture f = new CapsFixture();

    @AfterEach
    void close()
    {
        f.close();
    }

    @Test
    void shouldBootWithKernelAndRamInTheirSlots()
    {
        assertEquals(CapType.KERNEL, f.cap(KERNEL).type());
        assertEquals(f.ram, f.cap(RAM));
        assertEquals(PhysicalMemory.capabilityRamBase(0), f.ram.base());
        assertEquals(CapsFixture.RAM_BYTES, f.ram.size());
        assertEquals(Rights.ALL, f.ram.rights());
        assertEquals(4, f.ops.mdb().size());
        assertEquals(2, f.ops.cnodeCount());
        f.ops.checkConsistency();
    }

    @Test
    void shouldRejectInitialRamThatIsNotWholePagesOfTheRegion()
    {
        assertFails(ShoalError.INVALID_ARGUMENT, () -> CapOps.initialRam(0, 100));
        assertFails(ShoalError.INVALID_ARGUMENT, () -> CapOps.initialRam(0, 0));
        assertFails(ShoalError.INVALID_ARGUMENT, () -> CapOps.initialRam(0, PhysicalMemory.REGION_SIZE));
        assertEquals(PhysicalMemory.capabilityRamBase(3), CapOps.initialRam(3, PAGE).base());
    }

    @Test
    void shouldRejectBootingTwiceOrWithForeignRam()
    {
        assertFails(ShoalError.INVALID_ARGUMENT, () -> f.ops.boot(f.ram, PhysicalMemory.regionBase(0) + PAGE * 16,
            4, 4));
        assertFails(ShoalError.INVALID_ARGUMENT, () -> f.ops.boot(CapOps.initialRam(1, PAGE), 0, 4, 4));
        assertFails(ShoalError.INVALID_ARGUMENT, () -> f.ops.boot(f.ram, 0, 20, 12));
    }

    @Test
    void shouldIdentifyWithTheIdentifyRight()
    {
        assertEquals(f.ram, f.ops.identify(f.boot, RAM));
    }

    @Test
    void shouldRejectIdentifyWithoutTheIdentifyRight()
    {
        f.ops.mint(f.boot, RAM, f.slot(5), Rights.READ_WRITE);
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops, () -> f.ops.identify(f.boot, f.slot(5)));
        assertFails(ShoalError.SLOT_EMPTY, f.ops, () -> f.ops.identify(f.boot, f.slot(6)));
    }

    @Test
    void shouldRejectWritableUseOfAReadOnlyFrame()
    {
        f.frames(0, PAGE, 1, 5);
        f.ops.mint(f.boot, f.slot(5), f.slot(6), Rights.READ);

        assertEquals(f.cap(f.slot(6)), f.ops.requireRights(f.boot, f.slot(6), Rights.READ));
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops, () -> f.ops.requireRights(f.boot, f.slot(6), Rights.WRITE));
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, f.ops,
            () -> f.ops.require(f.boot, f.slot(6), Rights.READ_WRITE, CapType.FRAME, CapType.DEV_FRAME));
        assertFails(ShoalError.INSUFFICIENT_RIGHTS, () -> CapOps.requireRights(f.cap(f.slot(6)), Rights.EXECUTE));
        f.ops.require(f.boot, f.slot(5), Rights.READ_WRITE, CapType.FRAME, CapType.DEV_FRAME);
    }

    @Test
    void shouldRejectTheWrongTypeForAnInvocation()
    {
        assertFails(ShoalError.WRONG_TYPE, f.ops, () -> f.ops.require(f.boot, RAM, Rights.READ, CapType.FRAME));
        assertFails(ShoalError.SLOT_EMPTY, f.ops, () -> f.ops.require(f.boot, f.slot(9), Rights.NONE, CapType.FRAME));
    }

    @Test
    void shouldInstallADescribedCapabilityWithTheKernelCapability()
    {
        final Capability remote = new Capability(CapType.FRAME, CapOps.initialRam(1, PAGE).base(), 2 * PAGE,
            Rights.READ, 1, Capability.objectId(1, 42));
        f.ops.install(f.boot, KERNEL, CapDescriptor.decode(CapDescriptor.encode(remote)), Cte.REMOTE_COPIES,
            f.boot, f.slot(5));
        f.ops.install(f.boot, KERNEL, remote, Cte.REMOTE_COPIES | Cte.REMOTE_ANCESTORS, f.boot, f.slot(6));

        assertEquals(remote, f.cap(f.slot(5)));
        assertEquals(Cte.REMOTE_COPIES | Cte.REMOTE_ANCESTORS, f.boot.slot(f.slot(5)).relations(),
            "copies agree on their remote relations");
        assertSame(f.boot.slot(f.slot(5)), f.ops.mdb().copies(f.boot.slot(f.slot(6))).get(0));
        f.ops.checkConsistency();
    }

    @Test
    void shouldRejectInstallWithoutTheKernelCapability()
    {
        final Capability remote = new Capability(CapType.FRAME, 0, PAGE, Rights.ALL, 1, Capability.objectId(1, 1));
        assertFails(ShoalError.WRONG_TYPE, f.ops, () -> f.ops.install(f.boot, RAM, remote, 0, f.boot, f.slot(5)));
        assertFails(ShoalError.SLOT_IN_USE, f.ops, () -> f.ops.install(f.boot, KERNEL, remote, 0, f.boot, RAM));
        assertFails(ShoalError.INVALID_ARGUMENT, f.ops,
            () -> f.ops.install(f.boot, KERNEL, f.ram.withOwner(1), 0, f.boot, f.slot(5)));
    }

    @Test
    void shouldCreateDistinctIds()
    {
        final Capability a = f.ops.createId(f.boot, f.slot(5));
        final Capability b = f.ops.createId(f.boot, f.slot(6));
        assertEquals(CapType.ID, a.type());
        assertNotEquals(a.base(), b.base());
        f.ops.checkConsistency();
    }

    @Test
    void shouldSetTheOwnerOfEveryLocalCopy()
    {
        f.ops.copy(f.boot, RAM, f.slot(5));
        f.ops.mdb().setOwner(f.boot.slot(RAM), 1);
        assertEquals(1, f.cap(f.slot(5)).owner());
        assertEquals(1, f.cap(RAM).owner());
        f.ops.checkConsistency();
        assertFails(ShoalError.NOT_OWNER, f.ops, () -> f.frames(0, PAGE, 1, 6));
    }
}
