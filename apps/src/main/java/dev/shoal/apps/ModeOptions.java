package dev.shoal.apps;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.Core;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.Timeline;
import dev.shoal.kernel.TraceRecorder;
import picocli.CommandLine.Option;

/**
 * {@code --mode live|deterministic --threads K --jitter CYCLES --seed S --trace FILE --pin}, shared by the commands
 * that boot a machine. Deterministic mode is the exact discrete-event engine ({@link DeterministicScheduler}): every
 * core handles its events in simulated-time order on {@code K} host threads, and the run's trace hash is reported;
 * {@code --trace} also writes every event (format: {@link TraceRecorder}). The cycle figures do not depend on the
 * seed, the threads or the host unless {@code --jitter} is set. In live mode (a thread per core, host-paced)
 * {@code --pin} pins each carrier to one host CPU ({@link CoreRunner#pinnedCarriers()}). The default mode is the
 * command's: deterministic for the measuring commands, live for {@code boot} and {@code run kv}.
 */
final class ModeOptions
{
    /**
     * Most --jitter: a second of simulated time at a few GHz, far more than any link latency. The engine draws
     * {@code jitter + 1}, so Long.MAX_VALUE overflowed and hung the run.
     */
    static final long MAX_JITTER = 1_000_000_000L;

    @Option(names = "--mode", description = "live (a thread per core, host-paced) or deterministic (the exact " +
        "engine); default: deterministic for bench and run unmap|pingpong, live for boot.")
    String mode;

    @Option(names = "--threads", description = "Deterministic mode: host threads (default: the host's CPUs). " +
        "Results do not depend on it.")
    Integer threads;

    @Option(names = "--jitter", defaultValue = "0", description = "Deterministic mode: up to this many cycles of " +
        "seeded extra latency per message, to explore interleavings (default 0: figures independent of the seed).")
    long jitter;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the deterministic run (tie-breaking and " +
        "jitter when --jitter is set, and faults).")
    long seed;

    @Option(names = "--trace", description = "Write the deterministic run's events to this file.")
    Path traceFile;

    @Option(names = "--partitions", description = "Deterministic mode: spread the machine over this many JVMs " +
        "on this host (whole packages each, over Aeron IPC; docs/partitions.md). Default 1.")
    Integer partitions;

    @Option(names = "--partition-timeout", defaultValue = "10", description = "Seconds a partition may stay " +
        "silent before the run ends (default 10).")
    long partitionTimeout;

    @Option(names = "--listen", description = "With --partitions: wait for the workers to join at this UDP port " +
        "(shoal worker --join HOST:PORT on other hosts) instead of starting them here.")
    Integer listen;

    private dev.shoal.apps.partition.PartitionSession session;

    @Option(names = "--pin", description = "Live mode: pin each core's carrier to one host CPU (round robin).")
    boolean pin;

    @Option(names = "--timeline", paramLabel = "FILE.json", description = "Write a timeline of the run (Chrome " +
        "Trace Event JSON: open it in ui.perfetto.dev); see docs/observing.md.")
    Path timelineFile;

    @Option(names = "--timeline-cores", paramLabel = "FROM-TO", description = "Timeline: only these cores' " +
        "tracks, e.g. 0-63 or 5 (default: all).")
    String timelineCores;

    @Option(names = "--timeline-from", paramLabel = "CYCLES", description = "Timeline: only events from this " +
        "simulated cycle on (default 0).")
    Long timelineFrom;

    @Option(names = "--timeline-to", paramLabel = "CYCLES", description = "Timeline: only events up to this " +
        "simulated cycle (default: the end).")
    Long timelineTo;

    private Timeline timeline = Timeline.OFF;
    /** Timelines opened by commands of this JVM that have not finished (a run that failed, or bad input found late). */
    private static final java.util.Set<Timeline> UNFINISHED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Ends the timeline files of commands that did not finish, marked incomplete, so that no run leaves a file
     * Perfetto cannot open. Called when a command has returned, whatever it returned.
     */
    static void closeUnfinished()
    {
        for (final Timeline t : UNFINISHED)
        {
            UNFINISHED.remove(t);
            try
            {
                t.closeIncomplete();
            }
            catch (final RuntimeException ignored)
            {
                // The command already failed and said why; a file that cannot be ended adds nothing to that.
            }
        }
    }

    private BufferedWriter writer;
    private TraceRecorder recorder;
    private DeterministicScheduler scheduler;

    private String defaultMode = "live";

    /** The mode used when {@code --mode} is not given. Called by the command before anything else. */
    ModeOptions defaultTo(final String mode)
    {
        this.defaultMode = mode;
        return this;
    }

    /** The mode in force: live or deterministic. */
    String mode()
    {
        return mode == null ? defaultMode : mode;
    }

    boolean deterministic()
    {
        final boolean deterministic = switch (mode())
        {
            case "live" -> false;
            case "deterministic", "exact" -> true;
            default -> throw new BadInputException("--mode must be live or deterministic: " + mode());
        };
        if (!deterministic && (threads != null || jitter != 0))
        {
            throw new BadInputException((threads != null ? "--threads" : "--jitter") + " needs --mode deterministic");
        }
        if (threads != null && threads < 1)
        {
            throw new BadInputException("--threads must be at least 1: " + threads);
        }
        if (jitter < 0 || jitter > MAX_JITTER)
        {
            throw new BadInputException("--jitter must be 0.." + MAX_JITTER + " cycles: " + jitter);
        }
        timelineCores();
        if (listen != null && partitions == null)
        {
            throw new BadInputException("--listen needs --partitions");
        }
        if (partitions != null)
        {
            if (partitions < 1 || partitions > 64)
            {
                throw new BadInputException("--partitions must be 1..64: " + partitions);
            }
            if (partitions > 1 && !deterministic)
            {
                throw new BadInputException("--partitions needs --mode deterministic");
            }
            if (listen != null && (partitions < 2 || listen < 1 || listen > 65535))
            {
                throw new BadInputException("--listen needs --partitions 2 or more and a port 1..65535: " + listen);
            }
            if (partitionTimeout < 1 || partitionTimeout > 3600)
            {
                throw new BadInputException("--partition-timeout must be 1..3600 seconds: " + partitionTimeout);
            }
        }
        return deterministic;
    }

    /** {@code --timeline-cores} as {first, last}, checked with the cycle range. */
    private int[] timelineCores()
    {
        if (timelineFile == null && (timelineCores != null || timelineFrom != null || timelineTo != null))
        {
            throw new BadInputException("--timeline-cores, --timeline-from and --timeline-to need --timeline FILE");
        }
        if (timelineFrom != null && timelineFrom < 0)
        {
            throw new BadInputException("--timeline-from must be a cycle, 0 or more: " + timelineFrom);
        }
        if (timelineTo != null && timelineTo < (timelineFrom == null ? 0 : timelineFrom))
        {
            throw new BadInputException("--timeline-to must not be before --timeline-from: " + timelineTo);
        }
        if (timelineCores == null)
        {
            return new int[] {0, Integer.MAX_VALUE};
        }
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})(?:-([0-9]{1,9}))?")
            .matcher(timelineCores);
        if (!m.matches())
        {
            throw new BadInputException("--timeline-cores must be a core or a range FROM-TO of cores (e.g. 0-63): " +
                timelineCores);
        }
        final int first = Integer.parseInt(m.group(1));
        final int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        if (last < first)
        {
            throw new BadInputException("--timeline-cores: the range " + timelineCores + " is empty");
        }
        return new int[] {first, last};
    }

    /**
     * Opens the {@code --timeline} file, once: a path that cannot be written is bad input before any work starts.
     * Called by {@link #runners}; a command that makes its machines later (bench) calls it first.
     */
    void openTimeline()
    {
        if (timelineFile == null || timeline.enabled())
        {
            return;
        }
        final int[] cores = timelineCores();
        try
        {
            final BufferedWriter out = Files.newBufferedWriter(timelineFile, StandardCharsets.UTF_8);
            timeline = new Timeline(out, cores[0], cores[1], timelineFrom == null ? 0 : timelineFrom,
                timelineTo == null ? Long.MAX_VALUE : timelineTo);
            UNFINISHED.add(timeline);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new BadInputException("cannot write timeline file " + timelineFile + ": " + reason(ex));
        }
    }

    /** The run's timeline ({@link Timeline#OFF} without {@code --timeline}). */
    Timeline timeline()
    {
        return timeline;
    }

    /** Which engine produced the figures, for JSON and summaries: "exact" or "live". */
    String engine()
    {
        return deterministic() ? "exact" : "live";
    }

    /** Host threads of the exact engine (requested; the engine uses at most one per package). */
    int threads()
    {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** The runner factory for a new machine; {@code args} are recorded in the trace file's header. */
    RunnerFactory runners(final List<String> args)
    {
        if (!deterministic())
        {
            if (traceFile != null)
            {
                throw new BadInputException("--trace needs --mode deterministic");
            }
            openTimeline();
            final RunnerFactory carriers = pin ? CoreRunner.pinnedCarriers() : CoreRunner::newCarrier;
            if (!timeline.enabled())
            {
                return carriers;
            }
            final Timeline live = timeline;
            return new RunnerFactory()
            {
                @Override
                public Thread carrierFor(final Core core)
                {
                    return carriers.carrierFor(core);
                }

                @Override
                public Timeline timeline()
                {
                    return live;
                }
            };
        }
        if (pin)
        {
            throw new BadInputException("--pin is for live mode: deterministic mode runs the cores on its own threads");
        }
        if (traceFile != null && writer == null)
        {
            try
            {
                writer = Files.newBufferedWriter(traceFile, StandardCharsets.UTF_8);
                writer.write(TraceRecorder.HEADER + "\n# args: " + headerArgs(args) + "\n# seed: " + seed + "\n");
                // Flushed now so that a file that cannot be written (/dev/full) is bad input before the run starts.
                writer.flush();
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new BadInputException("cannot write trace file " + traceFile + ": " + reason(ex));
            }
        }
        openTimeline();
        if (recorder == null)
        {
            recorder = new TraceRecorder(writer);
        }
        scheduler = new DeterministicScheduler(seed, recorder).threads(threads()).jitter(jitter).timeline(timeline);
        if (partitions != null && partitions > 1)
        {
            if (session == null)
            {
                session = dev.shoal.apps.partition.PartitionSession.start(partitions, partitionTimeout * 1000,
                    new java.io.PrintWriter(System.err, true), listen);
            }
            scheduler.threads(1).partitionedBy(session.link());
        }
        return scheduler;
    }

    /** Why an I/O operation failed, in words: some exceptions' message is only the path. */
    static String reason(final Exception ex)
    {
        final String message = ex.getMessage();
        return ex instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() :
            ex instanceof NoSuchFileException ? "no such file or directory" :
            ex instanceof AccessDeniedException ? "permission denied" :
            ex instanceof FileAlreadyExistsException ? "already exists" :
            message != null ? message : ex.getClass().getSimpleName();
    }

    /**
     * The {@code # args:} value: the arguments separated by one space, each as it is when it holds only characters
     * that need no quoting (so old, unquoted traces read the same), else in double quotes with backslash, quote and
     * control characters escaped by a backslash ({@code \n}, {@code \t}, {@code \\uXXXX}). A path with a space
     * or a newline then survives the round trip through {@link ReplayCommand}.
     */
    static String headerArgs(final List<String> args)
    {
        final StringBuilder line = new StringBuilder();
        for (final String arg : args)
        {
            if (!line.isEmpty())
            {
                line.append(' ');
            }
            if (!arg.isEmpty() && arg.chars().allMatch(ModeOptions::isPlain))
            {
                line.append(arg);
                continue;
            }
            line.append('"');
            for (final char c : arg.toCharArray())
            {
                switch (c)
                {
                    case '"', '\\' -> line.append('\\').append(c);
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    case '\t' -> line.append("\\t");
                    default -> line.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            line.append('"');
        }
        return line.toString();
    }

    private static boolean isPlain(final int c)
    {
        return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '\'';
    }

    /** The trace hash, or null in live mode. */
    String traceHash()
    {
        if (session != null && scheduler != null)
        {
            // The other partitions' hashes arrive when the machine is next quiescent.
            scheduler.quiesce(30_000);
        }
        return recorder == null ? null : recorder.hash();
    }

    long traceEvents()
    {
        return recorder == null ? 0 : recorder.events();
    }

    /** Ends the trace file with the hash. Call after the machine stopped. */
    void finish()
    {
        try
        {
            UNFINISHED.remove(timeline);
            timeline.close();
        }
        catch (final UncheckedIOException ex)
        {
            throw new UncheckedIOException("cannot finish timeline file " + timelineFile + ": " +
                reason(ex.getCause()), ex.getCause());
        }
        if (writer != null)
        {
            try
            {
                writer.write("# events: " + recorder.events() + "\n# hash: " + recorder.hash() + "\n");
                writer.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot finish trace file " + traceFile + ": " + reason(ex), ex);
            }
        }
    }
}
