package dev.shoal.kernel;

/**
 * How cores get carriers — the machine's execution mode. Live mode ({@link CoreRunner}) starts a dedicated
 * thread per core; exact (deterministic) mode ({@link DeterministicScheduler}) gives each partition of cores one
 * host thread that handles their events in simulated-time order.
 */
@FunctionalInterface
public interface RunnerFactory
{
    /** The carrier for {@code core}; the core starts it if it is new. */
    Thread carrierFor(Core core);

    /**
     * Delivers a request from the host (a test, the CLI) to {@code core}. Live mode hands it to the core's inbox
     * at once; exact mode admits host requests only when the machine has nothing left to do, so where they land in
     * the run does not depend on host timing.
     */
    default void hostSubmit(final Core core, final Runnable task)
    {
        core.submit(task);
    }

    /**
     * Delivers {@code tasks[i]} to {@code cores[i]} as one request: exact mode lands them all at one instant. Live
     * mode submits them one after another.
     */
    default void hostSubmitAll(final Core[] cores, final Runnable[] tasks)
    {
        for (int i = 0; i < cores.length; i++)
        {
            hostSubmit(cores[i], tasks[i]);
        }
    }

    /**
     * One request of a batch ({@link #hostSubmitAll(HostRequest[])}): a task for a core of this JVM ({@code core}
     * its object), or, for a core of another JVM of a partitioned machine ({@code core} null), the request's bytes
     * and what is told the bytes it answered (as {@link #hostSubmitEncoded}).
     */
    record HostRequest(int coreId, Core core, Runnable task, byte[] encoded, java.util.function.Consumer<byte[]> reply)
    {
        public static HostRequest task(final Core core, final Runnable task)
        {
            return new HostRequest(core.id(), core, task, null, null);
        }

        public static HostRequest encoded(final int core, final byte[] request,
            final java.util.function.Consumer<byte[]> reply)
        {
            return new HostRequest(core, null, null, request, reply);
        }
    }

    /**
     * Delivers several host requests, for cores of this JVM or (as bytes) of others, as one: exact mode lands them
     * all at one instant, when the machine is next quiescent, so that several cores' requests cost one quiescent
     * barrier instead of one each. Live mode submits them one after another. Any host thread.
     */
    default void hostSubmitAll(final HostRequest[] requests)
    {
        for (final HostRequest r : requests)
        {
            if (r.encoded() != null)
            {
                hostSubmitEncoded(r.coreId(), r.encoded(), r.reply());
            }
            else
            {
                hostSubmit(r.core(), r.task());
            }
        }
    }

    /**
     * A partitioned machine (docs/partitions.md): a host request for {@code core}, which runs in another JVM,
     * carried there as bytes. Exact mode lands it as it lands {@link #hostSubmit}'s, at the same instant, and hands
     * {@code reply} (on the engine's thread, at a barrier) the bytes the request's task answered there. Any host
     * thread.
     */
    default void hostSubmitEncoded(final int core, final byte[] request,
        final java.util.function.Consumer<byte[]> reply)
    {
        throw new UnsupportedOperationException("core " + core + " runs in this JVM: submit its task");
    }

    /** Where this JVM decodes the host requests that other JVMs send to its cores; ignored in one JVM. */
    default void decodeHostRequestsWith(final HostRequestDecoder decoder)
    {
    }

    /**
     * Tells the runner how the cores group into blocks that belong together (packages) and the smallest latency of
     * a message between two blocks, in cycles ({@link Long#MAX_VALUE} when there is one block). Exact mode
     * partitions by blocks and advances in windows of that width; live mode ignores it. Called before the machine
     * starts.
     */
    default void plan(final int[] blockOfCore, final long lookahead)
    {
    }

    /**
     * {@link #plan(int[], long)} for a machine that must not be split at all ({@code blockOfCore} one block):
     * {@code whyOneBlock} says why, for the one-line error a request of several partitions gets.
     */
    default void plan(final int[] blockOfCore, final long lookahead, final String whyOneBlock)
    {
        plan(blockOfCore, lookahead);
    }

    /**
     * Called by {@link Machine#close()} before the cores stop: exact mode lets the machine run until it has nothing
     * left to do (at most {@code timeoutMillis} of host time), so a run's end does not depend on host timing. Live
     * mode stops at once.
     */
    default void quiesce(final long timeoutMillis)
    {
    }

    /**
     * A partitioned machine (docs/partitions.md): the machine about to be built, in words the other JVMs rebuild it
     * from. Called by the host before the machine exists; ignored unless the machine spans JVMs.
     */
    default void announce(final String machine)
    {
    }

    /**
     * A ring of {@code bytes} bytes at {@code address} that this JVM's core writes and {@code reader} reads: a
     * partitioned machine mirrors its lines to the reader's JVM. Called on the writing core.
     */
    default void noteRing(final long address, final int bytes, final int reader)
    {
    }

    /**
     * Whether {@code core} runs in this JVM (false only for the cores of other partitions). Known once the machine
     * is {@link #plan planned}: the {@link Machine} asks it for every core when it is made, and builds only those.
     */
    default boolean ownsCore(final int core)
    {
        return true;
    }

    /**
     * A partitioned machine: a core of this JVM starts {@code core}, which runs in another JVM; the start-up IPI
     * (with the line {@code bootArgument} points at) goes there and lands at {@code atCycle}. Called on the
     * starting core.
     */
    default void startRemote(final int core, final long bootArgument, final long atCycle)
    {
        throw new IllegalStateException("core " + core + " is not in this JVM");
    }

    /**
     * A partitioned machine: a core of this JVM rings the doorbell of {@code core}, which runs in another JVM, for
     * {@code channel}; the ring's changed lines and the doorbell go there. Called on the ringing core.
     */
    default void wakeRemote(final int core, final long channel)
    {
        throw new IllegalStateException("core " + core + " is not in this JVM");
    }

    /** Exact mode's latency jitter bound in cycles; 0 (live mode, benchmarks) for none. */
    default long jitter()
    {
        return 0;
    }

    /** The seed of the jitter drawn on the {@code serial}-th channel from core {@code from} to core {@code to}. */
    default long channelSeed(final int from, final int to, final int serial)
    {
        return 0;
    }

    /** The event trace of this run. */
    default Trace trace()
    {
        return Trace.NONE;
    }

    /** The timeline of this run ({@link Timeline#OFF}: none). */
    default Timeline timeline()
    {
        return Timeline.OFF;
    }

    /** True in deterministic mode, where code on a core must not depend on the host's clock or threads. */
    default boolean isDeterministic()
    {
        return false;
    }

    /** The detector of determinism escapes, or null (live mode, or detection off). Read when a core is made. */
    default EscapeDetector escapeDetector()
    {
        return null;
    }
}
