package dev.shoal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;

class PhysicalMemoryTest
{
    @Test
    void shouldRefuseAMachineWhoseCoresRegionsDoNotFitTheAddressSpace()
    {
        assertEquals(8_388_608, PhysicalMemory.MAX_CORES);
        assertEquals(Long.MAX_VALUE, PhysicalMemory.regionBase(PhysicalMemory.MAX_CORES - 1) +
            PhysicalMemory.REGION_SIZE - 1, "the last core's region ends at the last non-negative address");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Machine(PhysicalMemory.MAX_CORES + 1, CostModel.forLrpc(1000), (core, arg) -> { }));
        assertEquals("a machine has 1..8388608 cores (each core's physical memory is a 1 TiB region of a 63-bit " +
            "address space), not 8388609", e.getMessage());
    }

    @Test
    void shouldHandOutZeroedAlignedFramesThatAnyoneCanMapByAddress()
    {
        try (PhysicalMemory memory = new PhysicalMemory(2))
        {
            final FrameAllocator core1 = new FrameAllocator(memory, 1);
            final long a = core1.allocate(100);
            final long b = core1.allocate(64);
            assertEquals(0, a % 64);
            assertEquals(0, b % 64);
            assertNotEquals(a, b);
            assertEquals(1, a >>> PhysicalMemory.CORE_SHIFT, "frames come from the allocating core's region");
            final AtomicBuffer view = memory.map(a, 100);
            assertEquals(0L, view.getLong(0));
            view.putLong(8, 42);
            assertEquals(42, memory.map(a, 100).getLong(8), "two mappings of one frame see the same bytes");
        }
    }

    @Test
    void shouldRejectUnbackedAddresses()
    {
        try (PhysicalMemory memory = new PhysicalMemory(2))
        {
            assertThrows(IllegalArgumentException.class, () -> memory.map(0, 64));
            final long a = new FrameAllocator(memory, 0).allocate(64);
            assertThrows(IllegalArgumentException.class, () -> memory.map(a, PhysicalMemory.CHUNK_SIZE + 1));
        }
    }

    @Test
    void shouldOpenANewChunkWhenOneIsFull()
    {
        try (PhysicalMemory memory = new PhysicalMemory(1))
        {
            final FrameAllocator frames = new FrameAllocator(memory, 0);
            final long first = frames.allocate(PhysicalMemory.CHUNK_SIZE);
            final long second = frames.allocate(64);
            assertEquals(PhysicalMemory.CHUNK_SIZE, second - first);
            assertEquals(2L * PhysicalMemory.CHUNK_SIZE, memory.allocatedBytes());
        }
    }
}
