package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import dev.shoal.kernel.caps.Capability;
import dev.shoal.kernel.caps.Rights;
import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;
import dev.shoal.kernel.paging.PageFault;
import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.kernel.paging.PageFaultHandler;
import dev.shoal.libos.Domain;
import dev.shoal.libos.MemoryConfig;
import dev.shoal.libos.MemoryServer;
import dev.shoal.libos.Os;
import dev.shoal.libos.Shoal;

/** An application's memory through its libOS: frames from its own RAM, mapped in its own address space. */
class DispatcherMemoryTest
{
    static final long PAGE = 4096;
    static final long VADDR = 0x4000_0000L;

    static void run(final Shoal shoal, final String name, final int[] cores, final Domain.Main main)
        throws InterruptedException
    {
        final Domain domain = shoal.startDomain(name, cores, main);
        assertTrue(domain.join(Duration.ofSeconds(20)), name + " finished");
    }

    @OnBootedMachine(cores = {1, 2})
    void shouldAllocateMapWriteAndReadAFrame(final Shoal shoal) throws Exception
    {
        run(shoal, "app", IntStream.range(0, shoal.cores()).toArray(), os ->
        {
            final int frame = os.allocateFrame(2 * PAGE);
            os.map(frame, VADDR, Rights.READ_WRITE);
            os.writeLong(VADDR + 8, 0x5ca1ab1eL);
            assertEquals(0x5ca1ab1eL, os.readLong(VADDR + 8));

            final byte[] text = "across a page boundary".getBytes();
            os.writeBytes(VADDR + PAGE - 5, text, 0, text.length);
            final byte[] back = new byte[text.length];
            os.readBytes(VADDR + PAGE - 5, back, 0, back.length);
            assertArrayEquals(text, back);

            final Capability cap = os.caps().identify(os.cspace(), frame);
            assertEquals(os.caps().identify(os.cspace(), os.ram()).base() + PAGE, cap.base(),
                "the frame comes from the dispatcher's own RAM, after its root table");
            final long cycles = os.now();
            os.readLong(VADDR);
            assertTrue(os.now() > cycles, "an access charges the core's clock");
            os.releaseMemory();
        });
    }

    @OnBootedMachine(cores = {1})
    void shouldFaultOnAnUnmappedAddressAndRetryOnceTheHandlerMapsIt(final Shoal shoal) throws Exception
    {
        run(shoal, "demand", new int[] {0}, os ->
        {
            final PageFaultException miss = assertThrows(PageFaultException.class, () -> os.readLong(VADDR));
            assertEquals(PageFault.Reason.NOT_MAPPED, miss.fault().reason());

            final AtomicInteger faults = new AtomicInteger();
            os.onPageFault(fault ->
            {
                faults.incrementAndGet();
                os.map(os.allocateFrame(PAGE), fault.vaddr() & -PAGE, Rights.READ_WRITE);
                return PageFaultHandler.Resolution.RETRY;
            });
            assertEquals(0, os.readLong(VADDR + 16), "a fresh frame reads as zero");
            os.writeLong(VADDR + 16, 3);
            os.writeLong(VADDR + 5 * PAGE, 4);
            assertEquals(3, os.readLong(VADDR + 16));
            assertEquals(2, faults.get(), "one fault per page touched");

            os.onPageFault(PageFaultHandler.ALWAYS_FAIL);
            os.unmap(VADDR, 8 * PAGE);
            assertThrows(PageFaultException.class, () -> os.readLong(VADDR + 16));
            os.releaseMemory();
        });
    }

    @OnBootedMachine(cores = {1})
    void shouldFaultOnAWriteThroughAReadOnlyMappingAndLeaveMemoryUnchanged(final Shoal shoal) throws Exception
    {
        run(shoal, "readonly", new int[] {0}, os ->
        {
            final int frame = os.allocateFrame(PAGE);
            os.map(frame, VADDR, Rights.READ_WRITE);
            os.writeLong(VADDR, 7);
            final int readOnly = os.allocateSlot();
            os.caps().mint(os.cspace(), frame, readOnly, Rights.READ.with(Rights.GRANT));

            final ShoalException refused = assertThrows(ShoalException.class,
                () -> os.map(readOnly, VADDR + PAGE, Rights.READ_WRITE));
            assertEquals(ShoalError.INSUFFICIENT_RIGHTS, refused.error());
            os.map(readOnly, VADDR + PAGE, Rights.READ);
            assertEquals(7, os.readLong(VADDR + PAGE), "both mappings show the same frame");

            final PageFaultException write = assertThrows(PageFaultException.class,
                () -> os.writeLong(VADDR + PAGE, 8));
            assertEquals(PageFault.Reason.PROTECTION, write.fault().reason());
            assertEquals(7, os.readLong(VADDR), "the refused write changed nothing");
            assertEquals(ShoalError.INSUFFICIENT_RIGHTS, assertThrows(ShoalException.class,
                () -> os.protect(VADDR + PAGE, PAGE, Rights.READ_WRITE)).error());

            os.protect(VADDR, PAGE, Rights.READ);
            assertThrows(PageFaultException.class, () -> os.writeLong(VADDR, 9));
            os.protect(VADDR, PAGE, Rights.READ_WRITE);
            os.writeLong(VADDR, 9);
            assertEquals(9, os.readLong(VADDR + PAGE));
            os.releaseMemory();
        });
    }

    @OnBootedMachine(cores = {1})
    void shouldUnmapAFrameWhenItsCapabilityIsDeleted(final Shoal shoal) throws Exception
    {
        run(shoal, "delete", new int[] {0}, os ->
        {
            final int frame = os.allocateFrame(3 * PAGE);
            os.map(frame, VADDR, Rights.READ_WRITE);
            os.writeLong(VADDR + 2 * PAGE, 1);

            os.delete(frame);

            assertThrows(PageFaultException.class, () -> os.readLong(VADDR + 2 * PAGE));
            final int again = os.allocateFrame(3 * PAGE);
            assertEquals(frame, again, "slot and RAM are reused");
            os.map(again, VADDR, Rights.READ_WRITE);
            assertEquals(0, os.readLong(VADDR + 2 * PAGE), "a frame retyped again is zeroed");
            os.releaseMemory();
        });
    }

    @OnBootedMachine(cores = {1})
    void shouldGiveEachDispatcherTheConfiguredRamAndTakeItBack(final Shoal shoal) throws Exception
    {
        MemoryServer.configure(shoal, MemoryConfig.DEFAULT.withDispatcherRam(256 * PAGE));
        final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
        run(shoal, "small", new int[] {0}, os ->
        {
            assertEquals(256 * PAGE, os.caps().identify(os.cspace(), os.ram()).size());
            assertEquals(ShoalError.OUT_OF_MEMORY, assertThrows(ShoalException.class,
                () -> os.allocateFrame(256 * PAGE)).error());
            final int frame = os.allocateFrame(200 * PAGE);
            os.map(frame, VADDR, Rights.READ_WRITE);
            seen.put("asid", os.addressSpace().asid());
            os.releaseMemory();
            assertThrows(IllegalStateException.class, () -> os.readLong(VADDR));
        });
        run(shoal, "next", new int[] {0}, os ->
        {
            os.initMemory(512 * PAGE);
            assertEquals(512 * PAGE, os.caps().identify(os.cspace(), os.ram()).size());
            assertNotEquals(seen.get("asid"), os.addressSpace().asid(), "address-space ids are not reused at once");
            assertThrows(IllegalStateException.class, () -> os.initMemory(PAGE * 2));
            os.releaseMemory();
        });
    }

    /** Touches a page so the test can tell a fault from a value. */
    static String probe(final Os os, final long vaddr)
    {
        try
        {
            return "value " + os.readLong(vaddr);
        }
        catch (final PageFaultException ex)
        {
            return "fault";
        }
    }
}
