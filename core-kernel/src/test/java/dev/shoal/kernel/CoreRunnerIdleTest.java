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
        assertEquals(0, CoreRunner.spins(1));
    }

    @Test
    void shouldSpinBrieflyBeforeYieldingWhenAnotherHostCpuCanAnswer()
    {
        assertTrue(CoreRunner.spins(2) > 0);
        assertEquals(CoreRunner.spins(2), CoreRunner.spins(64));
    }
}
