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

    @Test
    void shouldKeepFirstFitWhileForgettingAsTheClockAdvances()
    {
        // Reservations of 3 every 10 cycles, the clock 25 behind: a few are held at a time while many pass.
        final OccupancySchedule link = new OccupancySchedule();
        for (long t = 0; t < 400; t += 10)
        {
            assertEquals(t, link.reserve(t - 25, t, 3));
            assertEquals(t + 3, link.reserve(t - 25, t, 5), "after the first, in the gap before the next");
            assertEquals(t + 8, link.reserve(t - 25, t + 1, 2), "2 still fit before t + 10");
        }
        assertEquals(11, link.reservations(), "those ending after 365: [363, 400)");
        assertEquals(400, link.lastEnd());
        assertEquals(370, link.start(2));
        assertEquals(373, link.end(2));
        assertEquals(400, link.reserve(365, 372, 1), "no gap is left up to 400");
    }

    @Test
    void shouldBookIntervalsAfterEveryReservationAsReserveWould()
    {
        final OccupancySchedule booked = new OccupancySchedule();
        final OccupancySchedule reserved = new OccupancySchedule();
        for (final OccupancySchedule link : new OccupancySchedule[] {booked, reserved})
        {
            link.reserve(0, 0, 10);
            link.reserve(0, 20, 10);
        }
        booked.book(15, 100, new long[] {-70, 0, 5}, new long[] {-60, 5, 9}, 0, 3);
        for (final long start : new long[] {30, 100, 105})
        {
            reserved.reserve(15, start, start == 30 ? 10 : start == 100 ? 5 : 4);
        }
        assertEquals(4, booked.reservations(), "[0, 10) forgotten at 15");
        for (int i = 0; i < 4; i++)
        {
            assertEquals(reserved.start(i), booked.start(i));
            assertEquals(reserved.end(i), booked.end(i));
        }
    }
}
