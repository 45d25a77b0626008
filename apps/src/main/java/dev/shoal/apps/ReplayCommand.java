package dev.shoal.apps;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.shoal.kernel.TraceRecorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code shoal replay TRACE}: re-runs the command recorded in a trace file's header (a deterministic run) and
 * checks that the new run produces exactly the same events, event count, seed and hash. Exit 0 when it does, 1 at
 * the first divergence (named by event number or header line and both values), 2 for a file that is not a Shoal
 * trace or whose recorded command replay refuses.
 *
 * <p>A trace is untrusted input: it is read as a stream of bounded lines ({@link #MAX_LINE_BYTES}, at most
 * {@link #MAX_TRACE_BYTES} in all), and its {@code # args:} may name only the workloads that write traces ({@code
 * boot}, {@code run pingpong}, {@code run unmap}, {@code bench}) with their known options, within bounds that keep
 * a replay finite. Everything the replayed command writes goes to a temporary directory, deleted afterwards.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Re-run a recorded deterministic run and check it reproduces the trace event for event.")
final class ReplayCommand implements Callable<Integer>
{
    /** Longest line read from a trace, in bytes; an event line is about 40, an args line a few hundred. */
    static final int MAX_LINE_BYTES = 16 * 1024;
    /** Largest trace read, in bytes (a sweep of the bundled workloads stays well below). */
    static final long MAX_TRACE_BYTES = 512L << 20;

    private static final int MAX_CORES = 4096;
    private static final int MAX_CORE_COUNTS = 32;
    private static final long MAX_ROUND_TRIPS = 100_000;
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,19}");
    private static final Pattern NUMA = Pattern.compile("numa:(\\d{1,9})x(\\d{1,9})");

    /** Options every recorded workload takes (ModeOptions'), true when the option takes a value. */
    private static final Map<String, Boolean> MODE_OPTIONS = Map.of("--mode", true, "--threads", true,
        "--jitter", true, "--seed", true, "--trace", true, "--pin", false, "--timeline", true, "--timeline-cores", true,
        "--timeline-from", true, "--timeline-to", true);
    private static final Map<String, Map<String, Boolean>> WORKLOADS = Map.of(
        "boot", Map.of("--cores", true, "--machine", true, "--slots", true, "--json", false, "--linger", true),
        "run pingpong", Map.of("--machine", true, "--from", true, "--to", true, "--batches", true, "--batch", true,
            "--json", false, "--cores", true),
        "run unmap", Map.of("--machine", true, "--cores", true, "--strategy", true, "--json", false),
        "bench", Map.of("--machine", true, "--cores", true, "--workload", true, "--strategy", true, "--repeat", true,
            "--quiet", false, "--out", true));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "TRACE", description = "A trace written with --mode deterministic --trace FILE.")
    String trace;

    /** What a trace file's header says, and how many event lines follow it. */
    private record Header(List<String> args, String seed, String events, String hash)
    {
    }

    @Override
    public Integer call() throws IOException
    {
        final Path file = traceFile(trace);
        final Header header = readHeader(file);
        final Path scratch = Files.createTempDirectory("shoal-replay");
        try
        {
            final Path fresh = scratch.resolve("replay.trace");
            final List<String> args = replayArgs(file, header.args(), scratch);
            args.add("--trace");
            args.add(fresh.toString());
            final StringWriter errors = new StringWriter();
            final int exit = ShoalCli.execute(args.toArray(new String[0]), new PrintWriter(new StringWriter(), true),
                new PrintWriter(errors, true));
            if (exit == ShoalCli.EXIT_BAD_INPUT)
            {
                throw new BadInputException(file + ": the recorded command is refused: " +
                    ShoalCli.firstLine(errors.toString()).replaceFirst("^shoal: ", ""));
            }
            final PrintWriter out = spec.commandLine().getOut();
            if (exit != 0)
            {
                out.println("replay failed: the recorded command exited " + exit + ": " +
                    ShoalCli.firstLine(errors.toString()));
                return ShoalCli.EXIT_FAILURE;
            }
            final String divergence = compare(file, header, fresh);
            if (divergence != null)
            {
                out.println("replay diverged " + divergence);
                return ShoalCli.EXIT_FAILURE;
            }
            out.printf("replay ok: %s events reproduced (hash: %s)%n", header.events(), header.hash());
            return 0;
        }
        finally
        {
            deleteTree(scratch);
        }
    }

    private static Path traceFile(final String name)
    {
        if (name.isEmpty())
        {
            throw new BadInputException("trace file name is empty");
        }
        final Path file;
        try
        {
            file = Path.of(name);
        }
        catch (final RuntimeException ex)
        {
            throw new BadInputException("not a valid trace file name: " + name.replaceAll("\\p{Cntrl}", "?"));
        }
        if (Files.isDirectory(file))
        {
            throw new BadInputException(file + ": is a directory, not a trace file");
        }
        if (!Files.isReadable(file))
        {
            throw new BadInputException("cannot read trace file " + file);
        }
        return file;
    }

    /** Reads the whole file once, checking it is a trace, and keeps its header (events are compared later). */
    private static Header readHeader(final Path file)
    {
        final Map<String, String> values = new HashMap<>();
        try (BoundedLines lines = new BoundedLines(file))
        {
            final String first = lines.next();
            if ("# shoal trace v1".equals(first))
            {
                throw new BadInputException(file + ":1: a v1 trace (message types as numbers): record it again " +
                    "with this version, which writes v2 (message types by name)");
            }
            if (!TraceRecorder.HEADER.equals(first))
            {
                throw new BadInputException(file + ":1: not a Shoal trace (expected '" + TraceRecorder.HEADER + "')");
            }
            for (String line = lines.next(); line != null; line = lines.next())
            {
                for (final String key : List.of("args", "seed", "events", "hash"))
                {
                    if (line.startsWith("# " + key + ": ") &&
                        values.put(key, line.substring(key.length() + 4)) != null)
                    {
                        throw new BadInputException(file + ":" + lines.number() + ": a second '# " + key + ":' line");
                    }
                }
            }
        }
        for (final String key : List.of("args", "seed", "events", "hash"))
        {
            if (!values.containsKey(key))
            {
                throw new BadInputException(file + ": no '# " + key + ":' line" +
                    (key.equals("events") || key.equals("hash") ? " (an unfinished trace?)" : ""));
            }
        }
        return new Header(parseArgs(file, values.get("args")), values.get("seed"), values.get("events"),
            values.get("hash"));
    }

    /**
     * Splits an {@code # args:} value written by {@link ModeOptions#headerArgs}: plain words separated by spaces
     * (all that traces written before quoting hold), or double-quoted words with backslash escapes.
     */
    static List<String> parseArgs(final Path file, final String line)
    {
        final List<String> args = new ArrayList<>();
        int i = 0;
        while (i < line.length())
        {
            if (line.charAt(i) == ' ')
            {
                i++;
                continue;
            }
            final StringBuilder arg = new StringBuilder();
            if (line.charAt(i) != '"')
            {
                while (i < line.length() && line.charAt(i) != ' ')
                {
                    if (line.charAt(i) == '"' || line.charAt(i) == '\\')
                    {
                        throw garbledArgs(file, "a stray " + line.charAt(i) + " at column " + (i + 1));
                    }
                    arg.append(line.charAt(i++));
                }
                args.add(arg.toString());
                continue;
            }
            i++;
            while (true)
            {
                if (i >= line.length())
                {
                    throw garbledArgs(file, "a quote is not closed");
                }
                final char c = line.charAt(i++);
                if (c == '"')
                {
                    break;
                }
                if (c != '\\')
                {
                    arg.append(c);
                    continue;
                }
                if (i >= line.length())
                {
                    throw garbledArgs(file, "a backslash ends the line");
                }
                final char escaped = line.charAt(i++);
                switch (escaped)
                {
                    case '"', '\\' -> arg.append(escaped);
                    case 'n' -> arg.append('\n');
                    case 'r' -> arg.append('\r');
                    case 't' -> arg.append('\t');
                    case 'u' ->
                    {
                        if (i + 4 > line.length() || !line.substring(i, i + 4).matches("[0-9a-fA-F]{4}"))
                        {
                            throw garbledArgs(file, "a bad \\u escape at column " + i);
                        }
                        arg.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw garbledArgs(file, "an unknown escape \\" + escaped + " at column " + i);
                }
            }
            if (i < line.length() && line.charAt(i) != ' ')
            {
                throw garbledArgs(file, "no space after a quoted argument at column " + (i + 1));
            }
            args.add(arg.toString());
        }
        if (args.isEmpty())
        {
            throw garbledArgs(file, "no command");
        }
        return args;
    }

    private static BadInputException garbledArgs(final Path file, final String problem)
    {
        return new BadInputException(file + ": garbled '# args:' line: " + problem);
    }

    /**
     * The recorded command, checked against the workloads that write traces and their options, with the recorded
     * {@code --trace} and {@code --out} dropped and {@code bench}'s output put in {@code scratch} instead.
     */
    private static List<String> replayArgs(final Path file, final List<String> recorded, final Path scratch)
    {
        final boolean run = recorded.getFirst().equals("run") && recorded.size() > 1;
        final String workload = run ? "run " + recorded.get(1) : recorded.getFirst();
        final Map<String, Boolean> known = WORKLOADS.get(workload);
        if (known == null)
        {
            throw new BadInputException(file + ": replay runs only boot, run pingpong, run unmap or bench, not '" +
                printable(workload) + "'");
        }
        final List<String> args = new ArrayList<>(recorded.subList(0, run ? 2 : 1));
        final Map<String, String> values = new HashMap<>();
        for (int i = args.size(); i < recorded.size(); i++)
        {
            final String arg = recorded.get(i);
            final int eq = arg.indexOf('=');
            final String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            final Boolean takesValue = known.containsKey(name) ? known.get(name) : MODE_OPTIONS.get(name);
            if (takesValue == null)
            {
                throw new BadInputException(file + ": replay does not run '" + workload + "' with '" +
                    printable(arg) + "'");
            }
            final String value;
            if (!takesValue)
            {
                if (eq > 0)
                {
                    throw new BadInputException(file + ": " + name + " takes no value");
                }
                value = "";
            }
            else if (eq > 0)
            {
                value = arg.substring(eq + 1);
            }
            else if (i + 1 < recorded.size())
            {
                value = recorded.get(++i);
            }
            else
            {
                throw new BadInputException(file + ": " + name + " has no value");
            }
            if (values.put(name, value) != null)
            {
                throw new BadInputException(file + ": " + name + " is given twice");
            }
            if (name.equals("--trace") || name.equals("--out"))
            {
                continue; // replaced: the new trace and bench's report go to the scratch directory
            }
            if (name.startsWith("--timeline"))
            {
                continue; // a timeline only observes the run: replay does not write it again
            }
            args.add(name);
            if (takesValue)
            {
                args.add(value);
            }
        }
        checkBounds(file, values);
        if (workload.equals("bench"))
        {
            args.add("--out");
            args.add(scratch.resolve("bench").toString());
            if (!values.containsKey("--quiet"))
            {
                args.add("--quiet");
            }
        }
        return args;
    }

    /** Refuses what would write outside the scratch directory, wait, or run without a bound. */
    private static void checkBounds(final Path file, final Map<String, String> values)
    {
        if (values.containsKey("--linger") && !values.get("--linger").equals("0"))
        {
            throw new BadInputException(file + ": replay refuses --linger (it would only wait)");
        }
        final String cores = values.get("--cores");
        if (cores != null)
        {
            final String[] counts = cores.split(",", -1);
            if (counts.length > MAX_CORE_COUNTS)
            {
                throw new BadInputException(file + ": replay runs at most " + MAX_CORE_COUNTS + " core counts");
            }
            for (final String count : counts)
            {
                atMost(file, "--cores", count, MAX_CORES);
            }
        }
        atMost(file, "--slots", values.get("--slots"), 1024);
        atMost(file, "--threads", values.get("--threads"), 1024);
        atMost(file, "--repeat", values.get("--repeat"), 10);
        atMost(file, "--jitter", values.get("--jitter"), 1_000_000_000L);
        atMost(file, "--seed", values.get("--seed"), Long.MAX_VALUE);
        final long batches = atMost(file, "--batches", values.getOrDefault("--batches", "50"), MAX_ROUND_TRIPS);
        final long batch = atMost(file, "--batch", values.getOrDefault("--batch", "2000"), MAX_ROUND_TRIPS);
        if (batches * batch > MAX_ROUND_TRIPS)
        {
            throw new BadInputException(file + ": replay runs at most " + MAX_ROUND_TRIPS + " round trips (--batches " +
                "times --batch)");
        }
        final String machine = values.get("--machine");
        if (machine != null && machine.startsWith("numa:"))
        {
            final var numa = NUMA.matcher(machine);
            if (numa.matches() && Long.parseLong(numa.group(1)) * Long.parseLong(numa.group(2)) > MAX_CORES)
            {
                throw new BadInputException(file + ": replay runs machines of at most " + MAX_CORES + " cores: " +
                    machine);
            }
        }
    }

    /** The value as a number (null: absent, then 0), refused when it is not plain decimal or above {@code max}. */
    private static long atMost(final Path file, final String name, final String value, final long max)
    {
        if (value == null)
        {
            return 0;
        }
        if (!DECIMAL.matcher(value).matches())
        {
            throw new BadInputException(file + ": " + name + " must be a decimal number: " + printable(value));
        }
        final long n;
        try
        {
            n = Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new BadInputException(file + ": " + name + " is out of range: " + value);
        }
        if (n > max)
        {
            throw new BadInputException(file + ": replay refuses " + name + " above " + max + ": " + value);
        }
        return n;
    }

    /**
     * Compares the recorded and the replayed trace: events one by one, then the header lines the new run wrote.
     * Returns null when they agree, else where they differ.
     */
    private static String compare(final Path recordedFile, final Header recorded, final Path freshFile)
    {
        final Map<String, String> fresh = new HashMap<>();
        try (BoundedLines expected = new BoundedLines(recordedFile); BoundedLines actual = new BoundedLines(freshFile))
        {
            long event = 0;
            while (true)
            {
                final String e = nextEvent(expected, null);
                final String a = nextEvent(actual, fresh);
                if (e == null && a == null)
                {
                    break;
                }
                event++;
                if (e == null || !e.equals(a))
                {
                    return String.format("at event %d: recorded '%s', replayed '%s'", event,
                        e == null ? "(end of trace)" : printable(e), a == null ? "(end of trace)" : a);
                }
            }
        }
        for (final String key : List.of("seed", "events", "hash"))
        {
            final String was = switch (key)
            {
                case "seed" -> recorded.seed();
                case "events" -> recorded.events();
                default -> recorded.hash();
            };
            if (!was.equals(fresh.get(key)))
            {
                return String.format("at '# %s:': recorded '%s', replayed '%s'", key, printable(was), fresh.get(key));
            }
        }
        return null;
    }

    /** The next event line, or null at the end; puts the {@code # key: value} lines passed into {@code header}. */
    private static String nextEvent(final BoundedLines lines, final Map<String, String> header)
    {
        for (String line = lines.next(); line != null; line = lines.next())
        {
            if (line.startsWith("#"))
            {
                final int colon = line.indexOf(": ");
                if (header != null && colon > 2)
                {
                    header.putIfAbsent(line.substring(2, colon), line.substring(colon + 2));
                }
            }
            else if (!line.isBlank())
            {
                return line;
            }
        }
        return null;
    }

    /** Text from a trace, safe to print on one line and not too long to read. */
    private static String printable(final String text)
    {
        final String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }

    private static void deleteTree(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            // Best effort: a scratch directory left in the temporary directory does no harm.
        }
    }

    /**
     * The lines of a file read as UTF-8 text, each at most {@link #MAX_LINE_BYTES} long and {@link #MAX_TRACE_BYTES}
     * in all; anything else (malformed UTF-8, binary control characters, an endless line) is bad input naming the
     * file and line. Holds one line at a time.
     */
    private static final class BoundedLines implements Closeable
    {
        private final Path file;
        private final InputStream in;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private long bytes;
        private long number;

        BoundedLines(final Path file)
        {
            this.file = file;
            try
            {
                this.in = new BufferedInputStream(Files.newInputStream(file));
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new BadInputException("cannot read trace file " + file + ": " + ex.getMessage());
            }
        }

        long number()
        {
            return number;
        }

        /** The next line without its end, or null at the end of the file. */
        String next()
        {
            line.reset();
            try
            {
                int b = in.read();
                if (b < 0)
                {
                    return null;
                }
                number++;
                for (; b >= 0 && b != '\n'; b = in.read())
                {
                    if (++bytes > MAX_TRACE_BYTES)
                    {
                        throw new BadInputException(file + ": larger than " + MAX_TRACE_BYTES +
                            " bytes, more than replay reads");
                    }
                    if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7f)
                    {
                        throw new BadInputException(file + ":" + number + ": binary data (byte " +
                            String.format("0x%02x", b) + "), not a Shoal trace");
                    }
                    if (line.size() == MAX_LINE_BYTES)
                    {
                        throw new BadInputException(file + ":" + number + ": a line longer than " + MAX_LINE_BYTES +
                            " bytes, not a Shoal trace");
                    }
                    line.write(b);
                }
                bytes++;
            }
            catch (final IOException ex)
            {
                throw new BadInputException("cannot read trace file " + file + ":" + number + ": " + ex.getMessage());
            }
            final String text;
            try
            {
                text = utf8.decode(ByteBuffer.wrap(line.toByteArray())).toString();
            }
            catch (final CharacterCodingException ex)
            {
                throw new BadInputException(file + ":" + number + ": not UTF-8 text, not a Shoal trace");
            }
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        @Override
        public void close()
        {
            try
            {
                in.close();
            }
            catch (final IOException ex)
            {
                // Read-only: nothing is lost.
            }
        }
    }
}
