package dev.shoal.libos.alloc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
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

    @Test
    void shouldMergeAFreedBlockWithItsFreeBuddy() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, 1 << 20);
            final long lower = a.allocate(16);
            final long upper = a.allocate(16);
            assertEquals(lower + 16, upper, "two halves of one 32-byte block");
            a.free(lower, 16);
            a.free(upper, 16);
            assertEquals(lower, a.allocate(32), "the buddies merged back into the 32-byte block");
        });
    }

    @Test
    void shouldAllocateWholeChunksAgainWithoutGrowingOnceEverythingIsFreed() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final MappedRegion region = new MappedRegion(os, BASE, CHUNK, 1 << 20);
            final SizeClassAllocator a = new SizeClassAllocator(region);
            final List<long[]> blocks = new ArrayList<>();
            for (int i = 0; i < 300; i++)
            {
                final int size = 1 + (i * 37) % 700;
                blocks.add(new long[] {a.allocate(size), size});
            }
            final int chunks = region.chunks();
            assertTrue(chunks >= 2, "the mix spans several chunks: " + chunks);
            // Every other block first, so that no block finds its buddy free at once.
            for (int i = 0; i < blocks.size(); i += 2)
            {
                a.free(blocks.get(i)[0], (int)blocks.get(i)[1]);
            }
            for (int i = 1; i < blocks.size(); i += 2)
            {
                a.free(blocks.get(i)[0], (int)blocks.get(i)[1]);
            }
            assertEquals(0, a.bytesInUse());
            final Set<Long> whole = new HashSet<>();
            for (int i = 0; i < chunks; i++)
            {
                final long chunk = a.allocate((int)CHUNK);
                assertNotEquals(AllocationPolicy.NO_MEMORY, chunk);
                assertTrue(whole.add(chunk), "distinct chunks");
            }
            assertEquals(chunks, region.chunks(), "the freed mix merged back into whole chunks: no growth");
            assertEquals(chunks * CHUNK, a.bytesInUse());
        });
    }

    @Test
    void shouldServeALargeRequestFromMergedSmallBlocksOfAFragmentedRegion() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final int small = 1024;
            final int large = 4096;
            final SizeClassAllocator a = allocator(os, CHUNK);
            final List<Long> smalls = new ArrayList<>();
            final TreeMap<Long, Integer> larges = new TreeMap<>();
            while (true)
            {
                final long s = a.allocate(small);
                if (s == AllocationPolicy.NO_MEMORY)
                {
                    break;
                }
                smalls.add(s);
                final long l = a.allocate(large);
                if (l == AllocationPolicy.NO_MEMORY)
                {
                    break;
                }
                larges.put(l, large);
            }
            assertEquals(AllocationPolicy.NO_MEMORY, a.allocate(large), "the region's one chunk is full");
            for (final long s : smalls)
            {
                a.free(s, small);
            }
            final int expected = smalls.size() * small / large;
            int served = 0;
            long block;
            while ((block = a.allocate(large)) != AllocationPolicy.NO_MEMORY)
            {
                served++;
                assertNull(overlapping(larges, block, large), "a merged block is not part of a live one");
            }
            assertTrue(served >= expected, smalls.size() + " freed 1 KiB blocks hold " + expected +
                " blocks of 4 KiB once merged; served " + served);
            assertEquals(CHUNK, a.bytesMapped(), "without growing");
        });
    }

    @Test
    void shouldUseEveryByteOfChunksThatAreNotAPowerOfTwo() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final long chunk = 12 << 10;
            final MappedRegion region = new MappedRegion(os, BASE, chunk, 4 * chunk);
            final SizeClassAllocator a = new SizeClassAllocator(region);
            assertEquals(8 << 10, a.maxAllocation(), "the largest power of two in a chunk");
            for (int round = 0; round < 2; round++)
            {
                final List<Long> blocks = new ArrayList<>();
                long block;
                while ((block = a.allocate(8 << 10)) != AllocationPolicy.NO_MEMORY)
                {
                    blocks.add(block);
                }
                assertEquals(6, blocks.size(), "four 12 KiB chunks hold six 8 KiB blocks, halves merged across chunks");
                for (final long b : blocks)
                {
                    a.free(b, 8 << 10);
                }
            }
            assertEquals(4, region.chunks());
        });
    }

    @Test
    void shouldKeepLiveBlocksApartAndIntactOverThousandsOfRandomAllocationsAndFrees() throws Exception
    {
        final long seed = 0x5ca1ab1eL;
        onCore(8 << 20, os ->
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final long limit = 16 * CHUNK;
            final MappedRegion region = new MappedRegion(os, BASE, CHUNK, limit);
            final SizeClassAllocator a = new SizeClassAllocator(region);
            final TreeMap<Long, Integer> blockSizes = new TreeMap<>();
            final Map<Long, int[]> live = new HashMap<>();
            final List<Long> order = new ArrayList<>();
            long expectedInUse = 0;
            for (int op = 0; op < 6000; op++)
            {
                final String where = "seed " + seed + ", operation " + op;
                if (order.isEmpty() || random.nextInt(100) < 55)
                {
                    final int size = randomSize(random);
                    final long addr = a.allocate(size);
                    if (addr == AllocationPolicy.NO_MEMORY)
                    {
                        assertTrue(a.bytesMapped() + CHUNK > limit, where + ": no memory only at the limit");
                        continue;
                    }
                    final int block = SizeClassAllocator.blockSize(size);
                    assertTrue(addr >= BASE && addr + block <= BASE + a.bytesMapped(), where + ": inside the region");
                    assertEquals(0, (addr - BASE) % block, where + ": aligned to its size");
                    assertNull(overlapping(blockSizes, addr, block), where + ": overlaps a live block");
                    blockSizes.put(addr, block);
                    final int tag = random.nextInt();
                    os.writeBytes(addr, pattern(tag, size), 0, size);
                    live.put(addr, new int[] {size, tag});
                    order.add(addr);
                    expectedInUse += block;
                }
                else
                {
                    final int index = random.nextInt(order.size());
                    final long addr = order.get(index);
                    order.set(index, order.get(order.size() - 1));
                    order.remove(order.size() - 1);
                    final int[] sizeAndTag = live.remove(addr);
                    assertContents(os, addr, sizeAndTag, where);
                    a.free(addr, sizeAndTag[0]);
                    expectedInUse -= blockSizes.remove(addr);
                }
                assertEquals(expectedInUse, a.bytesInUse(), "seed " + seed + ", operation " + op + ": bytes in use");
            }
            for (final Map.Entry<Long, int[]> e : live.entrySet())
            {
                assertContents(os, e.getKey(), e.getValue(), "seed " + seed + ", at the end");
                a.free(e.getKey(), e.getValue()[0]);
            }
            assertEquals(0, a.bytesInUse());
            final int chunks = region.chunks();
            for (int i = 0; i < chunks; i++)
            {
                assertNotEquals(AllocationPolicy.NO_MEMORY, a.allocate((int)CHUNK), "seed " + seed + ": chunk " + i);
            }
            assertEquals(chunks, region.chunks(), "seed " + seed + ": everything merged back, no growth");
        });
    }

    @Test
    void shouldRefuseADoubleFreeAndAddressesItDidNotHandOut() throws Exception
    {
        onCore(4 << 20, os ->
        {
            final SizeClassAllocator a = allocator(os, 1 << 20);
            final long x = a.allocate(100);
            final long y = a.allocate(100);
            a.free(x, 100);
            final IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> a.free(x, 100));
            assertTrue(twice.getMessage().contains("not a live block"), twice.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.free(y + 16, 16), "inside a live block");
            assertThrows(IllegalArgumentException.class, () -> a.free(y, 1000), "a size of another class");
            assertThrows(IllegalArgumentException.class, () -> a.free(BASE + a.bytesMapped(), 16), "beyond the region");
            assertEquals(128, a.bytesInUse(), "the refused frees changed nothing");
            a.free(y, 100);
            assertEquals(0, a.bytesInUse());
            assertEquals(BASE, a.allocate((int)CHUNK), "the lists were not corrupted by the refused frees");
        });
    }

    /** Mostly small blocks, some of a few KiB, now and then one of up to a whole chunk. */
    private static int randomSize(final SplittableRandom random)
    {
        final int kind = random.nextInt(100);
        if (kind < 70)
        {
            return 1 + random.nextInt(256);
        }
        if (kind < 97)
        {
            return 257 + random.nextInt(4096);
        }
        return 4353 + random.nextInt((int)CHUNK - 4352);
    }

    /** The live block (start) that {@code [addr, addr + size)} overlaps, or null. */
    private static Long overlapping(final TreeMap<Long, Integer> blocks, final long addr, final int size)
    {
        final Map.Entry<Long, Integer> below = blocks.floorEntry(addr);
        if (below != null && below.getKey() + below.getValue() > addr)
        {
            return below.getKey();
        }
        final Long above = blocks.ceilingKey(addr);
        return above != null && above < addr + size ? above : null;
    }

    private static void assertContents(final Os os, final long addr, final int[] sizeAndTag, final String where)
    {
        final byte[] read = new byte[sizeAndTag[0]];
        os.readBytes(addr, read, 0, read.length);
        assertArrayEquals(pattern(sizeAndTag[1], sizeAndTag[0]), read, where + ": block 0x" + Long.toHexString(addr));
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
