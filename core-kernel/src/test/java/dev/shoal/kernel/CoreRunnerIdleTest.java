package dev.shoal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The live carrier's idle strategy adapts to the host CPUs the process may use. */
class CoreRunnerIdleTest
{
    @Test
    void shouldNotSpinWhenTheProcessMayUseOneHostCpu()
    {
        assertEquals(0, CoreRunner.spins(1, 1));
        assertEquals(0, CoreRunner.spins(1, 32));
    }

    @Test
    void shouldSpinBrieflyBeforeYieldingWhenAnotherHostCpuCanAnswer()
    {
        assertTrue(CoreRunner.spins(2, 32) > 0);
        assertEquals(CoreRunner.spins(2, 32), CoreRunner.spins(8, 64));
    }

    @Test
    void shouldSpinLongerWhenEveryCarrierHasAHostCpuOfItsOwn()
    {
        // A parked carrier makes its peer wait for a wake-up, and the peer then parks too; with a CPU each,
        // spinning costs nobody.
        assertTrue(CoreRunner.spins(2, 2) > CoreRunner.spins(2, 3));
        assertEquals(CoreRunner.spins(2, 2), CoreRunner.spins(64, 64));
    }
}
