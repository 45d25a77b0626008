package dev.shoal.monitor.ump;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;

/** The sanity suite on rings in off-heap {@link MemorySegment}s, the way simulated physical memory holds them. */
class UmpChannelOnMemorySegmentTest extends UmpChannelSanityTest
{
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void freeRings()
    {
        arena.close();
    }

    @Override
    protected AtomicBuffer newRingMemory(final int bytes)
    {
        final MemorySegment segment = arena.allocate(bytes, UmpDescriptor.SLOT_SIZE).fill((byte)0);
        return new UnsafeBuffer(segment.address(), bytes);
    }
}
