package dev.shoal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exact engine at the kernel level: yields cost time, host batches land together, the calendar orders events. */
class ExactEngineKernelTest
{
    private Machine machine;

    @AfterEach
    void close()
    {
        if (machine != null)
        {
            machine.close();
        }
    }

    private void start(final int cores)
    {
        machine = new Machine(cores, CostModel.forLrpc(1000), (core, arg) -> { },
            new DeterministicScheduler(5, new TraceRecorder(null)));
        for (int c = 0; c < cores; c++)
        {
            machine.core(c).start(0);
        }
    }

    @Test
    void shouldAdvanceTheClockOnEveryYield() throws Exception
    {
        start(1);
        final CompletableFuture<long[]> clocks = new CompletableFuture<>();
        machine.hostSubmit(0, () -> machine.core(0).spawn("yielder", () ->
        {
            final long before = machine.core(0).clock().now();
            for (int i = 0; i < 10; i++)
            {
                Thread.yield();
            }
            clocks.complete(new long[] {before, machine.core(0).clock().now()});
        }));
        final long[] c = clocks.get(30, TimeUnit.SECONDS);
        assertEquals(10 * machine.core(0).costs().yieldCycles(), c[1] - c[0]);
    }

    @Test
    void shouldLandABatchOfHostRequestsAtOneInstant() throws Exception
    {
        start(3);
        final CompletableFuture<Void> busy = new CompletableFuture<>();
        machine.hostSubmit(1, () ->
        {
            machine.core(1).clock().advance(50_000);
            busy.complete(null);
        });
        busy.get(30, TimeUnit.SECONDS);
        final long[] landed = new long[3];
        final CompletableFuture<?>[] done = new CompletableFuture<?>[3];
        final Runnable[] tasks = new Runnable[3];
        for (int c = 0; c < 3; c++)
        {
            final int core = c;
            done[c] = new CompletableFuture<>();
            tasks[c] = () ->
            {
                landed[core] = machine.core(core).clock().now();
                done[core].complete(null);
            };
        }
        machine.hostSubmitAll(new int[] {0, 1, 2}, tasks);
        CompletableFuture.allOf(done).get(30, TimeUnit.SECONDS);
        assertEquals(50_000, landed[0], "lands at the machine's latest clock");
        assertEquals(landed[0], landed[1]);
        assertEquals(landed[0], landed[2]);
    }

    /**
     * A batch of {@link RunnerFactory.HostRequest}s (the kv NIC's deliveries to several cores) lands at one instant
     * even though the first request moves its core's clock: one at a time, the second would land after it.
     */
    @Test
    void shouldLandABatchOfHostRequestRecordsAtOneInstant() throws Exception
    {
        start(2);
        final long[] landed = new long[2];
        final CompletableFuture<?>[] done = {new CompletableFuture<>(), new CompletableFuture<>()};
        final RunnerFactory.HostRequest[] batch = new RunnerFactory.HostRequest[2];
        for (int c = 0; c < 2; c++)
        {
            final int core = c;
            batch[c] = RunnerFactory.HostRequest.task(machine.core(c), () ->
            {
                landed[core] = machine.core(core).clock().now();
                machine.core(core).clock().advance(20_000);
                done[core].complete(null);
            });
        }
        machine.hostSubmitAll(batch);
        CompletableFuture.allOf(done).get(30, TimeUnit.SECONDS);
        assertEquals(landed[0], landed[1], "both land at the instant the batch was admitted");
    }

    @Test
    void shouldStopEveryPartitionWhenTheEngineItselfFails() throws Exception
    {
        for (final int threads : new int[] {1, 2})
        {
            final DeterministicScheduler engine = new DeterministicScheduler(5, new TraceRecorder(null))
                .threads(threads);
            engine.plan(new int[] {0, 0, 1, 1}, 100);
            engine.afterEachStep(() ->
            {
                throw new IllegalStateException("broken invariant checker");
            });
            machine = new Machine(4, CostModel.forLrpc(1000), (core, arg) -> { }, engine);
            for (int c = 0; c < 4; c++)
            {
                machine.core(c).start(0);
            }
            // The start-up tasks are events: the checker throws after the first (one thread) or at the first
            // barrier (two). Host-side wait, bounded.
            for (int i = 0; i < 3_000 && engine.failure() == null; i++)
            {
                Thread.sleep(10);
            }
            final Thread closer = Thread.ofPlatform().start(machine::close);
            closer.join(java.time.Duration.ofSeconds(30));
            assertEquals(false, closer.isAlive(), threads + " thread(s): close() returned, no partition hangs");
            assertEquals("broken invariant checker", engine.failure().getMessage());
            machine = null;
        }
    }

    @Test
    void shouldOrderTheCalendarByTimeThenTieWhateverTheUpdates()
    {
        final class Item extends EventHeap.Entry
        {
            long time = Long.MAX_VALUE;
            final long tie;

            Item(final long tie)
            {
                this.tie = tie;
            }

            @Override
            long eventTime()
            {
                return time;
            }

            @Override
            long tie()
            {
                return tie;
            }
        }
        final SplittableRandom random = new SplittableRandom(42);
        final EventHeap<Item> heap = new EventHeap<>();
        final List<Item> items = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            items.add(new Item(i));
        }
        for (int round = 0; round < 5_000; round++)
        {
            final Item item = items.get(random.nextInt(items.size()));
            item.time = random.nextInt(10) == 0 ? Long.MAX_VALUE : random.nextLong(1_000);
            heap.update(item);
            Item best = null;
            for (final Item i : items)
            {
                if (i.time != Long.MAX_VALUE && (best == null || i.time < best.time ||
                    (i.time == best.time && i.tie < best.tie)))
                {
                    best = i;
                }
            }
            if (best == null)
            {
                assertNull(heap.peek());
            }
            else
            {
                assertEquals(best, heap.peek(), "round " + round);
                assertEquals(best.time, heap.minTime());
            }
        }
    }
}
