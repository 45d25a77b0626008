package dev.shoal.libos.alloc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.shoal.kernel.paging.PageFaultException;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Os;
import dev.shoal.libos.Shoal;

class SizeClassAllocatorTest
{
    private static final long BASE = 0x4000_0000L;
    private static final long CHUNK = 64 << 10;
    private static final AtomicInteger DOMAINS = new AtomicInteger();
    private static Shoal shoal;

    @BeforeAll
    static void boot()
    {
        shoal = Shoal.boot("numa:1x8", 1);
    }

    @AfterAll
    static void shutDown()
    {
        shoal.close();
    }

    /** Runs {@code body} in a fresh dispatcher on core 0 with {@code ramBytes} of RAM; rethrows its failure. */
    private static void onCore(final long ramBytes, final Domain.Main body) throws Exception
    {
        final Domain d = shoal.startDomain("alloc-" + DOMAINS.incrementAndGet(), new int[] {0}, os ->
        {
            os.initMemory(ramBytes);
            try
            {
                body.run(os);
            }
            finally
            {
                os.releaseMemory();
            }
        });
        assertTrue(d.join(Duration.ofSeconds(30)), "the dispatcher finished");
    }

    private static SizeClassAllocator allocator(final Os os, final long limit)
    {
        return new SizeClassAllocator(new MappedRegion(os, BASE, CHUNK, limit));
    }

    @Test
    void shouldRoundRequestsUpToPowerOfTwoClasses()
    {
        assertEquals(16, SizeClassAllocator.blockSize(1));
        assertEquals(16, SizeClassAllocator.blockSize(16));
        assertEquals(32, SizeClassAllocator.blockSize(17));
        assertEquals(1024, SizeClassAllocator.blockSize(1000));
        assertEquals(65536, SizeClassAllocator.blockSize(65536));
    }

    @Test
    void shouldReuseTheMostRecentlyFreedBlockOfAClass() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, 1 << 20);
            final long x = a.allocate(100);
            final long y = a.allocate(100);
            assertNotEquals(x, y);
            a.free(x, 100);
            assertEquals(x, a.allocate(120), "a freed 128-byte block serves the next request of that class");
            assertEquals(256, a.bytesInUse());
            a.free(y, 100);
            a.free(x, 120);
            assertEquals(0, a.bytesInUse());
        });
    }

    @Test
    void shouldKeepTheBytesOfLiveBlocksWhileOthersComeAndGo() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, 1 << 20);
            final List<long[]> live = new ArrayList<>();
            for (int i = 0; i < 400; i++)
            {
                final int size = 1 + (i * 37) % 700;
                final long addr = a.allocate(size);
                final byte[] data = pattern(i, size);
                os.writeBytes(addr, data, 0, size);
                live.add(new long[] {addr, size, i});
                if (i % 3 == 0)
                {
                    final long[] victim = live.remove(live.size() / 2);
                    a.free(victim[0], (int)victim[1]);
                }
            }
            final Set<Long> addresses = new HashSet<>();
            for (final long[] block : live)
            {
                final byte[] read = new byte[(int)block[1]];
                os.readBytes(block[0], read, 0, read.length);
                assertArrayEquals(pattern((int)block[2], (int)block[1]), read, "block " + block[2]);
                assertTrue(addresses.add(block[0]), "no two live blocks share an address");
            }
        });
    }

    @Test
    void shouldGrowByMappingAnotherChunkWhenTheFirstIsSpent() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final MappedRegion region = new MappedRegion(os, BASE, CHUNK, 1 << 20);
            final SizeClassAllocator a = new SizeClassAllocator(region);
            final List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                blocks.add(a.allocate(16 << 10));
            }
            assertEquals(2, region.chunks(), "five 16 KiB blocks need a second 64 KiB chunk");
            assertEquals(2 * CHUNK, a.bytesMapped());
            final long last = blocks.get(4);
            assertTrue(last >= BASE + CHUNK && last < BASE + 2 * CHUNK, "the fifth block lies in the second chunk");
            os.writeLong(last + (16 << 10) - 8, 42);
            assertEquals(42, os.readLong(last + (16 << 10) - 8));
        });
    }

    @Test
    void shouldAnswerNoMemoryWhenTheRamIsSpentAndRecoverAfterFrees() throws Exception
    {
        onCore(512 << 10, os ->
        {
            final SizeClassAllocator a = allocator(os, 64L << 20);
            final List<Long> blocks = new ArrayList<>();
            long addr;
            while ((addr = a.allocate(4096)) != AllocationPolicy.NO_MEMORY)
            {
                blocks.add(addr);
            }
            assertTrue(blocks.size() >= 64 && blocks.size() < 128,
                "512 KiB of RAM, less its page tables, holds some 4 KiB blocks: " + blocks.size());
            a.free(blocks.get(7), 4096);
            assertEquals(blocks.get(7), a.allocate(4096));
        });
    }

    @Test
    void shouldSplitAFreedLargeBlockWhenNoNewMemoryIsLeft() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, CHUNK);
            final long whole = a.allocate((int)CHUNK);
            assertEquals(AllocationPolicy.NO_MEMORY, a.allocate(16), "the region's one chunk is handed out");
            a.free(whole, (int)CHUNK);
            final long small = a.allocate(16);
            assertEquals(whole, small, "the first 16 bytes of the split block");
            final long half = a.allocate((int)CHUNK / 2);
            assertEquals(whole + CHUNK / 2, half, "the upper half went to its free list");
            assertEquals(CHUNK / 2 + 16, a.bytesInUse());
        });
    }

    @Test
    void shouldStopAtTheRegionLimitEvenWithRamLeft() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, CHUNK);
            assertNotEquals(AllocationPolicy.NO_MEMORY, a.allocate((int)CHUNK));
            assertEquals(AllocationPolicy.NO_MEMORY, a.allocate(16));
        });
    }

    @Test
    void shouldRejectRequestsBeyondTheLargestClass() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, 1 << 20);
            assertThrows(IllegalArgumentException.class, () -> a.allocate((int)CHUNK + 1));
            assertThrows(IllegalArgumentException.class, () -> a.allocate(0));
            assertThrows(IllegalArgumentException.class, () -> a.free(BASE - 4096, 16));
        });
    }

    @Test
    void shouldUnmapEverythingOnRelease() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, 1 << 20);
            final long addr = a.allocate(64);
            os.writeLong(addr, 7);
            a.release();
            assertEquals(0, a.bytesMapped());
            assertThrows(PageFaultException.class, () -> os.readLong(addr), "the frame is gone with its mapping");
        });
    }

    private static byte[] pattern(final int seed, final int size)
    {
        final byte[] b = new byte[size];
        for (int i = 0; i < size; i++)
        {
            b[i] = (byte)(seed * 31 + i);
        }
        return b;
    }
}
