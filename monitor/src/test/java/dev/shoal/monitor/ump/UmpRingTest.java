package dev.shoal.monitor.ump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UmpRingTest
{
    @Test
    void shouldAllocateTheDefaultRingOf32Slots()
    {
        final UmpRing ring = UmpRing.allocate(UmpDescriptor.DEFAULT_SLOTS);

        assertEquals(32, ring.slots());
        assertEquals(32 * 64, ring.buffer().capacity());
        assertEquals(32, UmpChannel.pair().a().capacity());
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 3, 6, 33, -4, 1 << 21 })
    void shouldRejectSlotCountsThatAreNotPowersOfTwoFrom2To2To20(final int slots)
    {
        final IllegalArgumentException rejected =
            assertThrows(IllegalArgumentException.class, () -> UmpRing.bytesFor(slots));
        assertTrue(rejected.getMessage().contains(Integer.toString(slots)), rejected.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UmpChannel.pair(slots));
    }

    @Test
    void shouldRejectABufferThatIsNotWholeSlots()
    {
        final IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class,
            () -> new UmpRing(new UnsafeBuffer(ByteBuffer.allocateDirect(100))));
        assertTrue(rejected.getMessage().contains("100"), rejected.getMessage());
    }

    @Test
    void shouldRejectABufferOfThreeSlots()
    {
        final IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class,
            () -> new UmpRing(new UnsafeBuffer(ByteBuffer.allocateDirect(3 * 64))));
        assertTrue(rejected.getMessage().contains("power-of-two"), rejected.getMessage());
    }

    @Test
    void shouldRejectAMisalignedBuffer()
    {
        final UnsafeBuffer misaligned = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 64 + 8), 1, 4 * 64);

        final IllegalArgumentException rejected =
            assertThrows(IllegalArgumentException.class, () -> new UmpRing(misaligned));
        assertTrue(rejected.getMessage().contains("aligned"), rejected.getMessage());
    }

    @Test
    void shouldRejectAnEndpointThatSendsAndReceivesOnOneRing()
    {
        final UnsafeBuffer memory = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 64));

        assertThrows(IllegalArgumentException.class, () -> UmpEndpoint.connect(memory, memory));
    }

    @Test
    void shouldConnectTwoEndsOverCallerAllocatedMemory()
    {
        final UnsafeBuffer aToB = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * 64));
        final UnsafeBuffer bToA = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * 64));
        final UmpEndpoint a = UmpEndpoint.connect(aToB, bToA);
        final UmpEndpoint b = UmpEndpoint.connect(bToA, aToB);
        final long[] received = new long[1];

        assertTrue(a.send(99, new byte[] { 1, 2, 3 }));
        b.poll((sendCycle, buffer, offset, length) -> received[0] = sendCycle + length, 1);

        assertEquals(102, received[0]);
    }
}
