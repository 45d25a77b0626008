package dev.shoal.apps;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.TraceRecorder;
import picocli.CommandLine.Option;

/**
 * {@code --mode live|deterministic --seed S --trace FILE --pin}, shared by the commands that boot a machine. In
 * deterministic mode every core is stepped by one thread in an order drawn from the seed, and the run's trace
 * hash is reported; {@code --trace} also writes every event (format: {@link TraceRecorder}). In live mode
 * {@code --pin} pins each carrier to one host CPU ({@link CoreRunner#pinnedCarriers()}).
 */
final class ModeOptions
{
    @Option(names = "--mode", defaultValue = "live", description = "live (a thread per core) or deterministic.")
    String mode;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the deterministic schedule.")
    long seed;

    @Option(names = "--trace", description = "Write the deterministic run's events to this file.")
    Path traceFile;

    @Option(names = "--pin", description = "Live mode: pin each core's carrier to one host CPU (round robin).")
    boolean pin;

    private BufferedWriter writer;
    private TraceRecorder recorder;
    private DeterministicScheduler scheduler;

    boolean deterministic()
    {
        return switch (mode)
        {
            case "live" -> false;
            case "deterministic" -> true;
            default -> throw new BadInputException("--mode must be live or deterministic: " + mode);
        };
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
            return pin ? CoreRunner.pinnedCarriers() : CoreRunner::newCarrier;
        }
        if (pin)
        {
            throw new BadInputException("--pin is for live mode: deterministic mode runs every core on one host thread");
        }
        if (traceFile != null && writer == null)
        {
            try
            {
                writer = Files.newBufferedWriter(traceFile, StandardCharsets.UTF_8);
                writer.write("# shoal trace v1\n# args: " + String.join(" ", args) + "\n# seed: " + seed + "\n");
            }
            catch (final IOException ex)
            {
                throw new BadInputException("cannot write trace file " + traceFile + ": " + ex.getMessage());
            }
        }
        if (recorder == null)
        {
            recorder = new TraceRecorder(writer);
        }
        scheduler = new DeterministicScheduler(seed, recorder);
        return scheduler;
    }

    /** The trace hash, or null in live mode. */
    String traceHash()
    {
        return recorder == null ? null : recorder.hash();
    }

    long traceEvents()
    {
        return recorder == null ? 0 : recorder.events();
    }

    /** Ends the trace file with the hash. Call after the machine stopped. */
    void finish()
    {
        if (writer != null)
        {
            try
            {
                writer.write("# events: " + recorder.events() + "\n# hash: " + recorder.hash() + "\n");
                writer.close();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot finish trace file " + traceFile + ": " + ex.getMessage());
            }
        }
    }
}
