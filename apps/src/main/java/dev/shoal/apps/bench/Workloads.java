package dev.shoal.apps.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The workloads a command can run: those listed in {@code META-INF/services/dev.shoal.apps.bench.Workload} files
 * that a class loader sees — Shoal's own (in {@code shoal.jar}) first, then a user's ({@code --classpath}). Every
 * workload, built-in or not, is found the same way. Host-side.
 */
public final class Workloads
{
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    private final Map<String, Workload> byName;

    private Workloads(final Map<String, Workload> byName)
    {
        this.byName = byName;
    }

    /**
     * Loads every workload {@code loader} sees.
     *
     * @throws IllegalArgumentException naming the problem in one line: a malformed services entry, a class that
     *     cannot be loaded or made, a name that is not a command-line word, two workloads of one name.
     */
    public static Workloads load(final ClassLoader loader)
    {
        final Map<String, Workload> byName = new LinkedHashMap<>();
        try
        {
            for (final Workload w : ServiceLoader.load(Workload.class, loader))
            {
                final String name = w.name();
                if (name == null || !NAME.matcher(name).matches())
                {
                    throw new IllegalArgumentException("workload " + w.getClass().getName() + " has the name '" + name +
                        "': use 1-40 lower case letters, digits and '-'");
                }
                final Workload other = byName.putIfAbsent(name, w);
                if (other != null && other.getClass() != w.getClass())
                {
                    throw new IllegalArgumentException("two workloads are called " + name + ": " +
                        other.getClass().getName() + " and " + w.getClass().getName());
                }
            }
        }
        catch (final ServiceConfigurationError | LinkageError ex)
        {
            // The error names the services file's entry; a class compiled for a newer JDK or against missing
            // classes shows up here too.
            throw new IllegalArgumentException("cannot load a workload: " + firstLine(ex), ex);
        }
        return new Workloads(byName);
    }

    /** Every workload, built-in ones first, in the order their services files list them. */
    public List<Workload> all()
    {
        return new ArrayList<>(byName.values());
    }

    /** The names, for error messages. */
    public List<String> names()
    {
        return new ArrayList<>(byName.keySet());
    }

    /**
     * The workload called {@code name} (case and surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the known workloads when there is none of that name.
     */
    public Workload find(final String name)
    {
        final Workload w = byName.get(name.strip().toLowerCase(Locale.ROOT));
        if (w == null)
        {
            throw new IllegalArgumentException("unknown workload " + name + " (known: " + String.join(", ", names()) +
                "; a workload of your own needs --classpath JAR)");
        }
        return w;
    }

    /**
     * {@code samples} of one step of {@code workload}, checked: at least one, and every variant, metric and unit a
     * CSV field (no comma, quote or line break) that is not empty. A user's workload is input like any other.
     *
     * @throws IllegalArgumentException naming the workload and the offending value.
     */
    public static List<Sample> checked(final Workload workload, final String variant, final List<Sample> samples)
    {
        field(workload, "variant", variant);
        if (samples == null || samples.isEmpty())
        {
            throw new IllegalArgumentException("workload " + workload.name() + " returned no samples for variant " +
                variant);
        }
        for (final Sample s : samples)
        {
            field(workload, "metric", s.metric());
            field(workload, "unit", s.unit());
        }
        return samples;
    }

    private static void field(final Workload workload, final String what, final String value)
    {
        if (value == null || value.isBlank() || value.chars().anyMatch(c -> c == ',' || c == '"' || c < ' '))
        {
            throw new IllegalArgumentException("workload " + workload.name() + " has the " + what + " '" + value +
                "': it must be a non-empty CSV field (no comma, quote or control character)");
        }
    }

    private static String firstLine(final Throwable ex)
    {
        Throwable t = ex;
        final StringBuilder out = new StringBuilder(String.valueOf(t.getMessage()).lines().findFirst().orElse(""));
        while (t.getCause() != null && t.getCause() != t)
        {
            t = t.getCause();
            out.append(": ").append(t.getClass().getSimpleName()).append(' ')
                .append(String.valueOf(t.getMessage()).lines().findFirst().orElse(""));
        }
        return out.toString().strip();
    }
}
