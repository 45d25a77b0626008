package dev.shoal.apps.bench;

/**
 * One row of a workload's CSV: {@code repeat} is the repeat number (1..R) for a raw measurement, or
 * {@code median} / {@code p99} for the statistics over the repeats.
 */
public record Row(String workload, String machine, String mode, int cores, String variant, String metric,
    String unit, String repeat, double value)
{
    public static final String HEADER = "workload,machine,mode,cores,variant,metric,unit,repeat,value";

    public String csv()
    {
        return String.join(",", workload, machine, mode, Integer.toString(cores), variant, metric, unit, repeat,
            format(value));
    }

    /** Integers without a decimal point, the rest with one decimal place (three below 10). */
    public static String format(final double v)
    {
        if (v == Math.rint(v) && Math.abs(v) < 1e15)
        {
            return Long.toString((long)v);
        }
        return String.format(java.util.Locale.ROOT, Math.abs(v) < 10 ? "%.3f" : "%.1f", v);
    }
}
