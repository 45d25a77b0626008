package dev.shoal.apps.partition;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/**
 * The coordinator's side of a partitioned run on one host (docs/partitions.md): an embedded Aeron media driver in
 * a directory of its own under the system's temporary directory, {@code P - 1} worker JVMs started with the same
 * java and class path, their hello (same Shoal version) awaited, and at the end all of them stopped by pid and the
 * directory deleted. One per process; the host thread.
 */
public final class PartitionSession implements AutoCloseable
{
    /** Told by a worker in its hello; a worker of another version is refused. */
    public static final String VERSION = "0.1.0";
    /** When set ({@code -Dshoal.partition.stats}), each partition prints what it sent over Aeron when it ends. */
    static final String STATS_PROPERTY = "shoal.partition.stats";
    /** Lets a test pose as a worker of another version. */
    static final String VERSION_PROPERTY = "shoal.partition.version";
    private static final long STOP_MILLIS = 10_000;
    /** How long a coordinator listening over UDP waits for its workers to join. */
    private static final long JOIN_MILLIS = 60_000;
    /** Aeron term length: bounds the shared-memory files (three terms per stream). */
    public static final int TERM_LENGTH = 4 << 20;
    /** The IPC channel of every partition on one host. */
    public static final String IPC_CHANNEL = "aeron:ipc?term-length=" + TERM_LENGTH;
    private static volatile PartitionSession current;
    /** The line that ended the last session's run (a partition died or went silent), or null. */
    private static volatile String failure;

    private final EmbeddedDriver driver;
    private final AeronPartitionLink link;
    private final List<Process> workers = new ArrayList<>();
    private final PrintWriter err;
    private final Thread reaper;
    /** The host thread that started the session (the command's): interrupted when a partition fails. */
    private final Thread host = Thread.currentThread();
    /** Set once the run is ending (closed, refused, failed): a worker exiting then is no news. */
    private volatile boolean closing;
    private boolean closed;

    private PartitionSession(final int partitions, final long timeoutMillis, final PrintWriter err,
        final Integer listenPort)
    {
        this.err = err;
        failure = null;
        driver = new EmbeddedDriver(listenPort != null);
        reaper = new Thread(this::destroyWorkers, "shoal-partition-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        if (listenPort == null)
        {
            link = new AeronPartitionLink(driver.aeron(), 0, partitions, p -> IPC_CHANNEL, timeoutMillis, this::fail);
            for (int p = 1; p < partitions; p++)
            {
                startWorker(p, partitions, timeoutMillis);
            }
        }
        else
        {
            // Workers on other hosts join at this endpoint (shoal worker --join HOST:PORT); none is started here.
            final String self = "0.0.0.0:" + listenPort;
            final java.util.List<String> endpoints;
            try
            {
                endpoints = UdpRendezvous.gather(driver.aeron(), self, partitions, JOIN_MILLIS);
            }
            catch (final RuntimeException ex)
            {
                driver.close();
                Runtime.getRuntime().removeShutdownHook(reaper);
                throw ex;
            }
            link = new AeronPartitionLink(driver.aeron(), 0, partitions,
                p -> UdpRendezvous.channel(p == 0 ? self : endpoints.get(p)), timeoutMillis, this::fail);
        }
    }

    /**
     * Starts a session of {@code partitions} partitions, this JVM being partition 0.
     *
     * @param timeoutMillis how long a partition may stay silent before the run ends.
     */
    public static PartitionSession start(final int partitions, final long timeoutMillis, final PrintWriter err)
    {
        return start(partitions, timeoutMillis, err, null);
    }

    /**
     * Starts a session whose workers join over UDP at {@code listenPort} ({@code null}: started here, over IPC).
     *
     * @throws IllegalArgumentException (one line) when the port is in use or the workers do not all join in time.
     */
    public static PartitionSession start(final int partitions, final long timeoutMillis, final PrintWriter err,
        final Integer listenPort)
    {
        if (listenPort != null && UdpRendezvous.freePort(null, listenPort) < 0)
        {
            throw new IllegalArgumentException("--listen " + listenPort + ": the UDP port is in use");
        }
        final PartitionSession session = new PartitionSession(partitions, timeoutMillis, err, listenPort);
        try
        {
            for (int p = 1; p < partitions; p++)
            {
                session.awaitHello(p);
            }
        }
        catch (final RuntimeException ex)
        {
            session.close();
            throw ex;
        }
        current = session;
        return session;
    }

    /** Closes the session this process started, if any: the CLI calls it whatever way a command ended. */
    public static void closeCurrent()
    {
        final PartitionSession session = current;
        current = null;
        if (session != null)
        {
            session.close();
        }
    }

    public AeronPartitionLink link()
    {
        return link;
    }

    /** The pids of the workers (for tests that kill one). */
    public List<Long> workerPids()
    {
        return workers.stream().map(Process::pid).toList();
    }

    private void startWorker(final int partition, final int partitions, final long timeoutMillis)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        final String classPath = System.getProperty("java.class.path");
        for (final String option : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            // The same JVM options (add-opens, heap), without a debugger or agent that would clash on its port.
            if (!option.startsWith("-agentlib:jdwp") && !option.startsWith("-javaagent"))
            {
                command.add(option);
            }
        }
        if (isShoalJar(classPath))
        {
            command.add("-jar");
            command.add(classPath);
        }
        else
        {
            command.add("-cp");
            command.add(classPath);
            command.add("dev.shoal.apps.ShoalCli");
        }
        command.addAll(List.of("worker", "--aeron-dir", driver.aeronDirectory(), "--partition",
            Integer.toString(partition), "--partitions", Integer.toString(partitions), "--timeout-ms",
            Long.toString(timeoutMillis)));
        final String userClassPath = dev.shoal.apps.UserClassPath.active();
        if (userClassPath != null)
        {
            // The user's operations travel as their class path: the worker rebuilds them from the same jars.
            command.addAll(List.of("--classpath", userClassPath));
        }
        try
        {
            final Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            workers.add(process);
            process.onExit().thenAccept(p ->
            {
                if (!closing)
                {
                    // Through the link, so that whatever waits on it (the engine at a barrier) stops at once.
                    link.abort(link.describe(partition) + " died (exit code " + p.exitValue() + ")");
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the worker of partition " + partition + ": " +
                ex.getMessage(), ex);
        }
    }

    static void printStats(final AeronPartitionLink link, final PrintWriter err)
    {
        if (System.getProperty(STATS_PROPERTY) != null)
        {
            err.printf("partition %d sent %d Aeron messages, %d bytes%n", link.self(), link.messagesSent(),
                link.bytesSent());
            err.flush();
        }
    }

    /** Started with java -jar shoal.jar: the manifest's JVM options (Add-Opens) apply only to -jar. */
    private static boolean isShoalJar(final String classPath)
    {
        if (!classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator))
        {
            return false;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(classPath))
        {
            final java.util.jar.Manifest manifest = jar.getManifest();
            return manifest != null &&
                "dev.shoal.apps.ShoalCli".equals(manifest.getMainAttributes().getValue("Main-Class"));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private void awaitHello(final int partition)
    {
        final byte[] hello = link.take(partition);
        if (AeronPartitionLink.type(hello) != Wire.HELLO)
        {
            throw new IllegalStateException("partition " + partition + " did not say hello");
        }
        final String version = AeronPartitionLink.text(hello);
        if (!VERSION.equals(version))
        {
            closing = true;
            link.sendText(partition, Wire.REFUSED, "this worker runs Shoal " + version + ", the coordinator " + VERSION);
            throw new IllegalArgumentException("partition " + partition + " runs Shoal " + version +
                ", not " + VERSION + ": refused");
        }
    }

    /**
     * A partition died or went silent, or this JVM's engine failed: the run ends. Every worker is stopped by pid,
     * the link stops waiting (so the engine's partition thread ends, and with it the machine), and the host thread
     * is interrupted, so that whatever it waits for fails at once; the CLI then prints {@link #failure()} as its
     * one line and exits 1. Any thread; the first failure only.
     */
    private void fail(final String line)
    {
        if (closing)
        {
            return;
        }
        closing = true;
        failure = line;
        stopWorkers();
        host.interrupt();
    }

    /**
     * The line that ended this process's last partitioned run ("partition 1 (cores 128-255) died (exit code
     * 137)"), or null if none failed.
     */
    public static String failure()
    {
        return failure;
    }

    /** Forgets the last failure (the CLI, once it reported it). */
    public static void clearFailure()
    {
        failure = null;
    }

    /** The session this process started, if any (for tests). */
    static PartitionSession current()
    {
        return current;
    }

    private void destroyWorkers()
    {
        stopWorkers();
        driver.deleteDirectory();
    }

    /** Stops every worker process by pid and waits for each (bounded). */
    private void stopWorkers()
    {
        for (final Process p : workers)
        {
            p.destroyForcibly();
        }
        for (final Process p : workers)
        {
            try
            {
                p.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Tells every worker to exit, waits for them (bounded), stops the rest by pid, frees the directory. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closing = true;
        for (int p = 1; p < link.count(); p++)
        {
            try
            {
                link.sendText(p, Wire.BYE, "");
            }
            catch (final RuntimeException ex)
            {
                // Already gone: stopped below.
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MILLIS);
        for (final Process p : workers)
        {
            try
            {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        printStats(link, err);
        link.close();
        driver.close();
        try
        {
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
        catch (final IllegalStateException ex)
        {
            // Shutting down already.
        }
    }
}
