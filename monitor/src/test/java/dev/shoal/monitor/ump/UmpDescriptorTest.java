package dev.shoal.monitor.ump;

import static dev.shoal.monitor.ump.UmpDescriptor.FLAG_FIRST;
import static dev.shoal.monitor.ump.UmpDescriptor.FLAG_LAST;
import static dev.shoal.monitor.ump.UmpDescriptor.KIND_ACK;
import static dev.shoal.monitor.ump.UmpDescriptor.KIND_DATA;
import static dev.shoal.monitor.ump.UmpDescriptor.KIND_EMPTY;
import static dev.shoal.monitor.ump.UmpDescriptor.SEQUENCE_MASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UmpDescriptorTest
{
    @Test
    void shouldMakeASlotOneCacheLineWithTheHeaderLast()
    {
        assertEquals(64, UmpDescriptor.SLOT_SIZE);
        assertEquals(56, UmpDescriptor.PAYLOAD_SIZE);
        assertEquals(56, UmpDescriptor.HEADER_OFFSET);
        assertEquals(48, UmpDescriptor.FIRST_FRAGMENT_CAPACITY);
    }

    @Test
    void shouldDecodeEveryFieldItEncodes()
    {
        final long header = UmpDescriptor.header(SEQUENCE_MASK, 0xABCDEF, 56, FLAG_FIRST | FLAG_LAST, KIND_DATA);

        assertEquals(SEQUENCE_MASK, UmpDescriptor.sequence(header));
        assertEquals(0xABCDEF, UmpDescriptor.ack(header));
        assertEquals(56, UmpDescriptor.length(header));
        assertTrue(UmpDescriptor.isFirst(header));
        assertTrue(UmpDescriptor.isLast(header));
        assertEquals(KIND_DATA, UmpDescriptor.kind(header));
        assertEquals(0, header >>> 58, "reserved bits stay zero");
    }

    @Test
    void shouldReduceSequenceAndAckModulo2To24()
    {
        final long header = UmpDescriptor.header(SEQUENCE_MASK + 2, -1, 0, 0, KIND_ACK);

        assertEquals(1, UmpDescriptor.sequence(header));
        assertEquals(SEQUENCE_MASK, UmpDescriptor.ack(header));
        assertFalse(UmpDescriptor.isFirst(header));
        assertFalse(UmpDescriptor.isLast(header));
        assertEquals(KIND_ACK, UmpDescriptor.kind(header));
    }

    @Test
    void shouldNeverTakeAZeroedSlotForAMessage()
    {
        assertEquals(KIND_EMPTY, UmpDescriptor.kind(0L));
        assertFalse(UmpDescriptor.isPresent(0L, 0), "even when sequence 0 is expected");
        assertFalse(UmpDescriptor.isPresent(0L, UmpDescriptor.INITIAL_SEQUENCE));
        assertTrue(UmpDescriptor.isPresent(UmpDescriptor.header(0, 0, 0, FLAG_FIRST | FLAG_LAST, KIND_DATA), 0));
    }

    @ParameterizedTest(name = "{0} bytes take {1} slots")
    @CsvSource({ "0,1", "1,1", "48,1", "49,2", "104,2", "105,3", "160,3", "161,4", "65536,1171" })
    void shouldPutTheSendCycleAnd48BytesInTheFirstSlotAnd56InEachOther(final int length, final int slots)
    {
        assertEquals(slots, UmpDescriptor.slotsFor(length));
        int total = 0;
        for (int fragment = 0; fragment < slots; fragment++)
        {
            assertEquals(total, UmpDescriptor.fragmentStart(fragment));
            total += UmpDescriptor.fragmentLength(length, fragment);
        }
        assertEquals(length, total);
    }
}
