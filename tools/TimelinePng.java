import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * Draws a Shoal timeline (the JSON that {@code --timeline} writes) as a PNG, without a browser: a row per core,
 * its message, dispatch and timer slices coloured by name, a line per flow from send to receipt, and the phase
 * that is chosen as the window. It reads Shoal's own writer's output (one event per line), not any trace JSON.
 *
 * <pre>
 * java tools/TimelinePng.java IN.json OUT.png [--phase NAME] [--title TEXT]
 * </pre>
 *
 * With {@code --phase}, the picture covers the first phase of that name (a B/E pair, e.g. "shootdown unicast");
 * otherwise every slice. Runs headless.
 */
public final class TimelinePng
{
    private static final Pattern FIELD = Pattern.compile("\"(ph|name|tid|ts|dur|id)\":(\"[^\"]*\"|[-0-9.]+)");
    private static final Pattern TRACK_NAME = Pattern.compile("\"args\":\\{\"name\":\"([^\"]*)\"");
    private static final Pattern CLOCK = Pattern.compile("\"clockMHz\":([0-9]+)");

    private record Event(String ph, String name, long tid, double ts, double dur, long id)
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length < 2)
        {
            System.err.println("usage: java tools/TimelinePng.java IN.json OUT.png [--phase NAME] [--title TEXT]");
            System.exit(2);
        }
        String phase = null;
        String title = args[0];
        for (int i = 2; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--phase" -> phase = args[i + 1];
                case "--title" -> title = args[i + 1];
                default ->
                {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        final List<Event> events = new ArrayList<>();
        final Map<Long, String> trackNames = new HashMap<>();
        long clockMhz = 0;
        try (Stream<String> lines = Files.lines(Path.of(args[0])))
        {
            for (final String line : (Iterable<String>)lines::iterator)
            {
                final Matcher clock = CLOCK.matcher(line);
                if (clock.find())
                {
                    clockMhz = Long.parseLong(clock.group(1));
                }
                final Map<String, String> f = new HashMap<>();
                final Matcher m = FIELD.matcher(line);
                while (m.find())
                {
                    f.putIfAbsent(m.group(1), m.group(2).replace("\"", ""));
                }
                if (!f.containsKey("ph"))
                {
                    continue;
                }
                if (f.get("ph").equals("M"))
                {
                    final Matcher n = TRACK_NAME.matcher(line);
                    if ("thread_name".equals(f.get("name")) && n.find())
                    {
                        trackNames.put(Long.parseLong(f.get("tid")), n.group(1));
                    }
                    continue;
                }
                events.add(new Event(f.get("ph"), f.getOrDefault("name", ""), Long.parseLong(f.get("tid")),
                    Double.parseDouble(f.get("ts")), Double.parseDouble(f.getOrDefault("dur", "0")),
                    Long.parseLong(f.getOrDefault("id", "0"))));
            }
        }
        double from = Double.MAX_VALUE;
        double to = -Double.MAX_VALUE;
        if (phase != null)
        {
            for (final Event e : events)
            {
                if (e.name.equals(phase) && e.ph.equals("B") && from == Double.MAX_VALUE)
                {
                    from = e.ts;
                }
                else if (e.name.equals(phase) && e.ph.equals("E") && from != Double.MAX_VALUE && to < from)
                {
                    to = e.ts;
                }
            }
            if (to < from)
            {
                System.err.println("no phase '" + phase + "' in " + args[0]);
                System.exit(2);
            }
        }
        else
        {
            for (final Event e : events)
            {
                if (e.ph.equals("X"))
                {
                    from = Math.min(from, e.ts);
                    to = Math.max(to, e.ts + e.dur);
                }
            }
        }
        final double start = from;
        final double end = to;
        final TreeSet<Long> rows = new TreeSet<>();
        for (final Event e : events)
        {
            if (e.ph.equals("X") && e.ts <= end && e.ts + e.dur >= start && e.tid < 1 << 20)
            {
                rows.add(e.tid);
            }
        }
        draw(events, trackNames, rows, start, end, clockMhz, title + (phase != null ? " — " + phase : ""),
            Path.of(args[1]));
    }

    private static void draw(final List<Event> events, final Map<Long, String> trackNames, final TreeSet<Long> rows,
        final double start, final double end, final long clockMhz, final String title, final Path out)
        throws IOException
    {
        final int left = 170;
        final int right = 30;
        final int top = 50;
        final int rowHeight = Math.max(6, Math.min(18, 700 / Math.max(1, rows.size())));
        final int width = 1600;
        final Map<String, Color> colours = new LinkedHashMap<>();
        final int legendRows = 2;
        final int height = top + rows.size() * rowHeight + 60 + legendRows * 18;
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        final double span = Math.max(end - start, 1e-9);
        final double scale = (width - left - right) / span;
        final Map<Long, Integer> rowOf = new HashMap<>();
        int r = 0;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(12, rowHeight)));
        for (final long tid : rows)
        {
            rowOf.put(tid, r);
            final int y = top + r * rowHeight;
            g.setColor(r % 2 == 0 ? new Color(245, 245, 245) : Color.WHITE);
            g.fillRect(left, y, width - left - right, rowHeight);
            g.setColor(Color.DARK_GRAY);
            if (rowHeight >= 9)
            {
                g.drawString(trackNames.getOrDefault(tid, "core " + tid), 6, y + rowHeight - 3);
            }
            r++;
        }
        final TreeSet<String> names = new TreeSet<>();
        for (final Event e : events)
        {
            if (e.ph.equals("X") && rowOf.containsKey(e.tid) && e.ts <= end && e.ts + e.dur >= start)
            {
                names.add(e.name);
            }
        }
        int next = 0;
        for (final String name : names)
        {
            colours.put(name, colour(name, next++));
        }
        g.setClip(left, top, width - left - right, rows.size() * rowHeight);
        for (final Event e : events)
        {
            final Integer row = rowOf.get(e.tid);
            if (!e.ph.equals("X") || row == null || e.ts > end || e.ts + e.dur < start)
            {
                continue;
            }
            final Color c = colours.get(e.name);
            final int x0 = left + (int)Math.round((Math.max(e.ts, start) - start) * scale);
            final int x1 = left + (int)Math.round((Math.min(e.ts + e.dur, end) - start) * scale);
            g.setColor(c);
            g.fillRect(x0, top + row * rowHeight + 1, Math.max(1, x1 - x0), rowHeight - 2);
        }
        // Flows: from the send's point to the receipt's. An id names one flow at a time (a sweep's machines reuse
        // them): a receipt belongs to the last send of its id before it in the file.
        final Map<Long, Event> sends = new HashMap<>();
        g.setStroke(new BasicStroke(1f));
        g.setColor(new Color(0, 0, 0, 110));
        for (final Event e : events)
        {
            if (e.ph.equals("s"))
            {
                sends.put(e.id, e);
                continue;
            }
            final Event s = e.ph.equals("f") ? sends.remove(e.id) : null;
            if (s == null || !rowOf.containsKey(s.tid) || !rowOf.containsKey(e.tid) || e.ts < start || s.ts > end)
            {
                continue;
            }
            final int x0 = left + (int)Math.round((s.ts - start) * scale);
            final int x1 = left + (int)Math.round((e.ts - start) * scale);
            g.drawLine(x0, top + rowOf.get(s.tid) * rowHeight + rowHeight / 2, x1,
                top + rowOf.get(e.tid) * rowHeight + rowHeight / 2);
        }
        // Title, time axis, legend.
        g.setClip(null);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        final int axis = top + rows.size() * rowHeight + 4;
        g.drawLine(left, axis, width - right, axis);
        final double unit = clockMhz > 0 ? 1.0 / clockMhz : 1; // ticks at round numbers of cycles
        final double tick = niceStep(span / unit / 8) * unit;
        for (double t = start; t <= end + tick / 1000; t += tick)
        {
            final int x = left + (int)Math.round((t - start) * scale);
            g.drawLine(x, axis, x, axis + 5);
            final String label = clockMhz > 0 ? String.format("%.0f", (t - start) * clockMhz) :
                String.format("%.3f", t - start);
            g.drawString(label, x - 10, axis + 18);
        }
        g.drawString(clockMhz > 0 ? "simulated cycles from the start of the window (" + clockMhz + " MHz)" :
            "microseconds", left, axis + 34);
        int x = left;
        final int legend = axis + 52;
        for (final Map.Entry<String, Color> c : new TreeMap<>(colours).entrySet())
        {
            g.setColor(c.getValue());
            g.fillRect(x, legend - 10, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(c.getKey(), x + 16, legend);
            x += 30 + g.getFontMetrics().stringWidth(c.getKey());
        }
        g.setColor(new Color(0, 0, 0, 110));
        g.drawLine(x, legend - 4, x + 20, legend - 4);
        g.setColor(Color.BLACK);
        g.drawString("message (send → receipt)", x + 26, legend);
        g.dispose();
        ImageIO.write(image, "png", out.toFile());
    }

    private static double niceStep(final double raw)
    {
        final double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (final double m : new double[] {1, 2, 5, 10})
        {
            if (m * p >= raw)
            {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(188, 189, 34), new Color(23, 190, 207), new Color(255, 187, 120)};

    /** A colour per slice name: grey for dispatcher runs, the others from a palette in the order of their names. */
    private static Color colour(final String name, final int index)
    {
        return switch (name)
        {
            case "dispatch" -> new Color(170, 170, 170);
            case "timer" -> new Color(90, 90, 90);
            default -> PALETTE[index % PALETTE.length];
        };
    }
}
