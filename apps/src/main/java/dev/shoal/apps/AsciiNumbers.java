package dev.shoal.apps;

import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters for numeric options that accept ASCII digits only. The JDK's {@code Integer.parseInt} also takes
 * full-width and other Unicode digits ({@code --cores ４}) and {@code Double.parseDouble} takes {@code NaN},
 * {@code Infinity}, hex floats and a trailing {@code d}: none of these is a number a user means to type.
 */
final class AsciiNumbers
{
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private AsciiNumbers()
    {
    }

    /** Registers the converters on {@code cli} and every subcommand it has now. */
    static void register(final CommandLine cli)
    {
        final CommandLine.ITypeConverter<Integer> ints = AsciiNumbers::parseInt;
        final CommandLine.ITypeConverter<Long> longs = AsciiNumbers::parseLong;
        final CommandLine.ITypeConverter<Double> doubles = AsciiNumbers::parseDouble;
        cli.registerConverter(int.class, ints).registerConverter(Integer.class, ints)
            .registerConverter(long.class, longs).registerConverter(Long.class, longs)
            .registerConverter(double.class, doubles).registerConverter(Double.class, doubles);
    }

    static int parseInt(final String value)
    {
        try
        {
            return Integer.parseInt(integer(value));
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + value + "' is not a whole number in " + Integer.MIN_VALUE + ".." +
                Integer.MAX_VALUE);
        }
    }

    static long parseLong(final String value)
    {
        try
        {
            return Long.parseLong(integer(value));
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + value + "' is not a whole number in " + Long.MIN_VALUE + ".." +
                Long.MAX_VALUE);
        }
    }

    /** A finite decimal number written in ASCII: no NaN, no Infinity, nothing that overflows to either. */
    static double parseDouble(final String value)
    {
        if (!DECIMAL.matcher(value).matches())
        {
            throw new TypeConversionException("'" + value + "' is not a decimal number (ASCII digits, e.g. 2.5)");
        }
        final double parsed = Double.parseDouble(value);
        if (!Double.isFinite(parsed))
        {
            throw new TypeConversionException("'" + value + "' is too large");
        }
        return parsed;
    }

    private static String integer(final String value)
    {
        if (!INTEGER.matcher(value).matches())
        {
            throw new TypeConversionException("'" + value + "' is not a whole number (ASCII digits only)");
        }
        return value;
    }
}
