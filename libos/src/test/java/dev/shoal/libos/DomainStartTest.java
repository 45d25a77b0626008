package dev.shoal.libos;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Starting a domain on a core that cannot answer fails naming the core; the host never waits for ever. */
class DomainStartTest
{
    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:1"})
    void shouldRefuseToStartADomainOnAHaltedCoreAndNameIt(final String mode)
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x4", 4))
        {
            shoal.system().machine().core(2).halt();
            final IllegalStateException ex = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(IllegalStateException.class,
                    () -> shoal.startDomain("stuck", new int[] {1, 2}, os -> { })));
            assertTrue(ex.getMessage().contains("core 2"), ex.getMessage());
        }
    }

    @Test
    void shouldNameTheCoresThatDidNotAnswerInTime() throws Exception
    {
        try (Shoal shoal = Machines.boot("live", "numa:1x4", 4))
        {
            // No preemption: a dispatcher that never calls the libOS keeps its core, so core 3 cannot answer.
            final AtomicBoolean release = new AtomicBoolean();
            final CountDownLatch spinning = new CountDownLatch(1);
            final Domain hog = shoal.startDomain("hog", new int[] {3}, os ->
            {
                spinning.countDown();
                while (!release.get())
                {
                    Thread.onSpinWait();
                }
            });
            spinning.await();
            try
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class,
                    () -> shoal.startDomain("late", new int[] {1, 3}, os -> { }, Duration.ofMillis(300)));
                assertTrue(ex.getMessage().contains("[3]"), ex.getMessage());
            }
            finally
            {
                release.set(true);
            }
            assertTrue(hog.join(Machines.TIMEOUT));
        }
    }
}
