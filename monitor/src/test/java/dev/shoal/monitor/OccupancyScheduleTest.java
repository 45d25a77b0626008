package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A resource serving one transfer at a time, transfers of different lengths: first fit among its reservations. */
class OccupancyScheduleTest
{
    @Test
    void shouldFitAShortTransferIntoAGapALongOneWouldNotFit()
    {
        final OccupancySchedule link = new OccupancySchedule();
        assertEquals(0, link.reserve(0, 0, 4));
        assertEquals(50, link.reserve(0, 50, 34), "reserved ahead: [50, 84)");
        assertEquals(4, link.reserve(0, 0, 4), "ready at once, after the first: [4, 8)");
        assertEquals(84, link.reserve(0, 10, 41), "41 cycles do not fit in [8, 50): after the data");
        assertEquals(8, link.reserve(0, 8, 42), "42 do: [8, 50)");
    }

    @Test
    void shouldForgetWhatEndedAndStartAtOnceWhenCleared()
    {
        final OccupancySchedule link = new OccupancySchedule();
        for (int i = 0; i < 20; i++)
        {
            link.reserve(0, 0, 3);
        }
        assertEquals(20, link.reservations());
        assertEquals(60, link.reserve(60, 60, 3), "every earlier one ended by 60");
        assertEquals(1, link.reservations());
        link.clear();
        assertEquals(61, link.reserve(60, 61, 3));
        assertEquals(61, link.reserve(60, 61, 0), "no occupancy: never waits");
        assertThrows(IllegalArgumentException.class, () -> link.reserve(0, 0, -1));
    }
}
