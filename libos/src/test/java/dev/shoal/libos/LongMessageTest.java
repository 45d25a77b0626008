package dev.shoal.libos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A channel between cores carries messages of any length, like one within a core, in order. */
class LongMessageTest
{
    /** Around one UMP message's limit (64 KiB) and well past it. */
    private static final int[] LENGTHS = {0, 1, 65_535, 65_536, 65_537, 131_072, 200_003, 17};

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:2"})
    void shouldDeliverMessagesLongerThanOneUmpMessageWholeAndInOrder(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "amd-2x2", 4))
        {
            final ConcurrentHashMap<Integer, Object> received = new ConcurrentHashMap<>();
            Machines.run(shoal, "long", new int[] {0, 3}, os ->
            {
                final Channel c = os.sibling(os.coreId() == 0 ? 3 : 0);
                if (os.coreId() == 0)
                {
                    for (final int length : LENGTHS)
                    {
                        c.sendBytes(message(length));
                    }
                    received.put(-1, c.receiveString());
                }
                else
                {
                    for (int i = 0; i < LENGTHS.length; i++)
                    {
                        received.put(i, c.receiveBytes());
                    }
                    c.sendString("done");
                }
            });
            for (int i = 0; i < LENGTHS.length; i++)
            {
                assertArrayEquals(message(LENGTHS[i]), (byte[])received.get(i), "message " + i);
            }
            assertEquals("done", received.get(-1));
        }
    }

    private static byte[] message(final int length)
    {
        final byte[] b = new byte[length];
        new SplittableRandom(length).nextBytes(b);
        return b;
    }
}
