package dev.shoal.kernel;

import java.util.concurrent.locks.LockSupport;

/**
 * Live mode: one dedicated platform thread ({@code core-N}) runs a core's CPU driver.
 *
 * <p>Idle strategy: spin briefly, then yield, then park with no timeout. Parking is safe against lost wake-ups
 * because the carrier announces its sleep (a volatile store) and then runs one more duty cycle before it parks,
 * while every producer first publishes its work with a volatile store and then reads the core's sleep word: one of
 * the two always sees the other (Dekker). So a thousand idle cores cost no host CPU, and a message or a submission
 * still wakes its core at once.
 *
 * <p>Failures. A duty cycle that throws is recorded with {@link Core#fail} and the loop goes on, as Agrona's
 * AgentRunner hands an agent's error to its error handler: later messages to the core are still handled.
 *
 * <p>Idle time. A parked core's clock does not tick with the host's: simulated time is not host time. Instead,
 * when every started core of the machine is asleep, the one with the earliest timer is woken and moves its clock to
 * that deadline, so the timer fires ({@link IdleTime}); deterministic mode does the same when a whole round does
 * no work. The carrier announces its next deadline with its sleep, and when it is woken with leave to pass idle
 * time it observes the deadline on its own clock before its next duty cycle. A core with no timers simply stays
 * parked.
 */
public final class CoreRunner implements Runnable
{
    /** Busy polls before yielding: a round trip on a busy machine usually answers within this. */
    static final int SPINS = spins(Runtime.getRuntime().availableProcessors());
    /** Yields before parking: lets the other side of a ping-pong run on a host with few CPUs. */
    static final int YIELDS = 8;

    /**
     * Busy polls for a process that may use {@code hostCpus} CPUs: none on one CPU, where the work a spinning carrier
     * waits for can only come from a thread that needs this very CPU (a machine confined with {@code taskset}).
     */
    static int spins(final int hostCpus)
    {
        return hostCpus > 1 ? 64 : 0;
    }

    private final Core core;
    private final CpuDriver driver;
    private final IdleTime idleTime;
    /** Host CPUs to pin to ({@link CarrierAffinity}), or null to leave the carrier where the host puts it. */
    private final int[] pinCpus;

    private CoreRunner(final Core core, final int[] pinCpus)
    {
        this.core = core;
        this.driver = core.driver();
        this.idleTime = core.machine().idleTime();
        this.pinCpus = pinCpus;
        // Counted awake from now: the core has its start-up task queued, so the machine is not idle until it ran.
        idleTime.onCarrierCreated();
    }

    /** A new, unstarted carrier for {@code core}: the {@link RunnerFactory} of live mode. */
    public static Thread newCarrier(final Core core)
    {
        return carrier(core, null);
    }

    /**
     * Live mode with every carrier pinned to one host CPU when it starts ({@code --pin}): core i to the i-th
     * allowed CPU, round robin. Its original mask comes back when the carrier ends.
     */
    public static RunnerFactory pinnedCarriers()
    {
        final int[] cpus = CarrierAffinity.allowedCpus();
        return core -> carrier(core, cpus);
    }

    private static Thread carrier(final Core core, final int[] pinCpus)
    {
        return Thread.ofPlatform()
            .name("core-" + core.id())
            .daemon(true)
            .stackSize(256 * 1024)
            .unstarted(new CoreRunner(core, pinCpus));
    }

    @Override
    public void run()
    {
        final java.util.BitSet before = pinCpus == null ? null : CarrierAffinity.pin(core.id(), pinCpus);
        try
        {
            runDutyCycle();
        }
        finally
        {
            CarrierAffinity.restore(before);
        }
    }

    private void runDutyCycle()
    {
        driver.onStart();
        int idleSteps = 0;
        while (core.isRunning())
        {
            if (doWork() > 0)
            {
                idleSteps = 0;
            }
            else if (idleSteps < SPINS)
            {
                idleSteps++;
                Thread.onSpinWait();
            }
            else if (idleSteps < SPINS + YIELDS)
            {
                idleSteps++;
                Thread.yield();
            }
            else
            {
                park();
                idleSteps = 0;
            }
        }
        driver.onClose();
    }

    /**
     * One duty cycle. Whatever escapes it (a timer's task, say; services and tasks are contained closer to where
     * they fail) is recorded on the core and counted as work, so the carrier goes on: it never dies of a bug.
     */
    private int doWork()
    {
        try
        {
            return driver.doWork();
        }
        catch (final Throwable t)
        {
            core.fail("duty cycle", t);
            return 1;
        }
    }

    private void park()
    {
        core.announceSleep(core.isHalted() ? Long.MAX_VALUE : core.timers().nextDeadline());
        if (doWork() > 0 || !core.isRunning())
        {
            if (!core.claimSleep(Core.AWAKE))
            {
                // A producer woke us meanwhile and counted us awake, though we never counted ourselves asleep.
                idleTime.onClaimedBeforeSleep();
                wokenWith(core.takeSleepWord());
            }
            return;
        }
        idleTime.onSleep();
        while (core.isAsleep() && core.isRunning())
        {
            LockSupport.park(core);
        }
        if (!core.isAsleep())
        {
            wokenWith(core.takeSleepWord());
        }
    }

    /**
     * {@code word} is what the claimer of the sleep left: {@link Core#AWAKE} for work, or a deadline when the whole
     * machine was asleep and idle time passes to it. The clock moves only as far as a timer of this core is still
     * waiting at or before that deadline (the core's timers cannot have changed unless work came first).
     */
    private void wokenWith(final long word)
    {
        if (word > 0)
        {
            final long next = core.timers().nextDeadline();
            if (next <= word)
            {
                core.clock().observe(next);
            }
        }
    }
}
