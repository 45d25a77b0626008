package dev.shoal.monitor.ump;

import java.nio.ByteBuffer;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** The sanity suite on rings in direct {@link ByteBuffer}s. */
class UmpChannelOnDirectByteBufferTest extends UmpChannelSanityTest
{
    @Override
    protected AtomicBuffer newRingMemory(final int bytes)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
    }
}
