package dev.shoal.kernel.caps;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The wire form of a {@link Capability}: capabilities cross cores only as these bytes, carried by the monitors
 * (nothing mutable is shared between cores). A descriptor says what the object is, not where it is held: the
 * receiving monitor {@link CapOps#install installs} it and sets its remote relations.
 *
 * <p>Layout, {@link #LENGTH} bytes, little-endian; fits one UMP message payload (56 bytes):
 * <pre>
 *   offset  size  field
 *   0       1     version ({@link #VERSION})
 *   1       1     type (CapType ordinal, not NULL)
 *   2       1     rights bits (within Rights.ALL_BITS)
 *   3       1     reserved, 0
 *   4       4     owner core (&gt;= 0)
 *   8       8     base (&gt;= 0)
 *   16      8     size (&gt;= 0, base + size must not overflow)
 *   24      8     object id
 * </pre>
 *
 * <p>Stateless; any thread.
 */
public final class CapDescriptor
{
    public static final byte VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int TYPE_OFFSET = 1;
    public static final int RIGHTS_OFFSET = 2;
    public static final int RESERVED_OFFSET = 3;
    public static final int OWNER_OFFSET = 4;
    public static final int BASE_OFFSET = 8;
    public static final int SIZE_OFFSET = 16;
    public static final int OBJECT_ID_OFFSET = 24;
    public static final int LENGTH = 32;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static
    {
        if (OBJECT_ID_OFFSET + Long.BYTES != LENGTH)
        {
            throw new AssertionError("descriptor fields must fill its length exactly");
        }
    }

    private CapDescriptor()
    {
    }

    /** Writes {@code cap} at {@code offset} of {@code buffer}. @return the bytes written ({@link #LENGTH}). */
    public static int encode(final Capability cap, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putByte(offset + VERSION_OFFSET, VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)cap.type().ordinal());
        buffer.putByte(offset + RIGHTS_OFFSET, (byte)cap.rights().bits());
        buffer.putByte(offset + RESERVED_OFFSET, (byte)0);
        buffer.putInt(offset + OWNER_OFFSET, cap.owner(), ORDER);
        buffer.putLong(offset + BASE_OFFSET, cap.base(), ORDER);
        buffer.putLong(offset + SIZE_OFFSET, cap.size(), ORDER);
        buffer.putLong(offset + OBJECT_ID_OFFSET, cap.objectId(), ORDER);
        return LENGTH;
    }

    /** {@code cap} as a new array of {@link #LENGTH} bytes. */
    public static byte[] encode(final Capability cap)
    {
        final byte[] bytes = new byte[LENGTH];
        encode(cap, new UnsafeBuffer(bytes), 0);
        return bytes;
    }

    /** The capability described by {@code bytes}, which must be exactly one descriptor. */
    public static Capability decode(final byte[] bytes)
    {
        return decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /**
     * The capability described by the {@code length} bytes at {@code offset} of {@code buffer}.
     *
     * @throws ShoalException DESCRIPTOR_MALFORMED, with a one-line detail naming the offending field, when the bytes
     *                        are not a valid descriptor.
     */
    public static Capability decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != LENGTH)
        {
            throw malformed("length " + length + ", expected " + LENGTH);
        }
        final int version = buffer.getByte(offset + VERSION_OFFSET) & 0xff;
        if (version != VERSION)
        {
            throw malformed("byte " + VERSION_OFFSET + ": version " + version + ", expected " + VERSION);
        }
        final int typeOrdinal = buffer.getByte(offset + TYPE_OFFSET) & 0xff;
        final CapType type = CapType.fromOrdinal(typeOrdinal);
        if (type == null || type == CapType.NULL)
        {
            throw malformed("byte " + TYPE_OFFSET + ": " + typeOrdinal + " is not a capability type");
        }
        final int rights = buffer.getByte(offset + RIGHTS_OFFSET) & 0xff;
        if ((rights & ~Rights.ALL_BITS) != 0)
        {
            throw malformed("byte " + RIGHTS_OFFSET + ": rights 0x" + Integer.toHexString(rights) +
                " outside 0x" + Integer.toHexString(Rights.ALL_BITS));
        }
        final int reserved = buffer.getByte(offset + RESERVED_OFFSET) & 0xff;
        if (reserved != 0)
        {
            throw malformed("byte " + RESERVED_OFFSET + ": reserved is " + reserved + ", expected 0");
        }
        final int owner = buffer.getInt(offset + OWNER_OFFSET, ORDER);
        if (owner < 0)
        {
            throw malformed("bytes " + OWNER_OFFSET + "..7: owner core " + owner);
        }
        final long base = buffer.getLong(offset + BASE_OFFSET, ORDER);
        final long size = buffer.getLong(offset + SIZE_OFFSET, ORDER);
        if (base < 0 || size < 0 || base + size < base)
        {
            throw malformed("bytes " + BASE_OFFSET + "..23: range 0x" + Long.toHexString(base) + "+0x" +
                Long.toHexString(size) + " is not a valid range");
        }
        if (type.namesMemory() && (size == 0 || base % type.alignment() != 0))
        {
            throw malformed(type + " at 0x" + Long.toHexString(base) + " of " + size + " bytes is not a valid object");
        }
        final long objectId = buffer.getLong(offset + OBJECT_ID_OFFSET, ORDER);
        return new Capability(type, base, size, Rights.of(rights), owner, objectId);
    }

    private static ShoalException malformed(final String detail)
    {
        return ShoalError.DESCRIPTOR_MALFORMED.exception(detail);
    }
}
