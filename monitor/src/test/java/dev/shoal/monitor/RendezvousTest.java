package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.PhysicalMemory;

class RendezvousTest
{
    private static Rendezvous.Opening opening(final int opener, final long n)
    {
        return new Rendezvous.Opening(opener, 16, n * 64, n * 64 + 32);
    }

    @Test
    void shouldHandOpeningsOverInOrderAndRefuseOnceFull()
    {
        try (PhysicalMemory memory = new PhysicalMemory(2))
        {
            final Rendezvous owner = new Rendezvous(memory, 1);
            assertNull(owner.poll(), "nothing was ever left");
            assertEquals(0, memory.allocatedBytes(), "an unused page holds no host memory");
            for (int lap = 0; lap < 3; lap++)
            {
                for (int i = 0; i < Rendezvous.CAPACITY; i++)
                {
                    assertTrue(Rendezvous.post(memory, 1, opening(0, lap * 1000L + i)), "lap " + lap + " entry " + i);
                }
                assertFalse(Rendezvous.post(memory, 1, opening(0, 99)), "full after " + Rendezvous.CAPACITY);
                for (int i = 0; i < Rendezvous.CAPACITY; i++)
                {
                    assertEquals(opening(0, lap * 1000L + i), owner.poll());
                }
                assertNull(owner.poll());
            }
        }
    }

    @Test
    void shouldKeepItsPlaceAcrossAMonitorRestart()
    {
        try (PhysicalMemory memory = new PhysicalMemory(1))
        {
            Rendezvous.post(memory, 0, opening(3, 1));
            Rendezvous.post(memory, 0, opening(3, 2));
            assertEquals(opening(3, 1), new Rendezvous(memory, 0).poll());
            assertEquals(opening(3, 2), new Rendezvous(memory, 0).poll(), "the head lives in the page, not the monitor");
        }
    }

    @Test
    void shouldDeliverEveryOpeningOfConcurrentProducersOnceAndInEachProducersOrder() throws Exception
    {
        final int producers = 3;
        final int each = 20_000;
        try (PhysicalMemory memory = new PhysicalMemory(producers + 1))
        {
            final Rendezvous owner = new Rendezvous(memory, producers);
            final List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++)
            {
                final int opener = p;
                threads.add(Thread.ofPlatform().start(() ->
                {
                    for (int i = 0; i < each; i++)
                    {
                        while (!Rendezvous.post(memory, producers, opening(opener, i)))
                        {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            final long[] next = new long[producers];
            int received = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received < producers * each && System.nanoTime() < deadline)
            {
                final Rendezvous.Opening o = owner.poll();
                if (o != null)
                {
                    assertEquals(opening(o.opener(), next[o.opener()]), o, "producer " + o.opener() + "'s order");
                    next[o.opener()]++;
                    received++;
                }
            }
            for (final Thread t : threads)
            {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertEquals(producers * each, received);
            assertNull(owner.poll(), "nothing twice");
        }
    }
}
