package dev.shoal.apps;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

import dev.shoal.monitor.MonitorConfig;
import picocli.CommandLine.Option;

/**
 * {@code --classpath JAR[:JAR...]}: a user's jars (or class directories) whose {@code META-INF/services} files add
 * monitor operations and workloads. {@code java -jar} ignores {@code -cp}, so the commands load them themselves,
 * with a {@link URLClassLoader} whose parent is Shoal's own; while a command runs it is the thread's context class
 * loader, which {@link MonitorConfig} discovers operations through. A path that does not exist, a file that is not
 * a jar, or a malformed services entry is bad input, before any work starts.
 */
public final class UserClassPath implements AutoCloseable
{
    @Option(names = "--classpath", paramLabel = "JARS",
        description = "Jars or class directories (separated by '${sys:path.separator}') with your own operations " +
            "and workloads, listed in META-INF/services files.")
    String classpath;

    private URLClassLoader loader;
    private ClassLoader previous;
    /** The class path of the command running in this JVM, for the partition workers it starts; null when none. */
    private static volatile String active;

    /** Opens the class path (if given) and makes it the context class loader; returns the loader to search. */
    ClassLoader open()
    {
        if (classpath == null)
        {
            return loader();
        }
        final List<URL> urls = new ArrayList<>();
        for (final String entry : classpath.split(File.pathSeparator, -1))
        {
            urls.add(url(entry));
        }
        loader = new URLClassLoader("shoal-user", urls.toArray(new URL[0]), ShoalCli.class.getClassLoader());
        previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        active = classpath;
        // Builds the protocol once now, so that a bad services entry or a clashing message id is bad input at once.
        MonitorConfig.protocol(List.of(), loader);
        return loader;
    }

    /**
     * The {@code --classpath} of the command running in this JVM (absolute entries), or null: a partition's workers
     * on this host are started with it, so that they rebuild the user's operations too.
     */
    public static String active()
    {
        final String classpath = active;
        if (classpath == null)
        {
            return null;
        }
        final List<String> absolute = new ArrayList<>();
        for (final String entry : classpath.split(File.pathSeparator, -1))
        {
            absolute.add(java.nio.file.Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, absolute);
    }

    /** The loader that sees Shoal and the user's class path. */
    ClassLoader loader()
    {
        return loader != null ? loader : ShoalCli.class.getClassLoader();
    }

    private static URL url(final String entry)
    {
        if (entry.isBlank())
        {
            throw new BadInputException("--classpath has an empty entry");
        }
        final Path path;
        try
        {
            path = Path.of(entry);
        }
        catch (final InvalidPathException ex)
        {
            throw new BadInputException("--classpath " + entry + ": not a path");
        }
        if (!Files.exists(path))
        {
            throw new BadInputException("--classpath " + entry + ": no such file or directory");
        }
        if (!Files.isDirectory(path))
        {
            try (JarFile jar = new JarFile(path.toFile()))
            {
                jar.size();
            }
            catch (final IOException | SecurityException ex)
            {
                throw new BadInputException("--classpath " + entry + ": not a readable jar (" +
                    ModeOptions.reason(ex) + ")");
            }
        }
        try
        {
            return path.toAbsolutePath().toUri().toURL();
        }
        catch (final MalformedURLException ex)
        {
            throw new BadInputException("--classpath " + entry + ": " + ex.getMessage());
        }
    }

    /** Restores the context class loader and closes the user's jars. */
    @Override
    public void close()
    {
        if (loader != null)
        {
            active = null;
            Thread.currentThread().setContextClassLoader(previous);
            try
            {
                loader.close();
            }
            catch (final IOException ignored)
            {
                // Only open jar files to release; nothing was written.
            }
            loader = null;
        }
    }
}
