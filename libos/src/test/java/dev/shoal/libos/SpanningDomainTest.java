package dev.shoal.libos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A domain with one dispatcher per core whose dispatchers find and talk to each other. */
class SpanningDomainTest
{
    record Token(int hops, long sum)
    {
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:1", "deterministic:6"})
    void shouldPassATokenAroundTheDomainsCoresOverSiblingChannels(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:2x8", 16))
        {
            final int[] cores = {0, 3, 9, 15};
            final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
            Machines.run(shoal, "ring", cores, os ->
            {
                final int[] mine = os.domainCores();
                assertArrayEquals(cores, mine);
                int me = 0;
                while (mine[me] != os.coreId())
                {
                    me++;
                }
                final int next = mine[(me + 1) % mine.length];
                final int previous = mine[(me + mine.length - 1) % mine.length];
                // The lower core of a pair returns at once; the higher waits only for the lower's call. So each
                // dispatcher may ask for its channels in any order.
                final Channel in = os.sibling(previous);
                final Channel to = os.sibling(next);
                assertSame(in, os.sibling(previous), "one channel per pair");
                assertEquals(previous, in.peerCore());
                for (int round = 0; round < 3; round++)
                {
                    if (me == 0)
                    {
                        to.send(new Token(1, os.coreId()));
                        final Token back = in.receive(Token.class);
                        seen.put("round " + round, back);
                    }
                    else
                    {
                        final Token t = in.receive(Token.class);
                        to.send(new Token(t.hops() + 1, t.sum() + os.coreId()));
                    }
                }
                seen.put("transport " + os.coreId(), to.transport());
            });
            for (int round = 0; round < 3; round++)
            {
                assertEquals(new Token(4, 0 + 3 + 9 + 15), seen.get("round " + round));
            }
            assertEquals("ump", seen.get("transport 0"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live"})
    void shouldRejectSiblingsOutsideTheDomainAndCoresListedTwice(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x4", 4))
        {
            final ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
            Machines.run(shoal, "pair", new int[] {0, 2}, os ->
            {
                if (os.coreId() == 0)
                {
                    seen.put("self", assertThrows(IllegalArgumentException.class, () -> os.sibling(0)).getMessage());
                    seen.put("outside", assertThrows(IllegalArgumentException.class, () -> os.sibling(1))
                        .getMessage());
                }
            });
            assertEquals("core 0 is not another core of domain pair [0, 2]", seen.get("self"));
            assertEquals("core 1 is not another core of domain pair [0, 2]", seen.get("outside"));
            assertEquals("domain twice lists a core twice: [1, 1] (one dispatcher per core)",
                assertThrows(IllegalArgumentException.class,
                    () -> shoal.startDomain("twice", new int[] {1, 1}, os -> { })).getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:2"})
    void shouldKeepTwoDomainsOfTheSameNameApart(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x4", 4))
        {
            final ConcurrentHashMap<String, Integer> seen = new ConcurrentHashMap<>();
            final Domain.Main main = os ->
            {
                final Channel c = os.sibling(os.coreId() == 1 ? 3 : 1);
                c.sendString(os.domainName() + " from " + os.coreId());
                seen.merge(os.coreId() + "/" + c.receiveString(), 1, Integer::sum);
            };
            final Domain first = Machines.start(shoal, "twin", new int[] {1, 3}, main);
            final Domain second = Machines.start(shoal, "twin", new int[] {1, 3}, main);
            Machines.join(first, second);
            // Had the twins shared a pair name, the second export would have failed its domain.
            assertEquals(java.util.Map.of("1/twin from 3", 2, "3/twin from 1", 2), seen);
            assertEquals(first.instance() + 1, second.instance());
        }
    }

}
