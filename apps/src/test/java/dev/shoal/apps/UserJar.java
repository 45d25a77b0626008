package dev.shoal.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import dev.shoal.apps.bench.Workload;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.skb.Skb;

/**
 * Builds a user's jar the way a user's own project would: Java sources compiled against Shoal's modules at test
 * time, with their {@code META-INF/services} files, into a jar outside the test class path — so the CLI can only
 * find its classes through {@code --classpath}.
 */
final class UserJar
{
    private UserJar()
    {
    }

    /** Compiles {@code sources} (class name → source) and packs them with {@code resources} (path → text). */
    static Path build(final Path dir, final Map<String, String> sources, final Map<String, String> resources)
        throws IOException
    {
        final Path src = Files.createDirectories(dir.resolve("src"));
        final Path classes = Files.createDirectories(dir.resolve("classes"));
        final List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath", shoalClassPath(),
            "--release", "25", "-proc:none"));
        for (final Map.Entry<String, String> e : sources.entrySet())
        {
            final Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final java.io.ByteArrayOutputStream diagnostics = new java.io.ByteArrayOutputStream();
        final int status = sources.isEmpty() ? 0 : javac.run(null, diagnostics, diagnostics, args.toArray(new String[0]));
        if (status != 0)
        {
            throw new AssertionError("the user's sources do not compile: " + diagnostics.toString(StandardCharsets.UTF_8));
        }
        final Path jar = dir.resolve("user.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes))
        {
            for (final Path f : files.filter(Files::isRegularFile).toList())
            {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
            for (final Map.Entry<String, String> r : resources.entrySet())
            {
                out.putNextEntry(new JarEntry(r.getKey()));
                out.write(r.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Where Shoal's own classes come from (module jars or target/classes), as a user's build would see them. */
    private static String shoalClassPath()
    {
        final List<String> entries = new ArrayList<>();
        for (final Class<?> c : List.of(Workload.class, MonitorOperation.class, Skb.class, RunnerFactory.class))
        {
            try
            {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            }
            catch (final java.net.URISyntaxException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
