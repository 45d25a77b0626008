package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorSystem;

class BootTest
{
    @OnBootedMachine(cores = {1, 2, 8, 64, 256})
    void shouldBootEveryCoreAndLetNeighboursExchangeMessages(final Shoal shoal)
    {
        final int n = shoal.cores();
        assertEquals(n, shoal.bootReport().cores());
        assertEquals(n, shoal.system().machine().startedCores());
        if (n > 1)
        {
            assertTrue(shoal.bootReport().bootCycles() > 0, "boot takes simulated time");
        }
        final MonitorSystem.ExchangeReport exchange = shoal.system().exchangeWithNeighbours(Duration.ofSeconds(60));
        assertEquals(n, exchange.cores());
        assertTrue(exchange.messages() >= 2L * n, "at least a ping and a pong per core: " + exchange.messages());
        assertEquals(0, shoal.system().malformedMessages());
    }

    @OnBootedMachine(machine = "amd-8x4", cores = {32})
    void shouldBootABuiltInMachineAlongItsNumaTree(final Shoal shoal)
    {
        assertEquals(32, shoal.bootReport().cores());
        // Boot crosses at least one interconnect hop, so it costs more than one same-package message.
        assertTrue(shoal.bootReport().bootCycles() > 613, "boot cycles: " + shoal.bootReport().bootCycles());
    }

    @OnBootedMachine(cores = {1, 8, 64}, mode = "deterministic", seed = 5)
    void shouldBootInDeterministicModeToo(final Shoal shoal)
    {
        assertEquals(shoal.cores(), shoal.bootReport().cores());
        assertEquals(shoal.cores(), shoal.system().exchangeWithNeighbours(Duration.ofSeconds(60)).cores());
    }
}
