package dev.shoal.kernel;

import java.util.concurrent.locks.LockSupport;

/**
 * Live mode: one dedicated platform thread ({@code core-N}) runs a core's CPU driver.
 *
 * <p>Idle strategy: spin briefly, then yield, then park with no timeout. Parking is safe against lost wake-ups
 * because the carrier announces {@code sleeping} (a volatile store) and then runs one more duty cycle before it
 * parks, while every producer first publishes its work with a volatile store and then reads {@code sleeping}: one
 * of the two always sees the other (Dekker). So a thousand idle cores cost no host CPU, and a message or a
 * submission still wakes its core at once.
 */
public final class CoreRunner implements Runnable
{
    /** Busy polls before yielding: a round trip on a busy machine usually answers within this. */
    static final int SPINS = 64;
    /** Yields before parking: lets the other side of a ping-pong run on a host with few CPUs. */
    static final int YIELDS = 8;

    private final Core core;
    private final CpuDriver driver;
    /** Host CPUs to pin to ({@link CarrierAffinity}), or null to leave the carrier where the host puts it. */
    private final int[] pinCpus;

    private CoreRunner(final Core core, final int[] pinCpus)
    {
        this.core = core;
        this.driver = core.driver();
        this.pinCpus = pinCpus;
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
            if (driver.doWork() > 0)
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

    private void park()
    {
        core.sleeping = true;
        if (driver.doWork() == 0 && core.isRunning())
        {
            LockSupport.park(core);
        }
        core.sleeping = false;
    }
}
