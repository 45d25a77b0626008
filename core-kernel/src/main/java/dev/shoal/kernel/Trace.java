package dev.shoal.kernel;

/**
 * The run's event trace: what each core did, stamped with its cycle clock. Recording is cheap (numbers only); a
 * recorder folds every event into a hash and may also write it as a line (see {@link TraceRecorder} for the
 * format). Called only on the carrier of the recording core.
 */
public interface Trace
{
    /** Kinds of event. */
    enum Event
    {
        /** {@code a} = destination core, {@code b} = message type (its id in the monitor protocol, unsigned). */
        SEND,
        /** {@code a} = source core, {@code b} = message type (its id in the monitor protocol, unsigned). */
        RECEIVE,
        /** A dispatcher or kernel task ran; {@code a} = the core's dispatch count, {@code b} unused. */
        DISPATCH,
        /** A core's monitor started; {@code a} = how many times it has started (1 at boot), {@code b} unused. */
        START,
        /**
         * A capability operation; {@code a} = operation code (CapabilityOperation's TRACE_* constants: 1 send,
         * 2 install, 3 mark, 4 sweep, 5 revoke, 6 delete, 7 retype), {@code b} = the object id (for a sweep: how
         * many entries went).
         */
        CAPABILITY
    }

    /** A trace that records nothing. */
    Trace NONE = new Trace()
    {
        @Override
        public boolean enabled()
        {
            return false;
        }

        @Override
        public void record(final int core, final long cycle, final Event event, final long a, final long b)
        {
        }
    };

    /** Whether events are recorded at all (lets callers skip work). */
    boolean enabled();

    void record(int core, long cycle, Event event, long a, long b);
}
