package dev.shoal.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.shoal.skb.Skb;
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

    @Option(names = "--doc", description = "Where to write the Markdown report, its plots in img/ beside it " +
        "(default docs/validation.md, or nowhere with --machines); '-' for nowhere.")
    String doc;

    @Option(names = "--machines", paramLabel = "DIR", description = "Read each of the four machines from DIR/NAME.pl " +
        "where that file exists (e.g. DIR/amd-8x4.pl), the built-in description elsewhere: a sensitivity run " +
        "(bench/sensitivity). Writes no report unless --doc says where.")
    Path machines;

    @Override
    public Integer call() throws Exception
    {
        if (machines != null && !Files.isDirectory(machines))
        {
            throw new BadInputException("--machines must be a directory of machine descriptions: " + machines);
        }
        final List<Validation.Row> rows = Validation.run(name ->
        {
            final Path variant = machines == null ? null : machines.resolve(name + ".pl");
            return variant != null && Files.isRegularFile(variant) ? Skb.open(variant.toString()) : Skb.open(name);
        });
        String report = Validation.markdown(rows);
        final String doc = this.doc != null ? this.doc : machines == null ? "docs/validation.md" : "-";
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
