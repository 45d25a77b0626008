package dev.shoal.harness;

import static dev.shoal.harness.DispatcherMemoryTest.PAGE;
import static dev.shoal.harness.DispatcherMemoryTest.VADDR;
import static dev.shoal.harness.DispatcherMemoryTest.probe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapType;
import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Os;
import dev.shoal.libos.Shoal;

/**
 * A dispatcher without a capability cannot reach memory it was not given. Dispatcher A maps a frame and writes a
 * secret; the dispatchers of domain B, one on A's core and one on every other core, each with their own CSpace and
 * address space, look for a way to it and find none.
 */
class MemoryIsolationTest
{
    private static final long SECRET = 0x5ec2e7_c0ffeeL;

    /** What A tells the test: its frame's cptr (in A's CSpace) and the physical range the frame names. */
    private record Published(int frameCptr, long base, long size)
    {
    }

    @OnBootedMachine(cores = {1, 2})
    void shouldKeepOtherDispatchersFromAFrameTheyWereNotGiven(final Shoal shoal) throws Exception
    {
        final int[] everyCore = IntStream.range(0, shoal.cores()).toArray();
        final CompletableFuture<Published> published = new CompletableFuture<>();
        final CountDownLatch probed = new CountDownLatch(everyCore.length);
        final Set<Integer> asids = ConcurrentHashMap.newKeySet();

        final Domain a = shoal.startDomain("a", new int[] {0}, os ->
        {
            final int frame = os.allocateFrame(PAGE);
            os.map(frame, VADDR, Rights.READ_WRITE);
            os.writeLong(VADDR, SECRET);
            final Capability cap = os.caps().identify(os.cspace(), frame);
            asids.add(os.addressSpace().asid() << 8 | os.coreId());
            published.complete(new Published(frame, cap.base(), cap.size()));
            assertTrue(probed.await(20, TimeUnit.SECONDS), "B finished probing");
            assertEquals(SECRET, os.readLong(VADDR), "nothing B did reached A's frame");
            os.releaseMemory();
        });
        final Domain b = shoal.startDomain("b", everyCore, os ->
        {
            try
            {
                final Published secret = published.get(20, TimeUnit.SECONDS);
                asids.add(os.addressSpace().asid() << 8 | os.coreId());
                probeFromAnotherDispatcher(os, secret);
                os.releaseMemory();
            }
            finally
            {
                probed.countDown();
            }
        });
        assertTrue(b.join(Duration.ofSeconds(30)));
        assertTrue(a.join(Duration.ofSeconds(30)));
        assertEquals(1 + everyCore.length, asids.size(), "each dispatcher has its own address space");
    }

    @OnBootedMachine(cores = {1})
    void shouldHandTheNextDispatcherReleasedMemoryOnlyWiped(final Shoal shoal) throws Exception
    {
        final CompletableFuture<Published> released = new CompletableFuture<>();
        DispatcherMemoryTest.run(shoal, "first", new int[] {0}, os ->
        {
            final int frame = os.allocateFrame(PAGE);
            os.map(frame, VADDR, Rights.READ_WRITE);
            os.writeLong(VADDR, SECRET);
            final Capability cap = os.caps().identify(os.cspace(), frame);
            os.releaseMemory();
            released.complete(new Published(frame, cap.base(), cap.size()));
        });
        final Published old = released.get();
        DispatcherMemoryTest.run(shoal, "second", new int[] {0}, os ->
        {
            final int frame = os.allocateFrame(PAGE);
            assertEquals(old.base(), os.caps().identify(os.cspace(), frame).base(), "the same memory, reused");
            os.map(frame, VADDR, Rights.READ_WRITE);
            assertEquals("value 0", probe(os, VADDR), "retyping a frame from RAM zeroes it");
            os.releaseMemory();
        });
    }

    private static void probeFromAnotherDispatcher(final Os os, final Published secret)
    {
        final CSpace space = os.cspace();
        final Capability ram = os.caps().identify(space, os.ram());
        assertFalse(ram.overlaps(secret.base(), secret.base() + secret.size()), "B's RAM does not hold A's frame");

        // Every capability B can name is empty or its own: its RAM and what lies inside it, or its CNodes.
        int named = 0;
        for (int root = 0; root < 1 << space.rootBits(); root++)
        {
            final Capability leaf = space.capability(CSpace.rootSlot(root));
            if (leaf == null)
            {
                continue;
            }
            assertEquals(CapType.CNODE, leaf.type());
            assertFalse(leaf.overlaps(secret.base(), secret.base() + secret.size()));
            for (int index = 0; index < 1 << space.leafBits(); index++)
            {
                final Capability cap = space.capability(space.cptr(root, index));
                if (cap != null)
                {
                    named++;
                    assertFalse(cap.overlaps(secret.base(), secret.base() + secret.size()), cap.toString());
                    assertTrue(ram.base() <= cap.base() && cap.end() <= ram.end(), cap + " lies in " + ram);
                }
            }
        }
        assertEquals(2, named, "B holds its RAM and its root page table, nothing else");

        // A's cptr names nothing in B's CSpace, so B cannot map it.
        assertNull(space.capability(secret.frameCptr()));
        assertEquals(ShoalError.SLOT_EMPTY, assertThrows(ShoalException.class,
            () -> os.map(secret.frameCptr(), VADDR, Rights.READ)).error());
        // B cannot make a capability to A's memory out of its own RAM either.
        final int slot = os.allocateSlot();
        assertThrows(ShoalException.class, () -> os.caps().retype(space, os.ram(), CapType.FRAME,
            secret.base() - ram.base(), PAGE, 1, slot));
        assertNull(space.capability(slot));

        // A's virtual address means nothing in B's address space...
        assertEquals("fault", probe(os, VADDR));
        // ...and what B maps there is B's own memory.
        final int own = os.allocateFrame(PAGE);
        os.map(own, VADDR, Rights.READ_WRITE);
        assertNotEquals(secret.base(), os.caps().identify(space, own).base());
        assertEquals("value 0", probe(os, VADDR));
        os.writeLong(VADDR, ~SECRET);
        assertEquals("value " + ~SECRET, probe(os, VADDR));
    }
}
