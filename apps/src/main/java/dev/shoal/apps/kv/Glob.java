package dev.shoal.apps.kv;

/**
 * Redis's glob patterns on bytes (KEYS, SCAN MATCH, CONFIG GET): {@code *} any run, {@code ?} any one byte,
 * {@code [abc]}, {@code [^abc]} and {@code [a-z]} sets, {@code \x} the byte x itself. An unclosed set is taken to
 * end at the end of the pattern, as Redis does.
 *
 * <p>Iterative with one back-tracking point (the last {@code *}), so a pattern costs O(pattern × name) at worst and
 * no stack: a client's pattern cannot exhaust the core's stack.
 */
final class Glob
{
    private Glob()
    {
    }

    static boolean matches(final byte[] pattern, final byte[] name)
    {
        int p = 0;
        int n = 0;
        int starP = -1;
        int starN = 0;
        while (n < name.length)
        {
            if (p < pattern.length)
            {
                final byte c = pattern[p];
                if (c == '*')
                {
                    while (p < pattern.length && pattern[p] == '*')
                    {
                        p++;
                    }
                    if (p == pattern.length)
                    {
                        return true;
                    }
                    starP = p;
                    starN = n;
                    continue;
                }
                final int next = matchOne(pattern, p, name[n]);
                if (next >= 0)
                {
                    p = next;
                    n++;
                    continue;
                }
            }
            if (starP < 0)
            {
                return false;
            }
            // Let the last '*' take one more byte and try again from just after it.
            p = starP;
            n = ++starN;
        }
        while (p < pattern.length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.length;
    }

    /** If the pattern element at {@code p} (not '*') matches byte {@code b}: the index after it, else -1. */
    private static int matchOne(final byte[] pattern, final int p, final byte b)
    {
        final byte c = pattern[p];
        if (c == '?')
        {
            return p + 1;
        }
        if (c == '\\' && p + 1 < pattern.length)
        {
            return pattern[p + 1] == b ? p + 2 : -1;
        }
        if (c != '[')
        {
            return c == b ? p + 1 : -1;
        }
        int i = p + 1;
        final boolean negate = i < pattern.length && pattern[i] == '^';
        if (negate)
        {
            i++;
        }
        boolean hit = false;
        while (i < pattern.length && pattern[i] != ']')
        {
            if (pattern[i] == '\\' && i + 1 < pattern.length)
            {
                hit |= pattern[i + 1] == b;
                i += 2;
            }
            else if (i + 2 < pattern.length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                final int lo = Math.min(pattern[i] & 0xff, pattern[i + 2] & 0xff);
                final int hi = Math.max(pattern[i] & 0xff, pattern[i + 2] & 0xff);
                hit |= (b & 0xff) >= lo && (b & 0xff) <= hi;
                i += 3;
            }
            else
            {
                hit |= pattern[i] == b;
                i++;
            }
        }
        final int after = i < pattern.length ? i + 1 : i;
        return hit != negate ? after : -1;
    }
}
