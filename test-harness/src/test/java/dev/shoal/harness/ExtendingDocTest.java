package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Every Java snippet of docs/extending.md is a tagged region of a source file that the build compiles (and mostly
 * runs): the guide marks each with {@code <!-- snippet: PATH#TAG -->} and this test diffs them, so a change of the
 * API that breaks the guide breaks the build. The guide's {@code shoal protocol} excerpt is checked against
 * docs/protocol.md, which ProtocolCatalogueTest checks against the command.
 */
class ExtendingDocTest
{
    private static final Path ROOT = Path.of("..");
    private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->\\n```java\\n(.*?)```",
        Pattern.DOTALL);

    @Test
    void shouldTakeEveryJavaSnippetFromCompiledSource() throws IOException
    {
        final String guide = read(ROOT.resolve("docs/extending.md"));
        final Matcher m = SNIPPET.matcher(guide);
        int snippets = 0;
        while (m.find())
        {
            assertEquals(region(ROOT.resolve(m.group(1)), m.group(2)), m.group(3), m.group(1) + "#" + m.group(2));
            snippets++;
        }
        assertTrue(snippets >= 6, "snippets found: " + snippets);
        final long javaBlocks = guide.lines().filter(l -> l.equals("```java")).count();
        assertEquals(javaBlocks, snippets, "every ```java block of the guide needs a snippet marker");
    }

    @Test
    void shouldQuoteTheProtocolTableAsDocsProtocolMdHasIt() throws IOException
    {
        final String guide = read(ROOT.resolve("docs/extending.md"));
        final int start = guide.indexOf("### dev.shoal.apps.examples.CoreCensus");
        assertTrue(start >= 0, "the guide lost its protocol excerpt");
        final String excerpt = guide.substring(start, guide.indexOf("```", start));
        assertTrue(read(ROOT.resolve("docs/protocol.md")).contains(excerpt), excerpt);
    }

    @Test
    void shouldGiveTheJvmOptionsTheBuildItselfUses() throws IOException
    {
        final Matcher pom = Pattern.compile("<shoal.jvm.args>(.*?)</shoal.jvm.args>").matcher(read(ROOT.resolve("pom.xml")));
        assertTrue(pom.find(), "the root pom lost shoal.jvm.args");
        final String guide = read(ROOT.resolve("docs/extending.md"));
        assertTrue(guide.contains("<argLine>" + pom.group(1) + "</argLine>"), "docs/extending.md's argLine: " + pom.group(1));
    }

    /** The lines between {@code // tag::TAG[]} and {@code // end::TAG[]}, less their common indentation. */
    static String region(final Path file, final String tag) throws IOException
    {
        final List<String> lines = read(file).lines().toList();
        final int start = lines.indexOf(lines.stream().filter(l -> l.strip().equals("// tag::" + tag + "[]"))
            .findFirst().orElseThrow(() -> new AssertionError(file + " has no tag " + tag)));
        final List<String> body = new ArrayList<>();
        for (int i = start + 1; !lines.get(i).strip().equals("// end::" + tag + "[]"); i++)
        {
            body.add(lines.get(i));
        }
        final int indent = body.stream().filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        final StringBuilder out = new StringBuilder();
        for (final String l : body)
        {
            out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return out.toString();
    }

    private static String read(final Path file) throws IOException
    {
        return Files.readString(file).replace("\r", "");
    }
}
