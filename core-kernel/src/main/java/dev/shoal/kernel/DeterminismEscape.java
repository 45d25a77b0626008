package dev.shoal.kernel;

/**
 * One escape from deterministic mode found by the {@link EscapeDetector}: code on a core that let the host's clock
 * or the host's threads decide what happens next, so that the same seed may no longer give the same run.
 *
 * @param kind     what the code did.
 * @param core     the core it ran on.
 * @param culprit  the dispatcher (its thread name) or the thread that did it.
 * @param callSite the offending call site, {@code class.method(File:line)}: the first frame outside the JDK and
 *                 the kernel; {@code "unknown"} when the stack had none.
 * @param message  the one-line error, naming all of the above.
 */
public record DeterminismEscape(Kind kind, int core, String culprit, String callSite, String message)
{
    /** What a core did that deterministic mode cannot replay. */
    public enum Kind
    {
        /** A dispatcher parked or waited with a timeout (Thread.sleep, timed park, wait, join, await, poll). */
        TIMED_WAIT,
        /** A dispatcher was resumed, or a task queued on a core, by a thread other than the stepping thread. */
        FOREIGN_RESUME,
        /** Code on a core created a thread that no core's scheduler runs (a platform thread, a pool's worker). */
        NEW_THREAD,
        /** Code on a core asked the libOS for the host's clock. */
        HOST_CLOCK
    }

    @Override
    public String toString()
    {
        return message;
    }
}
