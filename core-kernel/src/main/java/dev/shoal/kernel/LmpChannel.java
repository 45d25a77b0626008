package dev.shoal.kernel;

/**
 * LMP: a synchronous message channel between two dispatchers on the same core, the L4 / protected-control-transfer
 * idea. A message is up to {@link #MAX_WORDS} words; sending it switches directly to the waiting receiver, which
 * runs on the rest of the sender's time slice, so a round trip costs two directed switches and no trip through
 * the run queue.
 *
 * <p>Both endpoints belong to one core and may be used only by dispatchers of that core. Each direction buffers
 * one message: a sender whose peer has not taken the previous message blocks until it has.
 */
public final class LmpChannel
{
    /** Payload limit in words, as Barrelfish's LMP on x86-64 (registers of a system call). */
    public static final int MAX_WORDS = 10;

    private final LmpEndpoint first;
    private final LmpEndpoint second;

    private LmpChannel(final Core core)
    {
        first = new LmpEndpoint(core);
        second = new LmpEndpoint(core);
        first.connect(second);
        second.connect(first);
    }

    /** A connected pair of endpoints on {@code core}. Any thread (endpoints are used only on the core). */
    public static LmpChannel create(final Core core)
    {
        return new LmpChannel(core);
    }

    public LmpEndpoint first()
    {
        return first;
    }

    public LmpEndpoint second()
    {
        return second;
    }
}
