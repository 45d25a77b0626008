package dev.shoal.apps.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

/**
 * An Aeron media driver inside this JVM, in a fresh directory under the system's temporary directory that is
 * deleted when it closes, and a client connected to it. Over IPC the driver only sets streams up, so it sleeps
 * when idle; over UDP it moves every message, so it backs off from spinning to short parks instead.
 */
final class EmbeddedDriver implements AutoCloseable
{
    private final Path directory;
    private final MediaDriver driver;
    private final Aeron aeron;

    EmbeddedDriver(final boolean udp)
    {
        try
        {
            directory = Files.createTempDirectory("shoal-partitions-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the Aeron directory: " + ex.getMessage(), ex);
        }
        final IdleStrategy idle = udp ? new BackoffIdleStrategy(10, 20, 1_000, 100_000) :
            new SleepingMillisIdleStrategy(1);
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(idle)
            .ipcTermBufferLength(PartitionSession.TERM_LENGTH)
            .publicationTermBufferLength(PartitionSession.TERM_LENGTH)
            .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    Aeron aeron()
    {
        return aeron;
    }

    String aeronDirectory()
    {
        return driver.aeronDirectoryName();
    }

    /** Deletes the directory (also when the driver could not). */
    void deleteDirectory()
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // Best effort: the temporary directory's own clean-up takes what is left.
        }
    }

    @Override
    public void close()
    {
        aeron.close();
        driver.close();
        deleteDirectory();
    }
}
