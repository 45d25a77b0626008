package dev.shoal.monitor;

/**
 * Layout of the envelope that starts every inter-monitor message (the bytes after the UMP layer's send time), in one
 * place like {@link dev.shoal.monitor.ump.UmpDescriptor}:
 * <pre>
 *   0                 4                   8                        12
 *   +-----------------+-------------------+------------------------+------------------
 *   | message id: i32 | source core: i32  | destination core: i32  | payload (codec)
 *   +-----------------+-------------------+------------------------+------------------
 * </pre>
 * The message id is the type's stable identity in the {@link Protocol} (derived from the operation's and the
 * message's names, never from registration order), so every monitor — and a monitor in another process — reads
 * the same id the same way. A relay forwards the bytes unchanged: only the destination decodes the payload.
 */
public final class MonitorEnvelope
{
    /** Offset of the message id (i32). */
    public static final int TYPE_ID_OFFSET = 0;
    /** Offset of the sending core (i32). */
    public static final int SOURCE_OFFSET = TYPE_ID_OFFSET + Integer.BYTES;
    /** Offset of the destination core (i32): a monitor forwards a message whose destination is not its core. */
    public static final int DESTINATION_OFFSET = SOURCE_OFFSET + Integer.BYTES;
    /** Bytes of the envelope; the payload starts here. */
    public static final int LENGTH = DESTINATION_OFFSET + Integer.BYTES;

    static
    {
        // The size assertion: three words, and a one-slot message still has room for a payload. A longer envelope
        // would push messages into a second slot and change every cycle figure in the docs.
        if (LENGTH != 3 * Integer.BYTES || LENGTH >= dev.shoal.monitor.ump.UmpDescriptor.FIRST_FRAGMENT_CAPACITY)
        {
            throw new AssertionError("monitor envelope layout is inconsistent");
        }
    }

    private MonitorEnvelope()
    {
    }
}
