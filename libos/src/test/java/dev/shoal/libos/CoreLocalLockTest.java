package dev.shoal.libos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The libOS mutex for the dispatchers of one core. */
class CoreLocalLockTest
{
    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:1", "deterministic:9"})
    void shouldHandTheLockToWaitersInTheOrderTheyAskedAndRefuseReentryAndStrangers(final String mode)
        throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "amd-2x2", 4))
        {
            final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
            Machines.run(shoal, "locks", new int[] {2}, os ->
            {
                final CoreLocalLock lock = new CoreLocalLock("test");
                final List<Integer> order = new ArrayList<>();
                lock.lock();
                seen.put("reentry", assertThrows(IllegalStateException.class, lock::lock).getMessage());
                for (int i = 1; i <= 3; i++)
                {
                    final int id = i;
                    os.spawnThread("waiter-" + id, () ->
                    {
                        lock.lock();
                        order.add(id);
                        lock.unlock();
                    });
                    // Let it run up to its lock() and park, so the waiters queue in the order 1, 2, 3.
                    os.yieldCore();
                }
                final boolean[] strangerRefused = new boolean[1];
                os.spawnThread("stranger", () ->
                    strangerRefused[0] = assertThrows(IllegalStateException.class, lock::unlock) != null);
                os.yieldCore();
                seen.put("held while waiters wait", order.isEmpty() && lock.isLocked());
                lock.unlock();
                while (order.size() < 3)
                {
                    os.yieldCore();
                }
                seen.put("order", List.copyOf(order));
                seen.put("stranger refused", strangerRefused[0]);
                seen.put("free at the end", !lock.isLocked());
            });
            assertEquals("lock 'test': its holder asked for it again", seen.get("reentry"));
            assertEquals(true, seen.get("held while waiters wait"));
            assertEquals(List.of(1, 2, 3), seen.get("order"));
            assertEquals(true, seen.get("stranger refused"));
            assertTrue((Boolean)seen.get("free at the end"));
        }
    }
}
