package dev.shoal.kernel.caps;

/**
 * The rights a capability confers: a small immutable bitset. Barrelfish defined these and left them unchecked;
 * Shoal enforces them on every operation:
 *
 * <table>
 *   <caption>What each operation needs</caption>
 *   <tr><th>operation</th><th>needs</th></tr>
 *   <tr><td>copy, mint</td><td>GRANT on the source (a capability without GRANT can be used but not passed on);
 *       mint's rights must be a subset of the source's</td></tr>
 *   <tr><td>retype</td><td>WRITE on the source (making objects writes, and zeroes, its memory); the new
 *       capabilities get the source's rights</td></tr>
 *   <tr><td>revoke</td><td>GRANT on the target (only a holder that may hand the authority on may take it
 *       back from everyone)</td></tr>
 *   <tr><td>identify</td><td>IDENTIFY on the target</td></tr>
 *   <tr><td>delete</td><td>nothing on the capability: a holder may always drop its own copy</td></tr>
 *   <tr><td>any change to a slot (the destination of copy, mint, retype, install; the slot of delete)</td>
 *       <td>WRITE on the CNode capability through which the slot is reached</td></tr>
 *   <tr><td>map a FRAME/DEV_FRAME (paging layer, via {@link CapOps#requireRights})</td><td>READ to map it
 *       readable, WRITE to map it writable, EXECUTE to map it executable; WRITE on the VNODE mapped into</td></tr>
 * </table>
 *
 * <p>Instances are canonical (one per bit pattern), immutable; any thread.
 */
public final class Rights
{
    public static final int READ_BIT = 1;
    public static final int WRITE_BIT = 1 << 1;
    public static final int EXECUTE_BIT = 1 << 2;
    public static final int GRANT_BIT = 1 << 3;
    public static final int IDENTIFY_BIT = 1 << 4;
    public static final int ALL_BITS = READ_BIT | WRITE_BIT | EXECUTE_BIT | GRANT_BIT | IDENTIFY_BIT;

    private static final String LETTERS = "RWXGI";
    private static final Rights[] CANONICAL = new Rights[ALL_BITS + 1];

    static
    {
        for (int bits = 0; bits <= ALL_BITS; bits++)
        {
            CANONICAL[bits] = new Rights(bits);
        }
    }

    public static final Rights NONE = CANONICAL[0];
    public static final Rights READ = CANONICAL[READ_BIT];
    public static final Rights WRITE = CANONICAL[WRITE_BIT];
    public static final Rights EXECUTE = CANONICAL[EXECUTE_BIT];
    public static final Rights GRANT = CANONICAL[GRANT_BIT];
    public static final Rights IDENTIFY = CANONICAL[IDENTIFY_BIT];
    public static final Rights READ_WRITE = CANONICAL[READ_BIT | WRITE_BIT];
    public static final Rights ALL = CANONICAL[ALL_BITS];

    private final int bits;

    private Rights(final int bits)
    {
        this.bits = bits;
    }

    /**
     * The rights with {@code bits} set.
     *
     * @throws ShoalException INVALID_ARGUMENT when a bit outside {@link #ALL_BITS} is set.
     */
    public static Rights of(final int bits)
    {
        if ((bits & ~ALL_BITS) != 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("rights bits 0x" + Integer.toHexString(bits) +
                " outside 0x" + Integer.toHexString(ALL_BITS));
        }
        return CANONICAL[bits];
    }

    public int bits()
    {
        return bits;
    }

    /** @return true when every right in {@code other} is also in this set. */
    public boolean contains(final Rights other)
    {
        return (bits & other.bits) == other.bits;
    }

    public Rights intersect(final Rights other)
    {
        return CANONICAL[bits & other.bits];
    }

    /** This set plus {@code other}: for building a set to ask for; {@code mint} still checks it is a subset. */
    public Rights with(final Rights other)
    {
        return CANONICAL[bits | other.bits];
    }

    public Rights without(final Rights other)
    {
        return CANONICAL[bits & ~other.bits];
    }

    public boolean isEmpty()
    {
        return bits == 0;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Rights r && r.bits == bits;
    }

    @Override
    public int hashCode()
    {
        return bits;
    }

    /** {@code RWXGI} with a dash for each missing right, e.g. {@code R---I}. */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(LETTERS.length());
        for (int i = 0; i < LETTERS.length(); i++)
        {
            sb.append((bits & (1 << i)) != 0 ? LETTERS.charAt(i) : '-');
        }
        return sb.toString();
    }
}
