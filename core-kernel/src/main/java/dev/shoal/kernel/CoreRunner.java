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
    /** Host CPUs this process may use. */
    private static final int HOST_CPUS = Runtime.getRuntime().availableProcessors();
    /** Yields before parking: lets the other side of a ping-pong run on a host with few CPUs. */
    static final int YIELDS = 8;

    /**
     * Busy polls (duty cycles with nothing to do) before yielding, for {@code carriers} carriers in a process that
     * may use {@code hostCpus} CPUs:
     * <ul>
     *   <li>none on one CPU, where the work a spinning carrier waits for can only come from a thread that needs this
     *       very CPU (a machine confined with {@code taskset});</li>
     *   <li>1,024 (some 25 µs) when every carrier can have a CPU of its own: spinning then takes CPU from nobody,
     *       while a carrier that parks makes its peer's next message wait for a wake-up — tens of µs on a virtual
     *       machine — and the peer, waiting that long, parks too: a ping-pong between two such cores fell into
     *       wake-ups on every hop for seconds at a time (PingPongPairs: 1,480 ns a round trip with 64 polls,
     *       210 ns with 1,024, on the build host);</li>
     *   <li>64 (a round trip or two) when carriers outnumber the CPUs, where a spinning carrier holds a CPU that
     *       a carrier with work needs.</li>
     * </ul>
     */
    static int spins(final int hostCpus, final int carriers)
    {
        if (hostCpus <= 1)
        {
            return 0;
        }
        return carriers <= hostCpus ? 1024 : 64;
    }

    private final Core core;
    private final CpuDriver driver;
    /** {@link #spins} for this machine on this host. */
    private final int spins;
    private final IdleTime idleTime;
    /** Host CPUs to pin to ({@link CarrierAffinity}), or null to leave the carrier where the host puts it. */
    private final int[] pinCpus;

    private CoreRunner(final Core core, final int[] pinCpus)
    {
        this.core = core;
        this.driver = core.driver();
        this.idleTime = core.machine().idleTime();
        this.pinCpus = pinCpus;
        this.spins = spins(HOST_CPUS, core.machine().coreCount());
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
            else if (idleSteps < spins)
            {
                // A pause costs about two idle duty cycles here (24 ns against 11: MessagePathBenchmark), so pausing
                // after every second one polls the channels about once per pause's length, as often as a raw SPSC
                // consumer that pauses after each poll; a pause after each duty cycle added a third of one to the
                // time from a message's arrival to its notice, on each hop.
                if ((++idleSteps & 1) == 0)
                {
                    Thread.onSpinWait();
                }
            }
            else if (idleSteps < spins + YIELDS)
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
