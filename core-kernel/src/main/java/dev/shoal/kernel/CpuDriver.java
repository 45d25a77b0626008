package dev.shoal.kernel;

import org.agrona.concurrent.Agent;

/**
 * A core's CPU driver as a duty-cycle agent: mechanism only. Each duty cycle it
 * <ol>
 *   <li>polls the core's services (the monitor and its channels) — first, because a carrier that spun idle comes
 *       here when a channel's header changed, and a message's way from the ring to its reply is the live
 *       ping-pong's critical path,</li>
 *   <li>moves cross-core submissions (start-up tasks, wake-ups of its dispatchers) from the core's MPSC inbox to
 *       its run queue,</li>
 *   <li>fires the timers whose deadline the core's clock has reached,</li>
 *   <li>runs the dispatchers that were runnable at the start of the step, each until it blocks or yields.</li>
 * </ol>
 * The same agent runs on a dedicated carrier in live mode and can be stepped by a caller (deterministic mode).
 * Called only from the thread currently acting as the core's carrier.
 */
public final class CpuDriver implements Agent
{
    private final Core core;

    CpuDriver(final Core core)
    {
        this.core = core;
    }

    @Override
    public int doWork()
    {
        if (core.isHalted())
        {
            return 0;
        }
        int work = core.pollServices();
        work += core.drainInbox();
        work += core.fireTimers();
        work += core.runDispatchers();
        return work;
    }

    @Override
    public String roleName()
    {
        return "cpu-driver-" + core.id();
    }
}
