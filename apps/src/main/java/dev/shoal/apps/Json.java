package dev.shoal.apps;

import java.util.LinkedHashMap;
import java.util.Map;

/** A flat JSON object for the CLI's {@code --json} output: fields in insertion order, one line. */
final class Json
{
    private final Map<String, Object> fields = new LinkedHashMap<>();

    /** Adds a field; a null value leaves the field out. */
    Json put(final String name, final Object value)
    {
        if (value != null)
        {
            fields.put(name, value);
        }
        return this;
    }

    /** A field whose value is already JSON (an array of objects, say). */
    Json putRaw(final String name, final String json)
    {
        fields.put(name, new Raw(json));
        return this;
    }

    private record Raw(String json)
    {
    }

    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder("{");
        for (final Map.Entry<String, Object> e : fields.entrySet())
        {
            if (out.length() > 1)
            {
                out.append(',');
            }
            quote(out, e.getKey()).append(':');
            final Object v = e.getValue();
            if (v instanceof Number || v instanceof Boolean)
            {
                out.append(v);
            }
            else if (v instanceof Raw raw)
            {
                out.append(raw.json());
            }
            else
            {
                quote(out, String.valueOf(v));
            }
        }
        return out.append('}').toString();
    }

    private static StringBuilder quote(final StringBuilder out, final String s)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
