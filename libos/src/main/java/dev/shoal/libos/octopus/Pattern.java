package dev.shoal.libos.octopus;

/**
 * A watch or listing pattern: a record name in which {@code *} matches any run of characters (also none) and
 * {@code ?} exactly one; every other character matches itself. A pattern without wildcards names one record.
 */
final class Pattern
{
    private Pattern()
    {
    }

    static boolean matches(final String pattern, final String name)
    {
        return matches(pattern, 0, name, 0);
    }

    private static boolean matches(final String p, final int pi, final String n, final int ni)
    {
        int i = pi;
        int j = ni;
        // Iterative glob match with one backtrack point, the last '*' seen.
        int star = -1;
        int starName = -1;
        while (j < n.length())
        {
            if (i < p.length() && (p.charAt(i) == '?' || p.charAt(i) == n.charAt(j)))
            {
                i++;
                j++;
            }
            else if (i < p.length() && p.charAt(i) == '*')
            {
                star = i++;
                starName = j;
            }
            else if (star >= 0)
            {
                i = star + 1;
                j = ++starName;
            }
            else
            {
                return false;
            }
        }
        while (i < p.length() && p.charAt(i) == '*')
        {
            i++;
        }
        return i == p.length();
    }

    /** Checks a record name: not empty, no wildcard characters. */
    static String checkName(final String name)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("an Octopus record name must not be empty");
        }
        if (name.indexOf('*') >= 0 || name.indexOf('?') >= 0)
        {
            throw new IllegalArgumentException("Octopus record name '" + name + "' contains a wildcard (* or ?)");
        }
        return name;
    }

    static String checkPattern(final String pattern)
    {
        if (pattern == null || pattern.isEmpty())
        {
            throw new IllegalArgumentException("an Octopus pattern must not be empty");
        }
        return pattern;
    }
}
