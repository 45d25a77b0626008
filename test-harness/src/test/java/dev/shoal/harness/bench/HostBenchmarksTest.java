package dev.shoal.harness.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.shoal.monitor.MonitorSystem;

/**
 * Runs each host benchmark's body once, untimed, and checks that it did what it claims to measure: every message
 * arrived once and intact, every round trip came back, the dispatchers switched, the machine booted. So a broken
 * benchmark fails the build instead of reporting a fast figure for doing nothing. The benchmarks spin while they
 * wait; the time-out, on a separate thread, turns a benchmark that would wait forever into a failure.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostBenchmarksTest
{
    private final UmpThroughputBenchmark throughput = new UmpThroughputBenchmark();
    private final UmpRoundTripBenchmark roundTrip = new UmpRoundTripBenchmark();
    private final CoreSwitchBenchmark coreSwitch = new CoreSwitchBenchmark();

    @Test
    void shouldStreamEveryUmpMessageToTheConsumerIntact() throws InterruptedException
    {
        final UmpThroughputBenchmark.Ump ump = new UmpThroughputBenchmark.Ump();
        ump.setUp();
        try
        {
            assertEquals(UmpThroughputBenchmark.expectedSum(UmpThroughputBenchmark.BATCH), throughput.ump(ump));
            assertEquals(UmpThroughputBenchmark.expectedSum(2L * UmpThroughputBenchmark.BATCH), throughput.ump(ump));
            assertTrue(ump.producer.messagesSent() == 2L * UmpThroughputBenchmark.BATCH,
                "messages sent: " + ump.producer.messagesSent());
        }
        finally
        {
            ump.tearDown();
        }
    }

    @Test
    void shouldStreamEverySpscMessageToTheConsumerIntact() throws InterruptedException
    {
        final UmpThroughputBenchmark.Spsc spsc = new UmpThroughputBenchmark.Spsc();
        spsc.setUp();
        try
        {
            assertEquals(UmpThroughputBenchmark.expectedSum(UmpThroughputBenchmark.BATCH), throughput.spscQueue(spsc));
            assertEquals(UmpThroughputBenchmark.expectedSum(2L * UmpThroughputBenchmark.BATCH),
                throughput.spscQueue(spsc));
        }
        finally
        {
            spsc.tearDown();
        }
    }

    @Test
    void shouldStreamEveryAgronaMessageToTheConsumerIntact() throws InterruptedException
    {
        final UmpThroughputBenchmark.Agrona agrona = new UmpThroughputBenchmark.Agrona();
        agrona.setUp();
        try
        {
            assertEquals(UmpThroughputBenchmark.expectedSum(UmpThroughputBenchmark.BATCH),
                throughput.agronaRing(agrona));
            assertEquals(UmpThroughputBenchmark.expectedSum(2L * UmpThroughputBenchmark.BATCH),
                throughput.agronaRing(agrona));
        }
        finally
        {
            agrona.tearDown();
        }
    }

    @Test
    void shouldBringEveryRoundTripBackOnEachTransport() throws InterruptedException
    {
        final long expected = UmpThroughputBenchmark.expectedSum(UmpRoundTripBenchmark.ROUND_TRIPS);
        final UmpRoundTripBenchmark.Ump ump = new UmpRoundTripBenchmark.Ump();
        ump.setUp();
        try
        {
            assertEquals(expected, roundTrip.ump(ump));
            assertEquals(UmpRoundTripBenchmark.ROUND_TRIPS, ump.pinger.messagesReceived());
        }
        finally
        {
            ump.tearDown();
        }
        final UmpRoundTripBenchmark.Spsc spsc = new UmpRoundTripBenchmark.Spsc();
        spsc.setUp();
        try
        {
            assertEquals(expected, roundTrip.spscQueue(spsc));
        }
        finally
        {
            spsc.tearDown();
        }
        final UmpRoundTripBenchmark.Agrona agrona = new UmpRoundTripBenchmark.Agrona();
        agrona.setUp();
        try
        {
            assertEquals(expected, roundTrip.agronaRing(agrona));
        }
        finally
        {
            agrona.tearDown();
        }
    }

    @Test
    void shouldSwitchBetweenDispatchersOnOneCore() throws InterruptedException
    {
        final CoreSwitchBenchmark.OneCore machine = new CoreSwitchBenchmark.OneCore();
        machine.start();
        try
        {
            final long calls = CoreSwitchBenchmark.SWITCHES / 2;
            assertEquals(calls * (calls + 1) / 2, coreSwitch.lmpHandoff(machine));
            assertEquals(calls, machine.channel.second().received(), "the server received every call");
            assertEquals(calls, machine.channel.first().received(), "the client received every reply");
            assertEquals(CoreSwitchBenchmark.SWITCHES, coreSwitch.dispatcherYield(machine));
        }
        finally
        {
            machine.stop();
        }
    }

    @Test
    void shouldRunTheMessagePathOnOneSteppingThread() throws Exception
    {
        final MessagePathBenchmark bench = new MessagePathBenchmark();
        final MessagePathBenchmark.OneStepper machine = new MessagePathBenchmark.OneStepper();
        machine.boot();
        try
        {
            final var batch = bench.oneThread(machine);
            assertEquals(MessagePathBenchmark.ROUND_TRIPS, batch.rounds());
            assertTrue(batch.cycles() > 0, "the batch took simulated time");
        }
        finally
        {
            machine.shutDown();
        }
        final MessagePathBenchmark.IdleCore idle = new MessagePathBenchmark.IdleCore();
        idle.boot();
        try
        {
            assertEquals(0, bench.idleDutyCycle(idle), "an idle core's duty cycle does no work");
        }
        finally
        {
            idle.shutDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deterministic", "live"})
    void shouldBootEveryCoreInTheBootBenchmark(final String mode)
    {
        final BootBenchmark.Machine machine = new BootBenchmark.Machine();
        machine.cores = 64;
        machine.mode = mode;
        machine.configure();
        try
        {
            final MonitorSystem.BootReport report = new BootBenchmark().boot(machine);
            assertEquals(64, report.cores());
            assertEquals(64, machine.system.machine().startedCores());
        }
        finally
        {
            machine.shutDown();
        }
    }

    @Test
    void shouldBootSquareNumaMachinesAndRejectOtherCoreCounts()
    {
        assertEquals("numa:4x4", BootBenchmark.machineFor(16));
        assertEquals("numa:8x8", BootBenchmark.machineFor(64));
        assertEquals("numa:16x16", BootBenchmark.machineFor(256));
        assertEquals("numa:32x32", BootBenchmark.machineFor(1024));
        assertEquals("numa:64x64", BootBenchmark.machineFor(4096));
        assertEquals("numa:2x4", BootBenchmark.machineFor(8));
        assertThrows(IllegalArgumentException.class, () -> BootBenchmark.machineFor(24));
        assertThrows(IllegalArgumentException.class, () -> BootBenchmark.runnersFor("fast"));
    }

    @Test
    void shouldMeasureTheHeapThatIdleCoresHold() throws InterruptedException
    {
        final IdleCoreHeap.Sample sample = IdleCoreHeap.measure(64, "deterministic");
        assertEquals(64, sample.cores());
        // Each core holds at least its monitor, its CPU driver and its capability space.
        assertTrue(sample.heapPerCore() > 1024, "heap per core: " + sample.heapPerCore());
    }

    @Test
    void shouldParseHeapProbeOptionsAndNameTheBadOne()
    {
        final IdleCoreHeap.Options options = IdleCoreHeap.Options.parse("--cores", "16,256", "--runs", "2");
        assertEquals(List.of(16, 256), options.cores());
        assertEquals(List.of("deterministic", "live"), options.modes());
        assertEquals(2, options.runs());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleCoreHeap.Options.parse("--cores", "1x"))
            .getMessage().contains("'1x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleCoreHeap.Options.parse("--runs"))
            .getMessage().contains("--runs needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleCoreHeap.Options.parse("--modes", "fast"))
            .getMessage().contains("fast"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleCoreHeap.Options.parse("--size", "1"))
            .getMessage().contains("unknown option --size"));
    }
}
