package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The home node's memory controller: one transaction at a time, first fit among its reservations. */
class HomeMemoryControllerTest
{
    @Test
    void shouldServeTransactionsReadyTogetherOneAfterAnother()
    {
        final HomeMemoryController controller = new HomeMemoryController(13);
        assertEquals(100, controller.reserve(100, 100));
        assertEquals(113, controller.reserve(100, 100));
        assertEquals(126, controller.reserve(100, 105));
        assertEquals(139, controller.reserve(100, 130), "ready while the third is served: waits for it");
        assertEquals(200, controller.reserve(100, 200), "ready when the controller is idle: starts at once");
    }

    @Test
    void shouldNotHoldAReadyTransactionBehindOneThatWaitsForItsLine()
    {
        final HomeMemoryController controller = new HomeMemoryController(10);
        // A transaction whose line is busy until 500 reserves its slot when the home handles it, at 100.
        assertEquals(500, controller.reserve(100, 500));
        assertEquals(120, controller.reserve(120, 120), "another line, free now: the controller is idle until 500");
        assertEquals(490, controller.reserve(130, 490), "fits just before the later reservation");
        assertEquals(510, controller.reserve(130, 495), "would overlap both: after the later one");
    }

    @Test
    void shouldForgetReservationsThatEndedBeforeTheHomesClock()
    {
        final HomeMemoryController controller = new HomeMemoryController(10);
        for (int i = 0; i < 20; i++)
        {
            controller.reserve(0, 0);
        }
        assertEquals(20, controller.reservations());
        assertEquals(1_000, controller.reserve(1_000, 1_000));
        assertEquals(1, controller.reservations());
    }

    @Test
    void shouldPassEveryTransactionThroughWithoutOccupancy()
    {
        final HomeMemoryController controller = new HomeMemoryController(0);
        assertEquals(50, controller.reserve(10, 50));
        assertEquals(50, controller.reserve(10, 50));
        assertEquals(0, controller.reservations());
        assertThrows(IllegalArgumentException.class, () -> new HomeMemoryController(-1));
    }
}
