package dev.shoal.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The live carrier's sleep word and the deadline it publishes with it, alone on their cache lines. Every UMP
 * doorbell of a peer core loads the word (the Dekker handshake of {@link CoreRunner}), so it must not share a line
 * with anything the carrier writes while it works: each such write would take the line back from the peer's cache,
 * and x86 commits stores in order, so the carrier's next slot header would wait behind that transfer. The padding
 * (cache lines on both sides, by inheritance so the JVM cannot reorder it away) keeps the word's line read-mostly.
 */
final class CarrierSleep extends CarrierSleepFields
{
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;

    /** {@link #word}: the carrier is not asleep (or was woken for work). */
    static final long AWAKE = 0;
    /** {@link #word}: the carrier announced its sleep and nobody has claimed it yet. */
    static final long ASLEEP = -1;

    private static final VarHandle WORD;

    static
    {
        try
        {
            WORD = MethodHandles.lookup().findVarHandle(CarrierSleepFields.class, "word", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    boolean isAsleep()
    {
        return word == ASLEEP;
    }

    long deadline()
    {
        return deadline;
    }

    /** The carrier announces its sleep with its next deadline. */
    void announce(final long nextDeadline)
    {
        deadline = nextDeadline;
        word = ASLEEP;
    }

    /** Ends a sleep: {@code value} replaces {@link #ASLEEP} if nobody claimed it first. */
    boolean claim(final long value)
    {
        return WORD.compareAndSet(this, ASLEEP, value);
    }

    /** The carrier, awake again, takes what its claimer left and resets the word. */
    long take()
    {
        final long value = word;
        word = AWAKE;
        return value;
    }
}

/** Padding before the fields of {@link CarrierSleep}. */
abstract class CarrierSleepPad
{
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The fields of {@link CarrierSleep}, between its paddings. */
abstract class CarrierSleepFields extends CarrierSleepPad
{
    volatile long word = CarrierSleep.AWAKE;
    volatile long deadline = Long.MAX_VALUE;
}
