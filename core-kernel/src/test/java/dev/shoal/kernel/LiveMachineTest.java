package dev.shoal.kernel;

import org.junit.jupiter.api.AfterEach;

/** Base of the tests that start a live machine of bare cores (no monitors) and close it after each test. */
abstract class LiveMachineTest
{
    protected Machine machine;

    /** A live machine of {@code cores} cores, all started, closed after the test. */
    protected Machine start(final int cores)
    {
        machine = new Machine(cores, CostModel.forLrpc(1000), (core, arg) -> { });
        for (int i = 0; i < cores; i++)
        {
            machine.core(i).start(0);
        }
        return machine;
    }

    @AfterEach
    void closeMachine()
    {
        if (machine != null)
        {
            machine.close();
        }
    }
}
