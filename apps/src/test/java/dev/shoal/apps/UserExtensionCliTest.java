package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.Protocol;

/**
 * A user's operation and workload, compiled at test time into a jar that is not on the test class path, run
 * through the CLI as a user would: listed, run once, swept, and shown in the protocol.
 */
class UserExtensionCliTest
{
    /** Core 0 sends Echo to the last core, which answers Echoed: the round trip in cycles, on core 0's clock. */
    static final String OPERATION = """
        package ext;

        import java.util.concurrent.CompletableFuture;
        import dev.shoal.monitor.*;

        public final class EchoOperation implements MonitorOperation {
            public record Echo(long sentAt) {}
            public record Echoed(long sentAt) {}

            static final class Waiting { CompletableFuture<Long> done; }

            @Override
            public void register(Protocol.Builder protocol) {
                protocol.message(Echo.class, (monitor, from, echo) -> monitor.send(from, new Echoed(echo.sentAt())));
                protocol.message(Echoed.class, (monitor, from, echoed) ->
                    monitor.local(Waiting.class, Waiting::new).done.complete(monitor.now() - echoed.sentAt()));
            }

            public static CompletableFuture<Long> run(MonitorSystem system, int to) {
                CompletableFuture<Long> done = new CompletableFuture<>();
                system.onCore(0, monitor -> {
                    monitor.local(Waiting.class, Waiting::new).done = done;
                    monitor.send(to, new Echo(monitor.now()));
                    return null;
                });
                return done;
            }
        }
        """;

    static final String WORKLOAD = """
        package ext;

        import java.time.Duration;
        import java.util.List;
        import java.util.concurrent.TimeUnit;
        import java.util.function.Supplier;
        import dev.shoal.apps.bench.Sample;
        import dev.shoal.apps.bench.Workload;
        import dev.shoal.kernel.RunnerFactory;
        import dev.shoal.monitor.*;
        import dev.shoal.skb.Skb;

        public final class EchoWorkload implements Workload {
            public String name() { return "echo"; }
            public String description() { return "Echo from core 0 to the last core and back."; }
            public int minCores() { return 2; }
            public List<MonitorOperation> operations() { return List.of(new EchoOperation()); }
            public List<String> variants(Skb skb, int cores) { return List.of("to-last"); }

            public List<Sample> measure(Skb skb, int cores, String variant, Supplier<RunnerFactory> runners)
                throws Exception {
                MonitorConfig config = MonitorConfig.builder(skb).cores(cores).runners(runners.get()).build();
                try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(60))) {
                    long cycles = EchoOperation.run(system, cores - 1).get(60, TimeUnit.SECONDS);
                    return List.of(Sample.cycles("round-trip", cycles));
                }
            }
        }
        """;

    @TempDir
    static Path dir;

    static Path jar;

    @BeforeAll
    static void buildTheUsersJar() throws IOException
    {
        jar = UserJar.build(dir.resolve("user"), Map.of("ext.EchoOperation", OPERATION, "ext.EchoWorkload", WORKLOAD),
            Map.of("META-INF/services/dev.shoal.monitor.MonitorOperation", "ext.EchoOperation\n",
                "META-INF/services/dev.shoal.apps.bench.Workload", "ext.EchoWorkload\n"));
    }

    @Test
    void shouldNotSeeTheUsersClassesWithoutTheClassPath()
    {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ext.EchoWorkload"));
        final ShoalCliTest.Run run = ShoalCliTest.run("run", "echo");
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("unknown workload echo"), run.err());
    }

    @Test
    void shouldListTheUsersWorkloadAfterTheBuiltInOnes()
    {
        final ShoalCliTest.Run run = ShoalCliTest.run("workloads", "--classpath", jar.toString());
        assertEquals(0, run.exit(), run.err());
        final List<String> lines = run.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("unmap "), run.out());
        assertTrue(lines.getLast().startsWith("echo "), run.out());
        assertTrue(lines.getLast().contains("Echo from core 0 to the last core and back."), run.out());
    }

    @Test
    void shouldRunTheUsersWorkloadOnTheExactEngineWithTheSameCyclesForEverySeed()
    {
        final ShoalCliTest.Run first = ShoalCliTest.run("run", "echo", "--classpath", jar.toString(), "--machine",
            "amd-8x4", "--cores", "32", "--json");
        final ShoalCliTest.Run other = ShoalCliTest.run("run", "echo", "--classpath", jar.toString(), "--machine",
            "amd-8x4", "--cores", "32", "--json", "--seed", "9");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("\"workload\":\"echo\""), first.out());
        assertTrue(first.out().contains("\"engine\":\"exact\""), first.out());
        // Core 0 to core 31 of amd-8x4 is two hops: twice its latency and more, whatever the seed.
        final String cycles = value(first.out(), "\"metric\":\"round-trip\",\"unit\":\"cycles\",\"value\":");
        assertTrue(Double.parseDouble(cycles) > 2 * 618, first.out());
        assertEquals(cycles, value(other.out(), "\"metric\":\"round-trip\",\"unit\":\"cycles\",\"value\":"));
    }

    @Test
    void shouldRunTheUsersWorkloadOverTwoJvmsWithTheSingleJvmsFigures()
    {
        // The workers rebuild the user's operation from the coordinator's --classpath.
        final ShoalCliTest.Run single = ShoalCliTest.run("run", "echo", "--classpath", jar.toString(), "--machine",
            "numa:4x8", "--cores", "32", "--json");
        final ShoalCliTest.Run split = ShoalCliTest.run("run", "echo", "--classpath", jar.toString(), "--machine",
            "numa:4x8", "--cores", "32", "--json", "--partitions", "2");
        assertEquals(0, single.exit(), single.err());
        assertEquals(0, split.exit(), split.err());
        assertEquals(value(single.out(), "\"metric\":\"round-trip\",\"unit\":\"cycles\",\"value\":"),
            value(split.out(), "\"metric\":\"round-trip\",\"unit\":\"cycles\",\"value\":"));
        final java.util.regex.Pattern hash = java.util.regex.Pattern.compile("\"traceHash\":\"([0-9a-f]{16})\"");
        final java.util.regex.Matcher one = hash.matcher(single.out());
        final java.util.regex.Matcher two = hash.matcher(split.out());
        assertTrue(one.find(), single.out());
        assertTrue(two.find(), split.out());
        assertEquals(one.group(1), two.group(1), split.out());
    }

    @Test
    void shouldRunTheUsersWorkloadLiveToo()
    {
        final ShoalCliTest.Run run = ShoalCliTest.run("run", "echo", "--classpath", jar.toString(), "--cores", "4",
            "--mode", "live");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("live mode"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("to-last") && l.contains("round-trip") &&
            l.endsWith("cycles")), run.out());
    }

    @Test
    void shouldSweepTheUsersWorkloadIntoCsvSummaryAndPlots() throws IOException
    {
        final Path out = dir.resolve("sweep");
        final ShoalCliTest.Run run = ShoalCliTest.run("bench", "--classpath", jar.toString(), "--workload",
            "echo,boot", "--cores", "2,8", "--out", out.toString(), "--quiet");
        assertEquals(0, run.exit(), run.err());
        final String csv = Files.readString(out.resolve("echo.csv"));
        assertTrue(csv.contains("echo,amd-8x4,deterministic,2,to-last,round-trip,cycles,1,"), csv);
        assertTrue(csv.contains("echo,amd-8x4,deterministic,8,to-last,round-trip,cycles,median,"), csv);
        assertTrue(Files.readString(out.resolve("summary.md")).contains("echo"));
        try (var files = Files.list(out))
        {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("echo") &&
                f.getFileName().toString().endsWith(".png")));
        }
    }

    @Test
    void shouldShowTheUsersOperationInTheProtocolWithIdsFromItsNames()
    {
        final ShoalCliTest.Run run = ShoalCliTest.run("protocol", "--classpath", jar.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("### ext.EchoOperation\n\nRegistered by the workload echo.\n"), run.out());
        assertTrue(run.out().contains(String.format("| `0x%08x` | Echo | long sentAt |",
            Protocol.idOf("ext.EchoOperation", "Echo"))), run.out());
        final ShoalCliTest.Run json = ShoalCliTest.run("protocol", "--classpath", jar.toString(), "--json");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("{\"name\":\"Echoed\",\"id\":\"" +
            String.format("0x%08x", Protocol.idOf("ext.EchoOperation", "Echoed")) + "\",\"class\":" +
            "\"ext.EchoOperation$Echoed\",\"codec\":\"record\",\"fields\":[{\"name\":\"sentAt\",\"type\":\"long\"}]}"),
            json.out());
    }

    @Test
    void shouldLeaveEveryBuiltInIdAsTheCatalogueListsItWithTheUsersOperation()
    {
        final String builtIn = ShoalCliTest.run("protocol").out();
        final String withUser = ShoalCliTest.run("protocol", "--classpath", jar.toString()).out();
        assertTrue(withUser.startsWith(builtIn.substring(0, builtIn.indexOf("### dev.shoal.monitor.ShootdownOperation"))),
            withUser);
        for (final String line : builtIn.lines().filter(l -> l.startsWith("| `0x")).toList())
        {
            assertTrue(withUser.contains(line), line);
        }
        assertEquals(MonitorConfig.protocol(List.of(), null).messageTypes(),
            builtIn.lines().takeWhile(l -> !l.contains("ShootdownOperation")).filter(l -> l.startsWith("| `0x"))
                .count());
    }

    @Test
    void shouldRefuseAFileThatIsNotAJarInOneLine() throws IOException
    {
        final Path notJar = Files.writeString(dir.resolve("notes.jar"), "not a jar");
        for (final String command : List.of("workloads", "protocol", "bench"))
        {
            final ShoalCliTest.Run run = command.equals("bench") ?
                ShoalCliTest.run("bench", "--workload", "echo", "--classpath", notJar.toString()) :
                ShoalCliTest.run(command, "--classpath", notJar.toString());
            assertEquals(2, run.exit(), command + ": " + run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().startsWith("shoal: --classpath " + notJar + ": not a readable jar"), run.err());
        }
        final ShoalCliTest.Run missing = ShoalCliTest.run("run", "echo", "--classpath", dir.resolve("nope.jar")
            .toString());
        assertEquals(2, missing.exit());
        assertEquals("shoal: --classpath " + dir.resolve("nope.jar") + ": no such file or directory\n",
            missing.err().replace("\r", ""));
    }

    @Test
    void shouldRefuseAServicesEntryNamingNoClassInOneLine() throws IOException
    {
        final Path bad = UserJar.build(dir.resolve("bad"), Map.of(),
            Map.of("META-INF/services/dev.shoal.apps.bench.Workload", "ext.Missing\n"));
        final ShoalCliTest.Run run = ShoalCliTest.run("workloads", "--classpath", bad.toString());
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("ext.Missing"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    @Test
    void shouldRefuseAWorkloadWhoseMetricCannotBeACsvFieldInOneLine() throws IOException
    {
        final Path odd = UserJar.build(dir.resolve("odd"), Map.of("odd.Commas", """
            package odd;

            import java.util.List;
            import java.util.function.Supplier;
            import dev.shoal.apps.bench.Sample;
            import dev.shoal.apps.bench.Workload;
            import dev.shoal.kernel.RunnerFactory;
            import dev.shoal.skb.Skb;

            public final class Commas implements Workload {
                public String name() { return "commas"; }
                public String description() { return "A metric with a comma in its name."; }
                public List<String> variants(Skb skb, int cores) { return List.of("only"); }
                public List<Sample> measure(Skb skb, int cores, String variant, Supplier<RunnerFactory> runners) {
                    return List.of(Sample.cycles("a,b", 1));
                }
            }
            """), Map.of("META-INF/services/dev.shoal.apps.bench.Workload", "odd.Commas\n"));
        for (final String[] args : List.of(new String[] {"run", "commas", "--classpath", odd.toString()},
            new String[] {"bench", "--workload", "commas", "--classpath", odd.toString(), "--out",
                dir.resolve("odd-out").toString(), "--quiet"}))
        {
            final ShoalCliTest.Run run = ShoalCliTest.run(args);
            assertEquals(2, run.exit(), run.err());
            assertEquals("shoal: workload commas has the metric 'a,b': it must be a non-empty CSV field (no comma, " +
                "quote or control character)", run.err().strip());
        }
    }

    private static String value(final String json, final String key)
    {
        final int at = json.indexOf(key);
        assertTrue(at >= 0, json);
        final int start = at + key.length();
        int end = start;
        while (end < json.length() && "0123456789.-E".indexOf(json.charAt(end)) >= 0)
        {
            end++;
        }
        return json.substring(start, end);
    }
}
