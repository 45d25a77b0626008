package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class NicFilterTest
{
    private static String rejection(final NicFilter f, final int queues)
    {
        return assertThrows(IllegalArgumentException.class, () -> NicFilter.decode(f.encode(), queues)).getMessage();
    }

    @Test
    void shouldSurviveTheTripThroughBytes()
    {
        assertEquals(KvAppliance.FILTER, NicFilter.decode(KvAppliance.FILTER.encode(), 4));
    }

    @Test
    void shouldKeepWhichCommandEndsItsConnection()
    {
        final NicFilter f = NicFilter.decode(KvAppliance.FILTER.encode(), 4);
        for (final NicFilter.Rule r : f.rules())
        {
            assertEquals(r.command().equals("QUIT"), r.endsConnection(), r.command());
        }
    }

    @Test
    void shouldRejectAnEndOfConnectionFlagOtherThanZeroOrOne()
    {
        final byte[] bytes = new NicFilter(List.of(new NicFilter.Rule("QUIT", NicFilter.Action.byConnection(), true)),
            NicFilter.Action.byArgument(1)).encode();
        // magic (4), rule count (2), name length (1), "QUIT" (4), action (3): the flag follows.
        bytes[4 + 2 + 1 + 4 + 3] = 2;
        final String message = assertThrows(IllegalArgumentException.class, () -> NicFilter.decode(bytes, 2))
            .getMessage();
        assertTrue(message.contains("end-of-connection flag 2"), message);
    }

    @Test
    void shouldRejectAQueueTheNicDoesNotHave()
    {
        final NicFilter f = new NicFilter(List.of(new NicFilter.Rule("PING", NicFilter.Action.toQueue(4))),
            NicFilter.Action.byArgument(1));
        assertTrue(rejection(f, 4).contains("queue 4 of a NIC with 4 queues"), rejection(f, 4));
    }

    @Test
    void shouldRejectAnArgumentIndexOutOfBounds()
    {
        final NicFilter f = new NicFilter(List.of(), NicFilter.Action.byArgument(17));
        assertTrue(rejection(f, 2).contains("argument 17"), rejection(f, 2));
    }

    @Test
    void shouldRejectTooManyRulesAndDuplicates()
    {
        final List<NicFilter.Rule> rules = new ArrayList<>();
        for (int i = 0; i <= NicFilter.MAX_RULES; i++)
        {
            rules.add(new NicFilter.Rule("CMD" + i, NicFilter.Action.toQueue(0)));
        }
        assertTrue(rejection(new NicFilter(rules, NicFilter.Action.toQueue(0)), 1).contains("65 rules"));
        final NicFilter twice = new NicFilter(List.of(new NicFilter.Rule("get", NicFilter.Action.toQueue(0)),
            new NicFilter.Rule("GET", NicFilter.Action.toQueue(0))), NicFilter.Action.toQueue(0));
        assertTrue(rejection(twice, 1).contains("GET has two rules"));
    }

    @Test
    void shouldRejectNamesThatAreNotCommandNames()
    {
        final NicFilter f = new NicFilter(List.of(new NicFilter.Rule("G T", NicFilter.Action.toQueue(0))),
            NicFilter.Action.toQueue(0));
        assertTrue(rejection(f, 1).contains("letters, digits"));
    }

    @Test
    void shouldRejectTruncatedOrForeignBytes()
    {
        final byte[] good = KvAppliance.FILTER.encode();
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> NicFilter.decode(Arrays.copyOf(good, good.length - 2), 4)).getMessage().contains("truncated"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> NicFilter.decode(new byte[] {1, 2, 3, 4, 5, 6}, 4)).getMessage().contains("bad magic"));
    }
}
