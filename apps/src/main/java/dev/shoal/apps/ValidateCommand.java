package dev.shoal.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal validate}: runs the Multikernel paper's experiments on the four built-in machines (exact engine, one
 * host thread, no jitter: every figure is a property of the model) and sets each prediction beside the published
 * figure, with its signed error; writes docs/validation.md and its plots ({@link ValidationPlots}, in
 * docs/img/). See {@link Validation} for the figures and the aims.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Shoal's predictions against the Multikernel paper's published figures.")
final class ValidateCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of the tables.")
    boolean json;

    @Option(names = "--doc", defaultValue = "docs/validation.md",
        description = "Where to write the Markdown report, its plots in img/ beside it (default ${DEFAULT-VALUE}); " +
            "'-' for nowhere.")
    String doc;

    @Override
    public Integer call() throws Exception
    {
        final List<Validation.Row> rows = Validation.run();
        String report = Validation.markdown(rows);
        if (!"-".equals(doc))
        {
            try
            {
                final Path docDir = Path.of(doc).toAbsolutePath().getParent();
                report += "\n\n" + ValidationPlots.write(rows, docDir.resolve("img"), docDir);
                Files.writeString(Path.of(doc), report + "\n", StandardCharsets.UTF_8);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new BadInputException("cannot write " + doc + ": " + ModeOptions.reason(ex));
            }
        }
        spec.commandLine().getOut().println(json ? Validation.json(rows) : report);
        return 0;
    }
}
