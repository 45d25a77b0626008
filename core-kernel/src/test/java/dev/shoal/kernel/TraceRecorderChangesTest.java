package dev.shoal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A worker's recorder reports each core whose events changed since its last report, once; what the coordinator
 * absorbs from those reports alone gives the hash of the run (docs/partitions.md, "Host API").
 */
class TraceRecorderChangesTest
{
    @Test
    void shouldReportEachChangedCoreOnceAndGiveTheCoordinatorTheWorkersHash()
    {
        final TraceRecorder worker = TraceRecorder.forWorker(false);
        final TraceRecorder coordinator = new TraceRecorder(null);
        worker.record(5, 10, Trace.Event.SEND, 1, 2);
        worker.record(3, 11, Trace.Event.RECEIVE, 1, 2);
        worker.record(5, 12, Trace.Event.RECEIVE, 3, 4);
        assertArrayEquals(new int[] {5, 3}, report(worker, coordinator));
        assertArrayEquals(new int[0], report(worker, coordinator), "nothing changed since");
        worker.record(3, 20, Trace.Event.SEND, 7, 8);
        assertArrayEquals(new int[] {3}, report(worker, coordinator));
        assertEquals(worker.hash(), coordinator.hash());
        assertEquals(4, coordinator.events());
    }

    @Test
    void shouldTrackNoChangesInARecorderThatIsNoWorkers()
    {
        final TraceRecorder recorder = new TraceRecorder(null);
        recorder.record(1, 10, Trace.Event.SEND, 1, 2);
        assertArrayEquals(new int[0], recorder.drainChangedCores());
    }

    private static int[] report(final TraceRecorder worker, final TraceRecorder coordinator)
    {
        final int[] changed = worker.drainChangedCores();
        for (final int core : changed)
        {
            coordinator.absorb(core, worker.coreEvents(core), worker.coreHash(core));
        }
        return changed;
    }
}
