package dev.shoal.apps.bench;

/**
 * One measured value of one step. {@code simulated} values come from a core's cycle clock (they depend only on the
 * machine, the cost model, the protocol and, in deterministic mode, the seed); the others are host measurements.
 */
public record Sample(String metric, String unit, double value, boolean simulated)
{
    public static Sample cycles(final String metric, final double value)
    {
        return new Sample(metric, "cycles", value, true);
    }

    public static Sample host(final String metric, final String unit, final double value)
    {
        return new Sample(metric, unit, value, false);
    }
}
