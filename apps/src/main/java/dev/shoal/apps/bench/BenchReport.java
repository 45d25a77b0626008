package dev.shoal.apps.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Writes a sweep's results into a directory: {@code <workload>.csv} per workload (raw rows and median/p99 rows),
 * {@code summary.md} (medians per metric, cores down, variants across) and {@code <workload>-<metric>.png} and
 * {@code .svg} (the median of each metric against the core count, one line per variant).
 */
public final class BenchReport
{
    static
    {
        System.setProperty("java.awt.headless", "true");
    }

    private BenchReport()
    {
    }

    /** Writes every file; returns the paths written. */
    public static List<Path> write(final Path dir, final List<Row> rows, final String header) throws IOException
    {
        Files.createDirectories(dir);
        final List<Path> written = new ArrayList<>();
        final Map<String, List<Row>> byWorkload = new LinkedHashMap<>();
        rows.forEach(r -> byWorkload.computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(r));
        final StringBuilder md = new StringBuilder(header).append('\n');
        for (final Map.Entry<String, List<Row>> e : byWorkload.entrySet())
        {
            final Path csv = dir.resolve(e.getKey() + ".csv");
            final StringBuilder text = new StringBuilder(Row.HEADER).append('\n');
            e.getValue().forEach(r -> text.append(r.csv()).append('\n'));
            Files.writeString(csv, text, StandardCharsets.UTF_8);
            written.add(csv);
            md.append("\n## ").append(e.getKey()).append('\n');
            for (final String metric : metrics(e.getValue()))
            {
                final List<Row> m = e.getValue().stream().filter(r -> r.metric().equals(metric)).toList();
                md.append('\n').append(table(metric, m));
                written.addAll(plot(dir, e.getKey(), metric, m));
            }
        }
        final Path summary = dir.resolve("summary.md");
        Files.writeString(summary, md, StandardCharsets.UTF_8);
        written.add(summary);
        return written;
    }

    private static Set<String> metrics(final List<Row> rows)
    {
        final Set<String> out = new LinkedHashSet<>();
        rows.forEach(r -> out.add(r.metric()));
        return out;
    }

    /** Medians, cores down and variants across; with the p99 beside it where repeats differ. */
    static String table(final String metric, final List<Row> rows)
    {
        final String unit = rows.getFirst().unit();
        final Set<String> variants = new LinkedHashSet<>();
        final Set<Integer> cores = new TreeSet<>();
        rows.forEach(r ->
        {
            variants.add(r.variant());
            cores.add(r.cores());
        });
        final StringBuilder out = new StringBuilder();
        out.append("**").append(metric).append("** (").append(unit).append(", median over repeats")
            .append(")\n\n| cores |");
        variants.forEach(v -> out.append(' ').append(v).append(" |"));
        out.append("\n|---:|");
        variants.forEach(v -> out.append("---:|"));
        out.append('\n');
        for (final int n : cores)
        {
            out.append("| ").append(n).append(" |");
            for (final String v : variants)
            {
                final Double median = stat(rows, n, v, "median");
                final Double p99 = stat(rows, n, v, "p99");
                final double[] raw = rows.stream().filter(r -> r.cores() == n && r.variant().equals(v) &&
                    !r.repeat().equals("median") && !r.repeat().equals("p99")).mapToDouble(Row::value).toArray();
                final boolean varies = raw.length > 1 &&
                    java.util.Arrays.stream(raw).min().orElse(0) != java.util.Arrays.stream(raw).max().orElse(0);
                out.append(' ').append(median == null ? "–" : Row.format(median));
                if (varies && p99 != null)
                {
                    out.append(" (p99 ").append(Row.format(p99)).append(')');
                }
                out.append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static Double stat(final List<Row> rows, final int cores, final String variant, final String which)
    {
        return rows.stream().filter(r -> r.cores() == cores && r.variant().equals(variant) &&
            r.repeat().equals(which)).map(Row::value).findFirst().orElse(null);
    }

    private static List<Path> plot(final Path dir, final String workload, final String metric, final List<Row> rows)
        throws IOException
    {
        final String unit = rows.getFirst().unit();
        final XYChart chart = new XYChartBuilder().width(800).height(500)
            .title(workload + ": " + metric + " on " + rows.getFirst().machine())
            .xAxisTitle("cores").yAxisTitle(metric + " (" + unit + ")").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.getStyler().setDecimalPattern("#,##0.#");
        final Map<String, List<Row>> byVariant = new LinkedHashMap<>();
        rows.stream().filter(r -> r.repeat().equals("median"))
            .forEach(r -> byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r));
        for (final Map.Entry<String, List<Row>> e : byVariant.entrySet())
        {
            final List<Row> points = e.getValue().stream()
                .sorted(java.util.Comparator.comparingInt(Row::cores)).toList();
            chart.addSeries(e.getKey(), points.stream().mapToDouble(Row::cores).toArray(),
                points.stream().mapToDouble(Row::value).toArray());
        }
        final String base = dir.resolve(workload + "-" + metric).toString();
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return List.of(Path.of(base + ".png"), Path.of(base + ".svg"));
    }
}
