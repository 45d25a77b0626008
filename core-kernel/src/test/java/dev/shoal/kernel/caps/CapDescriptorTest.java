package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.ShoalAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class CapDescriptorTest
{
    @Test
    void shouldRoundTripEveryTypeAndRights()
    {
        final Random random = new Random(7);
        for (final CapType type : CapType.values())
        {
            if (type == CapType.NULL)
            {
                continue;
            }
            for (int i = 0; i < 20; i++)
            {
                final long size = type.namesMemory() ? CapType.BASE_PAGE_SIZE * (1 + random.nextInt(1000)) :
                    random.nextInt(3);
                final long base = (random.nextLong() >>> 20) & -CapType.BASE_PAGE_SIZE;
                final Capability cap = new Capability(type, base, size, Rights.of(random.nextInt(Rights.ALL_BITS + 1)),
                    random.nextInt(1 << 20), random.nextLong());

                assertEquals(cap, CapDescriptor.decode(CapDescriptor.encode(cap)));
            }
        }
    }

    @Test
    void shouldEncodeAtAnOffsetInAMessageBuffer()
    {
        final Capability cap = CapOps.initialRam(5, 1L << 28);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[56]);
        assertEquals(CapDescriptor.LENGTH, CapDescriptor.encode(cap, message, 8));

        assertEquals(cap, CapDescriptor.decode(message, 8, CapDescriptor.LENGTH));
        assertEquals(cap.base(), message.getLong(8 + CapDescriptor.BASE_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertTrue(CapDescriptor.LENGTH <= 56, "a descriptor fits one UMP payload");
    }

    @Test
    void shouldRejectMalformedDescriptorsWithOneLine()
    {
        final byte[] good = CapDescriptor.encode(CapOps.initialRam(1, 1L << 20));

        malformed(new byte[CapDescriptor.LENGTH - 1], "length 31");
        malformed(with(good, CapDescriptor.VERSION_OFFSET, 9), "version 9");
        malformed(with(good, CapDescriptor.TYPE_OFFSET, 0), "0 is not a capability type");
        malformed(with(good, CapDescriptor.TYPE_OFFSET, 99), "99 is not a capability type");
        malformed(with(good, CapDescriptor.RIGHTS_OFFSET, 0x40), "rights 0x40");
        malformed(with(good, CapDescriptor.RESERVED_OFFSET, 1), "reserved");
        malformed(with(good, CapDescriptor.OWNER_OFFSET + 3, 0x80), "owner core");
        malformed(with(good, CapDescriptor.SIZE_OFFSET + 7, 0x80), "not a valid range");
        final byte[] zeroSized = good.clone();
        new UnsafeBuffer(zeroSized).putLong(CapDescriptor.SIZE_OFFSET, 0);
        malformed(zeroSized, "not a valid object");
        final byte[] misaligned = good.clone();
        new UnsafeBuffer(misaligned).putLong(CapDescriptor.BASE_OFFSET, 12, ByteOrder.LITTLE_ENDIAN);
        malformed(misaligned, "not a valid object");
    }

    private static void malformed(final byte[] bytes, final String expected)
    {
        final ShoalException e = assertFails(ShoalError.DESCRIPTOR_MALFORMED, () -> CapDescriptor.decode(bytes));
        assertTrue(e.getMessage().startsWith("DESCRIPTOR_MALFORMED: the capability descriptor is malformed: "),
            e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    private static byte[] with(final byte[] bytes, final int offset, final int value)
    {
        final byte[] copy = bytes.clone();
        copy[offset] = (byte)value;
        return copy;
    }
}
