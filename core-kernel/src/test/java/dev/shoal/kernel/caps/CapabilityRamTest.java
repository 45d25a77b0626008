package dev.shoal.kernel.caps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;

import dev.shoal.kernel.PhysicalMemory;

/** The part of {@link PhysicalMemory} that RAM capabilities name: lazily backed, zeroable, spanning chunks. */
class CapabilityRamTest
{
    private static final int CHUNK = PhysicalMemory.CHUNK_SIZE;

    @Test
    void shouldBackCapabilityRamOnFirstUseAnywhereInTheRegion()
    {
        try (PhysicalMemory memory = new PhysicalMemory(2))
        {
            final long far = PhysicalMemory.capabilityRamBase(1) + (300L << 30) + 128;
            assertFalse(memory.isBacked(far));

            final AtomicBuffer view = memory.map(far, 64);
            assertEquals(0, view.getLong(0));
            view.putLong(0, 99);

            assertTrue(memory.isBacked(far));
            assertEquals(99, memory.map(far, 8).getLong(0));
            assertEquals(CHUNK, memory.allocatedBytes());
        }
    }

    @Test
    void shouldReadUnwrittenCapabilityRamAsZeroWithoutBackingIt()
    {
        try (PhysicalMemory memory = new PhysicalMemory(1))
        {
            final byte[] out = {1, 2, 3};
            memory.read(PhysicalMemory.capabilityRamBase(0), out, 0, 3);
            assertArrayEquals(new byte[3], out);
            assertEquals(0, memory.allocatedBytes());
        }
    }

    @Test
    void shouldReadWriteAndZeroAcrossChunks()
    {
        try (PhysicalMemory memory = new PhysicalMemory(1))
        {
            final long at = PhysicalMemory.capabilityRamBase(0) + CHUNK - 10;
            final byte[] data = new byte[CHUNK + 20];
            for (int i = 0; i < data.length; i++)
            {
                data[i] = (byte)(i * 7 + 1);
            }
            memory.write(at, data, 0, data.length);
            final byte[] back = new byte[data.length];
            memory.read(at, back, 0, back.length);
            assertArrayEquals(data, back);
            assertEquals(3L * CHUNK, memory.allocatedBytes());

            memory.zero(at + 5, data.length - 10);
            memory.read(at, back, 0, back.length);
            for (int i = 0; i < back.length; i++)
            {
                assertEquals(i < 5 || i >= data.length - 5 ? data[i] : 0, back[i], "byte " + i);
            }
        }
    }

    @Test
    void shouldZeroAHugeUntouchedRangeWithoutBackingIt()
    {
        try (PhysicalMemory memory = new PhysicalMemory(1))
        {
            memory.zero(PhysicalMemory.capabilityRamBase(0), 1L << 30);
            assertEquals(0, memory.allocatedBytes());
        }
    }

    @Test
    void shouldStillRejectKernelMemoryTheAllocatorDidNotHandOut()
    {
        try (PhysicalMemory memory = new PhysicalMemory(1))
        {
            assertThrows(IllegalArgumentException.class, () -> memory.map(PhysicalMemory.regionBase(0) + 4096, 8));
            assertThrows(IllegalArgumentException.class,
                () -> memory.write(PhysicalMemory.regionBase(0), new byte[1], 0, 1));
            assertThrows(IllegalArgumentException.class,
                () -> memory.read(PhysicalMemory.regionBase(0), new byte[1], 0, 1));
            assertThrows(IllegalArgumentException.class,
                () -> memory.map(PhysicalMemory.capabilityRamBase(1), 8), "no such core");
            assertThrows(IllegalArgumentException.class,
                () -> memory.zero(PhysicalMemory.capabilityRamBase(0), PhysicalMemory.REGION_SIZE));
        }
    }

    @Test
    void shouldGiveEveryThreadTheSameChunkWhenTheyTouchItTogether() throws InterruptedException
    {
        try (PhysicalMemory memory = new PhysicalMemory(1))
        {
            final long address = PhysicalMemory.capabilityRamBase(0) + (5L << 20);
            final int threads = 4;
            final AtomicReferenceArray<AtomicBuffer> views = new AtomicReferenceArray<>(threads);
            final CountDownLatch start = new CountDownLatch(1);
            final Thread[] workers = new Thread[threads];
            for (int i = 0; i < threads; i++)
            {
                final int index = i;
                workers[i] = new Thread(() ->
                {
                    try
                    {
                        start.await();
                    }
                    catch (final InterruptedException e)
                    {
                        Thread.currentThread().interrupt();
                    }
                    views.set(index, memory.map(address + index * 8L, 8));
                });
                workers[i].start();
            }
            start.countDown();
            for (final Thread worker : workers)
            {
                worker.join();
            }
            for (int i = 0; i < threads; i++)
            {
                views.get(i).putLong(0, i + 1);
            }
            for (int i = 0; i < threads; i++)
            {
                assertEquals(i + 1, memory.map(address + i * 8L, 8).getLong(0), "one chunk for all");
            }
            assertEquals(CHUNK, memory.allocatedBytes(), "a lost race leaves no second chunk in the tables");
        }
    }
}
