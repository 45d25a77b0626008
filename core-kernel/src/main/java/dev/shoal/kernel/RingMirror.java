package dev.shoal.kernel;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A ring written in this JVM and read by a core of another partition: the copy of its lines as last sent, so
 * that only lines that changed travel (a slot written, a header overwritten by a newer acknowledgement). The
 * engine's partition thread only (the ring's writer runs there).
 */
final class RingMirror
{
    /** Bytes of one line, the unit that travels: one UMP slot. */
    static final int LINE = PhysicalMemory.LINE;

    private final long address;
    private final int bytes;
    private final int reader;
    private final long[] sent;
    private final byte[] line = new byte[LINE];
    private AtomicBuffer ring;

    RingMirror(final long address, final int bytes, final int reader)
    {
        this.address = address;
        this.bytes = bytes;
        this.reader = reader;
        this.sent = new long[bytes / Long.BYTES];
    }

    /** Sends every line that differs from what was sent before. */
    void ship(final PhysicalMemory memory, final PartitionLink link)
    {
        if (ring == null)
        {
            ring = memory.map(address, bytes);
        }
        for (int offset = 0; offset < bytes; offset += LINE)
        {
            boolean changed = false;
            for (int w = offset; w < offset + LINE; w += Long.BYTES)
            {
                final long word = ring.getLongVolatile(w);
                if (word != sent[w / Long.BYTES])
                {
                    sent[w / Long.BYTES] = word;
                    changed = true;
                }
            }
            if (changed)
            {
                ring.getBytes(offset, line, 0, LINE);
                link.sendLine(reader, address + offset, line);
            }
        }
    }
}
