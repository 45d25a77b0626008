package dev.shoal.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plots of {@code shoal validate}: Shoal's predictions beside the paper's values, one PNG per figure, written
 * beside the report ({@code img/validation-*.png}) and linked from it.
 *
 * <ul>
 *   <li>{@code validation-latency.png}, {@code validation-throughput.png}: Tables 1–3, each row as a point
 *       (published, Shoal) with the line on which they are equal;</li>
 *   <li>{@code validation-figure3.png}, {@code -figure6.png}, {@code -figure7.png}: Shoal's curves against cores,
 *       the paper's values as points, with ±0.5k error bars where they are read off a plot.</li>
 * </ul>
 */
final class ValidationPlots
{
    /** How far a value read off one of the paper's plots may be off, in cycles. */
    private static final double PLOT_READING = 500;

    private ValidationPlots()
    {
    }

    /** One plot: its file name (without extension), what it shows, and its chart. */
    record Plot(String name, String caption, XYChart chart)
    {
    }

    /** Every plot of {@code rows}; a figure without rows has no plot. */
    static List<Plot> plots(final List<Validation.Row> rows)
    {
        final List<Plot> plots = new ArrayList<>();
        scatter(rows, "latency", "Tables 1-3: latency, Shoal against the paper (cycles)",
            r -> r.figure().startsWith("table") && r.unit().equals("cycles")).ifPresent(plots::add);
        scatter(rows, "throughput", "Tables 2-3: throughput, Shoal against the paper (msgs/kcycle)",
            r -> r.figure().startsWith("table") && !r.unit().equals("cycles")).ifPresent(plots::add);
        curves(rows, "figure3", "Figure 3 (amd-4x4): cycles per update, SHMn and MSGn against cores", 0)
            .ifPresent(plots::add);
        curves(rows, "figure6", "Figure 6 (amd-8x4): TLB shootdown latency against cores", PLOT_READING)
            .ifPresent(plots::add);
        curves(rows, "figure7", "Figure 7 (amd-8x4): Barrelfish's full unmap against cores", PLOT_READING)
            .ifPresent(plots::add);
        return plots;
    }

    /**
     * Writes every plot of {@code rows} as {@code dir/validation-NAME.png} and returns the Markdown section that
     * shows them, with paths relative to {@code docDir}.
     *
     * @throws IOException when a file cannot be written.
     */
    static String write(final List<Validation.Row> rows, final Path dir, final Path docDir) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        final StringBuilder md = new StringBuilder("## Plots\n\nShoal's figures beside the paper's (written by " +
            "`./shoal validate` with this report; points with error bars are read off the paper's plots, ±0.5k).\n");
        for (final Plot p : plots(rows))
        {
            final Path file = dir.resolve("validation-" + p.name() + ".png");
            BitmapEncoder.saveBitmap(p.chart(), file.toString(), BitmapEncoder.BitmapFormat.PNG);
            md.append("\n![").append(p.caption()).append("](")
                .append(docDir.toAbsolutePath().relativize(file.toAbsolutePath()).toString().replace('\\', '/'))
                .append(")\n");
        }
        return md.toString();
    }

    private static Optional<Plot> scatter(final List<Validation.Row> rows, final String name,
        final String title, final Predicate<Validation.Row> which)
    {
        final Map<String, List<Validation.Row>> byFigure = new LinkedHashMap<>();
        double max = 0;
        for (final Validation.Row r : rows)
        {
            if (which.test(r) && !Double.isNaN(r.published()))
            {
                byFigure.computeIfAbsent(r.figure() + " " + r.variant(), k -> new ArrayList<>()).add(r);
                max = Math.max(max, Math.max(r.published(), r.shoal()));
            }
        }
        if (byFigure.isEmpty())
        {
            return Optional.empty();
        }
        final XYChart chart = chart(title, "published", "Shoal");
        for (final Map.Entry<String, List<Validation.Row>> e : byFigure.entrySet())
        {
            final List<Validation.Row> figure = e.getValue();
            final XYSeries s = chart.addSeries(e.getKey(),
                figure.stream().mapToDouble(Validation.Row::published).toArray(),
                figure.stream().mapToDouble(Validation.Row::shoal).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        final double top = max * 1.1;
        final XYSeries equal = chart.addSeries("Shoal = published", new double[] {0, top}, new double[] {0, top});
        equal.setMarker(SeriesMarkers.NONE);
        return Optional.of(new Plot(name, title, chart));
    }

    private static Optional<Plot> curves(final List<Validation.Row> rows, final String figure,
        final String title, final double readingError)
    {
        final Map<String, List<Validation.Row>> byVariant = new LinkedHashMap<>();
        final List<Validation.Row> published = new ArrayList<>();
        for (final Validation.Row r : rows)
        {
            if (r.figure().equals(figure))
            {
                byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
                if (!Double.isNaN(r.published()))
                {
                    published.add(r);
                }
            }
        }
        if (byVariant.isEmpty())
        {
            return Optional.empty();
        }
        final XYChart chart = chart(title, "cores", "cycles");
        // A variant's published points take its curve's colour.
        final java.awt.Color[] palette = chart.getStyler().getSeriesColors();
        final Map<String, java.awt.Color> colours = new LinkedHashMap<>();
        for (final Map.Entry<String, List<Validation.Row>> e : byVariant.entrySet())
        {
            final List<Validation.Row> curve = e.getValue();
            final java.awt.Color colour = palette[colours.size() % palette.length];
            colours.put(e.getKey(), colour);
            final XYSeries s = chart.addSeries("Shoal " + e.getKey(),
                curve.stream().mapToDouble(Validation.Row::cores).toArray(),
                curve.stream().mapToDouble(Validation.Row::shoal).toArray());
            s.setLineColor(colour);
            s.setMarkerColor(colour);
        }
        final Map<String, List<Validation.Row>> paperByVariant = new LinkedHashMap<>();
        for (final Validation.Row r : published)
        {
            paperByVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
        }
        for (final Map.Entry<String, List<Validation.Row>> e : paperByVariant.entrySet())
        {
            final List<Validation.Row> points = e.getValue();
            final double[] x = points.stream().mapToDouble(Validation.Row::cores).toArray();
            final double[] y = points.stream().mapToDouble(Validation.Row::published).toArray();
            final XYSeries s = readingError > 0
                ? chart.addSeries("paper " + e.getKey(), x, y, points.stream().mapToDouble(r -> readingError).toArray())
                : chart.addSeries("paper " + e.getKey(), x, y);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.DIAMOND);
            s.setMarkerColor(colours.get(e.getKey()));
        }
        return Optional.of(new Plot(figure, title, chart));
    }

    private static XYChart chart(final String title, final String x, final String y)
    {
        final XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(x).yAxisTitle(y)
            .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(7);
        return chart;
    }
}
