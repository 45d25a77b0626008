package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NameTableTest
{
    private static NameTable<Integer> table(final String... names)
    {
        final Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < names.length; i++)
        {
            m.put(names[i], i);
        }
        return new NameTable<>(m);
    }

    /** Looks {@code name} up inside a larger array, at offset 3. */
    private static void assertFound(final NameTable<Integer> t, final Integer expected, final String name)
    {
        final byte[] padded = ("xyz" + name + "tail").getBytes(StandardCharsets.US_ASCII);
        assertEquals(expected, t.get(padded, 3, name.length()), name);
    }

    @Test
    void shouldFindNamesGivenAsBytesInAnyLetterCase()
    {
        final NameTable<Integer> t = table("GET", "set", "Client", "CONFIG", "x-1_y");
        assertFound(t, 0, "GET");
        assertFound(t, 0, "get");
        assertFound(t, 1, "SeT");
        assertFound(t, 2, "CLIENT");
        assertFound(t, 3, "config");
        assertFound(t, 4, "X-1_Y");
    }

    @Test
    void shouldNotFindPrefixesExtensionsOrOtherNames()
    {
        final NameTable<Integer> t = table("GET", "GETDEL", "SET");
        assertFound(t, null, "GE");
        assertFound(t, null, "GETD");
        assertFound(t, null, "GETDELX");
        assertFound(t, null, "MSET");
        assertFound(t, null, "G\u00c9T");
        assertNull(t.get(new byte[0], 0, 0));
        assertNull(t.get(new byte[NameTable.MAX_NAME + 1], 0, NameTable.MAX_NAME + 1));
    }

    @Test
    void shouldHoldEveryCommandOfTheAppliance()
    {
        for (final Command c : Command.values())
        {
            final byte[] lower = c.name().toLowerCase().getBytes(StandardCharsets.US_ASCII);
            assertEquals(c, Command.of(lower, 0, lower.length));
        }
    }

    @Test
    void shouldRejectNamesThatDifferOnlyInCaseOrAreTooLong()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> table("get", "GET")).getMessage()
            .contains("twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> table("A".repeat(NameTable.MAX_NAME + 1)))
            .getMessage().contains("1.." + NameTable.MAX_NAME));
    }
}
