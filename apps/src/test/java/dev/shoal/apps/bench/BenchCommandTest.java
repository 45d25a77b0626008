package dev.shoal.apps.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.shoal.apps.ShoalCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code shoal bench}: files written, deterministic repeats, bad input. */
class BenchCommandTest
{
    private static final byte[] PNG_SIGNATURE = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private record Run(int exit, String out, String err)
    {
    }

    private static Run shoal(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = ShoalCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldWriteCsvSummaryAndPlotsWithIdenticalCyclesAcrossDeterministicRepeats(@TempDir final Path dir)
        throws Exception
    {
        final Run run = shoal("bench", "--machine", "amd-4x4", "--cores", "2,4", "--workload", "unmap,boot",
            "--mode", "deterministic", "--seed", "5", "--repeat", "2", "--out", dir.toString());
        assertEquals(0, run.exit(), run.err());

        // Progress: one line per step (2 core counts x 4 strategies x 2 repeats + 2 x 1 x 2), then where.
        final List<String> progress = run.err().lines().toList();
        assertEquals(16 + 4 + 1, progress.size(), run.err());
        assertTrue(progress.getFirst().matches("\\[1/20] unmap unicast 2 cores \\(repeat 1\\) \\.\\.\\. \\d+ cycles"),
            progress.getFirst());

        final List<String> unmap = Files.readAllLines(dir.resolve("unmap.csv"));
        assertEquals(Row.HEADER, unmap.getFirst());
        // 2 core counts x 4 strategies x 3 metrics: 2 raw rows (repeats) + median + p99 each.
        assertEquals(1 + 2 * 4 * 3 * 4, unmap.size());
        assertTrue(unmap.contains(unmap.stream().filter(l -> l.startsWith(
            "unmap,amd-4x4,deterministic,4,numa-multicast,latency,cycles,median,")).findFirst().orElseThrow()));
        final List<String> boot = Files.readAllLines(dir.resolve("boot.csv"));
        assertEquals(1 + 2 * 1 * 3 * 4, boot.size());
        assertTrue(boot.stream().anyMatch(l -> l.startsWith("boot,amd-4x4,deterministic,4,boot,boot-time,cycles,1,")));

        // Simulated values are identical across the repeats.
        for (final List<String> csv : List.of(unmap, boot))
        {
            final Map<String, String> first = new HashMap<>();
            int compared = 0;
            for (final String line : csv.subList(1, csv.size()))
            {
                final String[] f = line.split(",");
                final String unit = f[6];
                final String repeat = f[7];
                if (unit.equals("cycles") || unit.equals("messages"))
                {
                    final String key = f[3] + "/" + f[4] + "/" + f[5];
                    if (repeat.equals("1"))
                    {
                        first.put(key, f[8]);
                    }
                    else if (repeat.equals("2"))
                    {
                        assertEquals(first.get(key), f[8], "repeat 2 differs: " + line);
                        compared++;
                    }
                }
            }
            assertTrue(compared > 0);
        }

        final String summary = Files.readString(dir.resolve("summary.md"));
        assertTrue(summary.contains("## unmap") && summary.contains("## boot"), summary);
        assertTrue(summary.contains("| cores | unicast | broadcast | multicast | numa-multicast |"), summary);
        String unit = "";
        int cycleRows = 0;
        for (final String line : summary.lines().toList())
        {
            if (line.startsWith("**"))
            {
                unit = line.substring(line.indexOf('(') + 1, line.indexOf(','));
            }
            else if (unit.equals("cycles") && line.matches("\\| \\d+ \\|.*"))
            {
                cycleRows++;
                assertFalse(line.contains("p99"), "a cycle figure varies across deterministic repeats: " + line);
            }
        }
        assertEquals(2 + 2, cycleRows, "unmap latency and boot time, 2 core counts each:\n" + summary);

        for (final String plot : List.of("unmap-latency", "unmap-messages", "boot-boot-time", "boot-boot-wall"))
        {
            final byte[] png = Files.readAllBytes(dir.resolve(plot + ".png"));
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8), plot + ".png");
            final String svg = Files.readString(dir.resolve(plot + ".svg"), StandardCharsets.UTF_8);
            assertTrue(svg.contains("<svg"), plot + ".svg");
        }
    }

    @Test
    void shouldGiveTheSameSimulatedFiguresOnEveryDeterministicRunAndBeSilentWhenQuiet(@TempDir final Path dir) throws Exception
    {
        final List<String> workloads = List.of("urpc", "lrpc", "2pc", "revoke", "nameservice");
        final String[] cycles = new String[2];
        for (int i = 0; i < 2; i++)
        {
            final Path out = dir.resolve("run" + i);
            final Run run = shoal("bench", "--machine", "amd-4x4", "--cores", "2,8", "--workload",
                String.join(",", workloads), "--mode", "deterministic", "--quiet", "--out", out.toString());
            assertEquals(0, run.exit(), run.err());
            assertEquals("", run.err());
            final StringBuilder all = new StringBuilder();
            for (final String w : workloads)
            {
                Files.readAllLines(out.resolve(w + ".csv")).stream().skip(1)
                    .filter(l -> !l.split(",")[6].matches("ms|us|ns|calls/ms|msgs/s|agreements/s"))
                    .forEach(l -> all.append(l).append('\n'));
            }
            cycles[i] = all.toString();
        }
        assertEquals(cycles[0], cycles[1]);
        for (final String expected : List.of("urpc,amd-4x4,deterministic,8,same-package,one-way-latency,cycles,1,",
            "urpc,amd-4x4,deterministic,8,1-hop,one-way-latency,cycles,1,",
            "lrpc,amd-4x4,deterministic,2,same-core,round-trip,cycles,1,",
            "urpc,amd-4x4,deterministic,8,1-hop,throughput,msgs/kcycle,1,",
            "urpc,amd-4x4,deterministic,8,same-package,cycles-per-message,cycles,1,",
            "2pc,amd-4x4,deterministic,8,single,latency,cycles,1,",
            "2pc,amd-4x4,deterministic,8,pipelined,throughput,agreements/Mcycle,1,",
            "revoke,amd-4x4,deterministic,8,mark-sweep,revoke-latency,cycles,1,",
            "revoke,amd-4x4,deterministic,8,mark-sweep,remote-deleted,capabilities,1,7",
            "nameservice,amd-4x4,deterministic,8,lookup,rate,calls/kcycle,1,",
            "nameservice,amd-4x4,deterministic,8,register,latency,cycles,1,"))
        {
            assertTrue(cycles[0].contains(expected), expected + " in\n" + cycles[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--workload foo", "--workload unmap --cores 2,17", "--workload unmap --cores 0",
        "--workload boot --repeat 0", "--workload unmap --strategy zigzag", "--workload boot --cores x"})
    void shouldRejectBadInputWithOneLineAndExitTwo(final String args, @TempDir final Path dir)
    {
        final String[] argv = ("bench --machine amd-4x4 --out " + dir + " " + args).split(" ");
        final Run run = shoal(argv);
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("shoal: "), run.err());
    }

    @Test
    void shouldCommitMoreAgreementsPerCycleWhenPipelinedThanOneAtATime() throws Exception
    {
        final dev.shoal.skb.Skb skb = dev.shoal.skb.Skb.open("amd-4x4");
        final TwoPhaseCommitWorkload w = new TwoPhaseCommitWorkload();
        final Map<String, Double> single = byMetric(w.measure(skb, 16, "single",
            () -> new dev.shoal.kernel.DeterministicScheduler(3, new dev.shoal.kernel.TraceRecorder(null))));
        final Map<String, Double> pipelined = byMetric(w.measure(skb, 16, "pipelined",
            () -> new dev.shoal.kernel.DeterministicScheduler(3, new dev.shoal.kernel.TraceRecorder(null))));
        assertTrue(pipelined.get("throughput") > single.get("throughput"), single + " vs " + pipelined);
        assertTrue(pipelined.get("latency") > single.get("latency"), "queueing behind other agreements");
        assertEquals(1e6 / single.get("latency"), single.get("throughput"), 1e-6, "back to back");
    }

    @Test
    void shouldStreamUrpcFasterThanOneMessagePerOneWayLatency() throws Exception
    {
        final Map<String, Double> urpc = byMetric(new UrpcWorkload().measure(dev.shoal.skb.Skb.open("amd-8x4"), 32,
            "2-hop", () -> new dev.shoal.kernel.DeterministicScheduler(3, new dev.shoal.kernel.TraceRecorder(null))));
        assertTrue(urpc.get("cycles-per-message") < urpc.get("one-way-latency"), urpc.toString());
        assertEquals(1000 / urpc.get("cycles-per-message"), urpc.get("throughput"), 1e-9);
    }

    private static Map<String, Double> byMetric(final List<Sample> samples)
    {
        final Map<String, Double> out = new HashMap<>();
        samples.forEach(s -> out.put(s.metric(), s.value()));
        return out;
    }

    @Test
    void shouldTakeMedianAndNearestRankP99()
    {
        assertEquals(2.5, BenchRunner.median(new double[] {1, 2, 3, 4}));
        assertEquals(3, BenchRunner.median(new double[] {1, 3, 9}));
        assertEquals(9, BenchRunner.percentile(new double[] {1, 3, 9}, 0.99));
        assertEquals(7, BenchRunner.percentile(new double[] {7}, 0.99));
    }
}
