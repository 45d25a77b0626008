package dev.shoal.monitor.ump;

import java.util.Objects;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A duplex UMP channel: two one-to-one rings used crosswise by two {@link UmpEndpoint}s, {@link #a()} and
 * {@link #b()}. {@code a} transmits on the first ring and receives on the second; {@code b} the other way round.
 * Each endpoint then belongs to one thread (one simulated core).
 *
 * <p>Convenient where one party builds both ends (tests, benchmarks, boot); parties on different cores that
 * share only memory each call {@link UmpEndpoint#connect(AtomicBuffer, AtomicBuffer)} instead.
 */
public final class UmpChannel
{
    private final UmpEndpoint a;
    private final UmpEndpoint b;

    private UmpChannel(final UmpRing aToB, final UmpRing bToA, final int initialSequence)
    {
        this.a = new UmpEndpoint(aToB, bToA, initialSequence);
        this.b = new UmpEndpoint(bToA, aToB, initialSequence);
    }

    /**
     * A channel over two freshly allocated rings of {@code slots} slots each. Any thread.
     *
     * @throws IllegalArgumentException when {@code slots} is not a power of two in [2, 2<sup>20</sup>].
     */
    public static UmpChannel pair(final int slots)
    {
        return new UmpChannel(UmpRing.allocate(slots), UmpRing.allocate(slots), UmpDescriptor.INITIAL_SEQUENCE);
    }

    /** A channel over two freshly allocated rings of {@value UmpDescriptor#DEFAULT_SLOTS} slots. Any thread. */
    public static UmpChannel pair()
    {
        return pair(UmpDescriptor.DEFAULT_SLOTS);
    }

    /**
     * A channel over two rings the caller allocated (zeroed). Any thread.
     *
     * @throws IllegalArgumentException naming what is wrong with a buffer.
     */
    public static UmpChannel pair(final AtomicBuffer aToB, final AtomicBuffer bToA)
    {
        return new UmpChannel(new UmpRing(aToB), new UmpRing(bToA), UmpDescriptor.INITIAL_SEQUENCE);
    }

    /** Test hook: both rings start at {@code initialSequence}, to exercise the wrap of sequence numbers. */
    static UmpChannel pair(final UmpRing aToB, final UmpRing bToA, final int initialSequence)
    {
        return new UmpChannel(
            Objects.requireNonNull(aToB, "aToB"), Objects.requireNonNull(bToA, "bToA"), initialSequence);
    }

    /** The end that transmits on the first ring. */
    public UmpEndpoint a()
    {
        return a;
    }

    /** The end that transmits on the second ring. */
    public UmpEndpoint b()
    {
        return b;
    }
}
