package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.shoal.kernel.CoreFailures;

class ShoalCliTest
{
    record Run(int exit, String out, String err)
    {
    }

    static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = ShoalCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /**
     * Runs the CLI on a daemon thread and fails, rather than hangs, when it takes longer than {@code seconds}.
     * The thread is left behind on timeout: a hung run cannot be stopped from outside.
     */
    static Run runWithin(final long seconds, final String... args)
    {
        final java.util.concurrent.CompletableFuture<Run> result = new java.util.concurrent.CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                result.complete(run(args));
            }
            catch (final Throwable t)
            {
                result.completeExceptionally(t);
            }
        }, "cli " + String.join(" ", args));
        thread.setDaemon(true);
        thread.start();
        try
        {
            return result.get(seconds, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            thread.interrupt();
            throw new AssertionError("shoal " + String.join(" ", args) + " did not finish within " + seconds + " s");
        }
        catch (final InterruptedException | java.util.concurrent.ExecutionException ex)
        {
            throw new AssertionError("shoal " + String.join(" ", args) + " failed: " + ex, ex);
        }
    }

    static void assertBadInput(final Run run, final String mentions)
    {
        assertEquals(2, run.exit(), "exit code; stderr: " + run.err());
        final String err = run.err().strip();
        assertEquals(1, err.lines().count(), "exactly one line on stderr: " + err);
        assertTrue(err.contains(mentions), "'" + err + "' should mention '" + mentions + "'");
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void shouldRejectANonNumericCoreCount()
    {
        assertBadInput(run("boot", "--cores", "abc"), "abc");
    }

    @Test
    void shouldRejectZeroCores()
    {
        assertBadInput(run("boot", "--cores", "0"), "--cores");
    }

    @Test
    void shouldRejectMoreCoresThanTheMachineHas()
    {
        assertBadInput(run("boot", "--cores", "64", "--machine", "amd-8x4"), "amd-8x4");
    }

    @Test
    void shouldRejectAnUnknownMachine()
    {
        assertBadInput(run("boot", "--cores", "4", "--machine", "cray-1"), "cray-1");
    }

    @Test
    void shouldRejectAnUnknownCommand()
    {
        assertBadInput(run("levitate"), "levitate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"numa:0x4", "numa:axb", "numa:4"})
    void shouldRejectMalformedGeneratorSpecs(final String spec)
    {
        assertBadInput(run("boot", "--cores", "2", "--machine", spec), "numa");
    }

    @Test
    void shouldNameFileAndLineOfAMalformedMachineDescription(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("bad.pl");
        Files.writeString(file, "machine(bad, 'Bad', 2000).\npackage(0).\ncore(0, 0.\n");
        final Run run = run("boot", "--cores", "1", "--machine", file.toString());
        assertBadInput(run, "bad.pl:3");
    }

    @Test
    void shouldRejectPingPongToTheSameCore()
    {
        assertBadInput(run("run", "pingpong", "--machine", "amd-2x2", "--from", "1", "--to", "1"), "--from");
    }

    @Test
    void shouldRejectPinningInDeterministicMode()
    {
        assertBadInput(run("boot", "--cores", "2", "--pin", "--mode", "deterministic"), "--pin");
    }

    @Test
    void shouldBootWithPinnedCarriers()
    {
        final Run run = run("boot", "--cores", "4", "--pin", "--json");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("\"status\":\"ok\""), run.out());
        assertEquals("", run.err(), "nothing on stderr (no logging from the affinity library)");
    }

    @Test
    void shouldBootAndReportJson()
    {
        final Run run = run("boot", "--cores", "16", "--json");
        assertEquals(0, run.exit(), run.err());
        final String json = run.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        for (final String field : new String[] {"\"status\":\"ok\"", "\"cores\":16", "\"machine\":\"numa:2x8\"",
            "\"bootWallMillis\":", "\"bootCycles\":", "\"messages\":", "\"failures\":[]"})
        {
            assertTrue(json.contains(field), field + " missing from " + json);
        }
    }

    @Test
    void shouldReportEachFailedCoreInTheBootJson()
    {
        assertEquals("[{\"core\":3,\"count\":1,\"last\":\"handler of Ask from core 1 failed: " +
                "java.lang.IllegalStateException: \\\"boom\\\"\"}]",
            BootCommand.failuresJson(List.of(new CoreFailures(3, 1,
                "handler of Ask from core 1 failed: java.lang.IllegalStateException: \"boom\""))));
    }

    @Test
    void shouldListTheBuiltInMachines()
    {
        final Run run = run("machines");
        assertEquals(0, run.exit(), run.err());
        for (final String name : new String[] {"intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4", "numa:PxC"})
        {
            assertTrue(run.out().contains(name), name + " missing from " + run.out());
        }
        assertTrue(run.out().matches("(?s).*amd-8x4\\s+32\\s+8.*"), run.out());
    }

    @Test
    void shouldMeasurePingPongInCyclesAndNanoseconds()
    {
        final Run run = run("run", "pingpong", "--machine", "amd-4x4", "--from", "0", "--to", "8",
            "--batches", "5", "--batch", "200", "--json");
        assertEquals(0, run.exit(), run.err());
        final String json = run.out();
        assertTrue(json.contains("\"linkLatencyCycles\":558"), "two hops on the 4x4 square: " + json);
        assertTrue(json.contains("\"roundTripCycles\":") && json.contains("\"hostRoundTripNanosMedian\":"), json);
    }

    @Test
    void shouldGiveTheSameTraceHashOnEveryDeterministicRun()
    {
        final String first = run("boot", "--cores", "64", "--mode", "deterministic", "--seed", "7", "--json").out();
        final String hash = first.replaceAll("(?s).*\"traceHash\":\"([0-9a-f]+)\".*", "$1");
        assertEquals(16, hash.length(), first);
        for (int i = 0; i < 2; i++)
        {
            final String again = run("boot", "--cores", "64", "--mode", "deterministic", "--seed", "7", "--json").out();
            assertTrue(again.contains("\"traceHash\":\"" + hash + "\""), again);
        }
    }

    @Test
    void shouldReplayARecordedTrace(@TempDir final Path dir) throws Exception
    {
        final Path trace = dir.resolve("run.trace");
        assertEquals(0, run("boot", "--cores", "8", "--mode", "deterministic", "--seed", "3", "--trace",
            trace.toString()).exit());
        final Run replay = run("replay", trace.toString());
        assertEquals(0, replay.exit(), replay.out() + replay.err());
        assertTrue(replay.out().startsWith("replay ok"), replay.out());

        // Tamper with one event: the replay must name where it diverges.
        final java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(trace));
        final int i = lines.indexOf(lines.stream().filter(l -> !l.startsWith("#")).skip(5).findFirst().orElseThrow());
        lines.set(i, lines.get(i).replaceFirst(" \\S+$", " 999"));
        Files.write(trace, lines);
        final Run diverged = run("replay", trace.toString());
        assertEquals(1, diverged.exit());
        assertTrue(diverged.out().contains("diverged at event 6"), diverged.out());
    }

    @Test
    void shouldRejectAFileThatIsNoTrace(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("notes.txt");
        Files.writeString(file, "hello\n");
        assertBadInput(run("replay", file.toString()), "not a Shoal trace");
    }

    @Test
    void shouldRejectAnUnknownMode()
    {
        assertBadInput(run("boot", "--cores", "2", "--mode", "quantum"), "--mode");
    }

    @Test
    void shouldRejectAKvApplianceWithoutCores()
    {
        assertBadInput(run("run", "kv", "--cores", "0", "--port", "0"), "--cores");
    }

    @Test
    void shouldRejectAKvApplianceWithMoreMemoryThanACoreHas()
    {
        assertBadInput(run("run", "kv", "--memory", "4096", "--port", "0"), "--memory");
    }

    @Test
    void shouldRejectAKvPortOutOfRange()
    {
        assertBadInput(run("run", "kv", "--port", "70000"), "--port");
    }

    /** Without jdk.internal.misc exported, a boot used to print one task failure and wait 120 s; now it stops at once. */
    @Test
    void shouldNameAMissingJvmFlagAndExitWithoutBooting(@TempDir final Path dir) throws Exception
    {
        final Path stderr = dir.resolve("stderr");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-cp", System.getProperty("java.class.path"), ShoalCli.class.getName(), "boot", "--cores", "8")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
        final boolean exited = process.waitFor(30, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly().waitFor();
        }
        final String err = Files.readString(stderr);
        assertTrue(exited, "the boot should fail fast; stderr: " + err);
        assertBadInput(new Run(process.exitValue(), "", err), "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED");
    }

    @Test
    void shouldNameAMalformedServicesEntryInOneLine(@TempDir final Path dir) throws Exception
    {
        final Path services = dir.resolve("META-INF/services/dev.shoal.monitor.MonitorOperation");
        Files.createDirectories(services.getParent());
        Files.writeString(services, "com.example.NoSuchOperation\n");
        final Thread thread = Thread.currentThread();
        final ClassLoader original = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
            original))
        {
            // ServiceLoader.load(Class) reads the thread's context class loader: the bad file is seen by this boot only.
            thread.setContextClassLoader(loader);
            assertBadInput(run("boot", "--cores", "2"), "com.example.NoSuchOperation");
        }
        finally
        {
            thread.setContextClassLoader(original);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Infinity", "1e400", "1e300", "NaN", "-Infinity", "86401"})
    void shouldRejectALingerThatIsNotAFiniteSaneNumberOfSeconds(final String linger)
    {
        assertBadInput(runWithin(20, "boot", "--cores", "2", "--linger", linger), "--linger");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2048", "4096", "1048576", "1073741824", "3", "0", "-2"})
    void shouldRejectChannelSlotsThatDoNotFitOneFrameBeforeBooting(final String slots)
    {
        assertBadInput(runWithin(20, "boot", "--cores", "2", "--slots", slots), "--slots");
    }

    @Test
    void shouldBootWithTheLargestChannelRing()
    {
        final Run run = runWithin(60, "boot", "--cores", "4", "--slots", "1024");
        assertEquals(0, run.exit(), run.err());
    }

    @Test
    void shouldNameATraceFileThatCannotBeWrittenInOneLine()
    {
        final Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs /dev/full");
        assertBadInput(runWithin(20, "boot", "--cores", "2", "--mode", "deterministic", "--trace", full.toString()),
            "cannot write trace file /dev/full: No space left on device");
    }

    @Test
    void shouldRefuseABenchOutputThatIsAFileBeforeTheSweep(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("taken");
        Files.writeString(file, "not a directory\n");
        assertBadInput(runWithin(20, "bench", "--workload", "boot", "--cores", "2", "--quiet", "--out",
            file.toString()), "taken is a file");
        assertBadInput(runWithin(20, "bench", "--workload", "boot", "--cores", "2", "--quiet", "--out",
            file.resolve("x").toString()), "taken is a file");
        assertEquals("not a directory\n", Files.readString(file));
    }

    @Test
    void shouldRefuseAnEmptyBenchOutputPath()
    {
        assertBadInput(runWithin(20, "bench", "--workload", "boot", "--cores", "2", "--quiet", "--out", ""),
            "--out");
    }

    @Test
    void shouldWriteTheBenchReportIntoANewNestedDirectory(@TempDir final Path dir)
    {
        final Path out = dir.resolve("a/b");
        final Run run = runWithin(60, "bench", "--workload", "boot", "--cores", "2", "--quiet", "--out",
            out.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(Files.isRegularFile(out.resolve("summary.md")), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {",,", ","})
    void shouldRefuseAnEmptyListOfCoreCounts(final String cores)
    {
        assertBadInput(runWithin(20, "bench", "--workload", "boot", "--quiet", "--cores", cores), "--cores");
        assertBadInput(runWithin(20, "run", "unmap", "--cores", cores), "--cores");
    }

    @Test
    void shouldRefuseAnEmptyListOfWorkloads()
    {
        assertBadInput(runWithin(20, "bench", "--workload", ",,", "--quiet", "--cores", "2"), "--workload");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--batch=2147483647", "--batches=2147483647", "--batch=1000001", "--batches=10001"})
    void shouldRefusePingPongBatchesTooLongToFinish(final String option)
    {
        assertBadInput(runWithin(20, "run", "pingpong", option), "--batch");
    }

    @Test
    void shouldRefuseAJitterThatOverflowsTheEngine()
    {
        assertBadInput(runWithin(20, "run", "pingpong", "--batches", "1", "--batch", "1", "--jitter",
            String.valueOf(Long.MAX_VALUE)), "--jitter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uff14", "\u0664", "\u096a", "4\uff14", "0x4", " 4", "4 "})
    void shouldAcceptOnlyAsciiDigitsInNumericOptions(final String cores)
    {
        assertBadInput(runWithin(20, "boot", "--cores", cores), cores);
        assertBadInput(runWithin(20, "run", "unmap", "--cores", cores), cores);
        assertBadInput(runWithin(20, "run", "pingpong", "--batch", cores), cores);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1d", "0x1p3", "\uff11"})
    void shouldAcceptOnlyPlainDecimalsForTheLinger(final String linger)
    {
        assertBadInput(runWithin(20, "boot", "--cores", "2", "--linger", linger), linger);
    }

    @Test
    void shouldRefuseToReplayADirectoryOrTheEmptyPath(@TempDir final Path dir)
    {
        assertBadInput(runWithin(20, "replay", dir.toString()), "is a directory");
        assertBadInput(runWithin(20, "replay", ""), "trace file");
    }
}
