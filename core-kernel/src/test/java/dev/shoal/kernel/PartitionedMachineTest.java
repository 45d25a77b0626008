package dev.shoal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A machine partitioned over JVMs builds only the cores of its own partition (docs/partitions.md). */
class PartitionedMachineTest
{
    /** Partition {@code self} of {@code count}; nothing is started, so nothing is sent. */
    private record IdleLink(int self, int count) implements PartitionLink
    {
        @Override
        public void announce(final String machine)
        {
        }

        @Override
        public void sendLine(final int partition, final long address, final byte[] line)
        {
            throw new AssertionError("nothing runs");
        }

        @Override
        public void sendDoorbell(final int partition, final int core, final long channel)
        {
            throw new AssertionError("nothing runs");
        }

        @Override
        public void sendStart(final int partition, final int core, final long argument, final byte[] line,
            final long at)
        {
            throw new AssertionError("nothing runs");
        }

        @Override
        public Vote[] exchange(final Vote vote, final Inbound inbound)
        {
            throw new AssertionError("nothing runs");
        }
    }

    /** Four packages of two cores over two JVMs, seen from partition {@code self}. */
    private static Machine partition(final int self)
    {
        final DeterministicScheduler engine = new DeterministicScheduler(1, new TraceRecorder(null))
            .partitionedBy(new IdleLink(self, 2));
        engine.plan(new int[] {0, 0, 1, 1, 2, 2, 3, 3}, 100);
        return new Machine(8, CostModel.forLrpc(1000), (core, arg) -> { }, engine);
    }

    @Test
    void shouldBuildOnlyTheCoresOfItsOwnPartition()
    {
        try (Machine machine = partition(1))
        {
            for (int c = 0; c < 8; c++)
            {
                assertEquals(c >= 4, machine.isLocal(c), "core " + c);
            }
            assertEquals(5, machine.core(5).id());
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> machine.core(0));
            assertEquals("core 0 runs in another partition: its JVM holds it, this one holds only its own cores " +
                "(docs/partitions.md)", refused.getMessage());
            assertThrows(IllegalArgumentException.class, () -> machine.isLocal(8));
        }
    }

    @Test
    void shouldHoldCoreZeroOnlyInTheCoordinator()
    {
        try (Machine coordinator = partition(0))
        {
            assertTrue(coordinator.isLocal(0));
            assertFalse(coordinator.isLocal(4));
            assertEquals(0, coordinator.startedCores());
        }
    }

    @Test
    void shouldRefuseToBuildAPartitionedMachineThatWasNotPlanned()
    {
        final DeterministicScheduler engine = new DeterministicScheduler(1, new TraceRecorder(null))
            .partitionedBy(new IdleLink(1, 2));
        assertThrows(IllegalStateException.class,
            () -> new Machine(8, CostModel.forLrpc(1000), (core, arg) -> { }, engine));
    }
}
