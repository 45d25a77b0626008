package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;


/**
 * Finds a command name, given as bytes in any letter case, among a fixed set of names without making a
 * {@code String} or any other object: the lookup runs once per request, on the NIC (which queue) and on a core
 * (which command). Open addressing over the upper-cased names, built once and read-only afterwards.
 *
 * <p>Immutable after construction, so the NIC thread and a core may each hold their own.
 */
final class NameTable<V>
{
    /** Names longer than this are never in a table (Redis's longest command name is shorter). */
    static final int MAX_NAME = 32;

    private final byte[][] names;
    private final Object[] values;
    private final int mask;

    /** @param entries names (ASCII, any case) and their values; names must differ ignoring case. */
    NameTable(final Map<String, V> entries)
    {
        int capacity = 8;
        while (capacity < entries.size() * 3)
        {
            capacity <<= 1;
        }
        names = new byte[capacity][];
        values = new Object[capacity];
        mask = capacity - 1;
        for (final Map.Entry<String, V> e : entries.entrySet())
        {
            final byte[] name = e.getKey().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            if (name.length == 0 || name.length > MAX_NAME)
            {
                throw new IllegalArgumentException("name table: '" + e.getKey() + "' is not 1.." + MAX_NAME +
                    " characters");
            }
            int i = hash(name, 0, name.length) & mask;
            while (names[i] != null)
            {
                if (Arrays.equals(names[i], name))
                {
                    throw new IllegalArgumentException("name table: '" + e.getKey() + "' twice");
                }
                i = (i + 1) & mask;
            }
            names[i] = name;
            values[i] = e.getValue();
        }
    }

    /** The value for the name in {@code b[offset, offset + length)}, or null. */
    @SuppressWarnings("unchecked")
    V get(final byte[] b, final int offset, final int length)
    {
        if (length == 0 || length > MAX_NAME)
        {
            return null;
        }
        for (int i = hash(b, offset, length) & mask; ; i = (i + 1) & mask)
        {
            final byte[] name = names[i];
            if (name == null)
            {
                return null;
            }
            if (name.length == length && equalsIgnoringCase(name, b, offset))
            {
                return (V)values[i];
            }
        }
    }

    private static boolean equalsIgnoringCase(final byte[] upperName, final byte[] b, final int offset)
    {
        for (int i = 0; i < upperName.length; i++)
        {
            if (upperName[i] != upper(b[offset + i]))
            {
                return false;
            }
        }
        return true;
    }

    /** FNV-1a over the upper-cased bytes. */
    private static int hash(final byte[] b, final int offset, final int length)
    {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ upper(b[offset + i])) * 0x01000193;
        }
        return h;
    }

    private static int upper(final byte b)
    {
        return b >= 'a' && b <= 'z' ? b - 32 : b;
    }
}
