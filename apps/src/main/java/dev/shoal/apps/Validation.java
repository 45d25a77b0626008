package dev.shoal.apps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.shoal.apps.bench.RpcUpdates;
import dev.shoal.apps.bench.SharedLineUpdates;
import dev.shoal.apps.bench.UpdateWorkload;
import dev.shoal.apps.bench.UrpcStream;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorSystem;
import dev.shoal.monitor.ShootdownOperation;
import dev.shoal.monitor.ShootdownStrategy;
import dev.shoal.skb.Skb;

/**
 * The validation behind {@code shoal validate}: each published figure of the Multikernel paper (SOSP 2009) that
 * Shoal models, run on the exact engine, and the aims checked against the result. Raw-channel URPC figures
 * are the monitor-to-monitor figures less the monitor's dispatch ({@code CostModel.monitorHandler()}), which the
 * model charges once per message on the receiver; both are reported.
 */
final class Validation
{
    /** One published figure and Shoal's prediction of it. */
    record Row(String figure, String machine, String kase, int cores, String variant, double published,
        double shoal, String unit, double monitorFigure)
    {
        double error()
        {
            return (shoal - published) / published;
        }
    }

    private record Placement(String machine, String kase, int to, double latency, double throughput)
    {
    }

    /**
     * Table 2 of the paper. Latencies are those the brief quotes; of the throughputs the brief quotes the two ends
     * (11.97 and 2.75), the others are our reading of the paper's table.
     */
    private static final List<Placement> TABLE2 = List.of(
        new Placement("intel-2x4", "shared cache", 1, 180, 11.97),
        new Placement("intel-2x4", "non-shared", 4, 570, 3.78),
        new Placement("amd-2x2", "same die", 1, 450, 3.42),
        new Placement("amd-2x2", "one hop", 2, 532, 3.19),
        new Placement("amd-4x4", "same die", 1, 448, 3.57),
        new Placement("amd-4x4", "one hop", 4, 545, 3.53),
        new Placement("amd-4x4", "two hops", 8, 558, 3.46),
        new Placement("amd-8x4", "same die", 1, 538, 2.77),
        new Placement("amd-8x4", "one hop", 4, 613, 2.79),
        new Placement("amd-8x4", "two hops", 8, 618, 2.75));

    private static final Map<String, Double> TABLE1 = Map.of("intel-2x4", 845.0, "amd-2x2", 757.0,
        "amd-4x4", 1463.0, "amd-8x4", 1549.0);

    private static final int ROUNDS = 200;
    private static final int STREAM = 1000;
    private static final int[] SHOOTDOWN_CORES = {2, 4, 8, 16, 32};
    private static final int[] FIGURE3_CORES = {2, 4, 6, 8, 10, 12, 14, 16};
    /**
     * Figure 3's one figure the paper states in its text: "almost 12,000 extra cycles" per update of 8 lines at 16
     * cores. The rest of its curves are plotted only, and none is read off here.
     */
    private static final double SHM8_AT_16 = 12_000;

    private Validation()
    {
    }

    static List<Row> run() throws Exception
    {
        return run(Skb::open);
    }

    /**
     * The figures with each of the four machines opened by {@code machines} from its built-in name: the built-in
     * descriptions ({@link Skb#open}), or variants of them (a sensitivity run, {@code shoal validate --machines}).
     */
    static List<Row> run(final Function<String, Skb> machines) throws Exception
    {
        final List<Row> rows = new ArrayList<>();
        for (final String machine : List.of("intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"))
        {
            final Skb skb = machines.apply(machine);
            rows.add(new Row("table1-lrpc", machine, "same core", 1, "lrpc", TABLE1.get(machine),
                skb.topology().lrpcCycles(), "cycles", skb.topology().lrpcCycles()));
            final MonitorConfig config = MonitorConfig.builder(skb).cores(skb.coreCount())
                .operation(new UrpcPingPong()).operation(new UrpcStream()).runners(exact()).build();
            try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(120)))
            {
                final long dispatch = system.machine().core(0).costs().monitorHandler();
                for (final Placement p : TABLE2)
                {
                    if (!p.machine().equals(machine))
                    {
                        continue;
                    }
                    UrpcPingPong.run(system, 0, p.to(), 20).get(60, TimeUnit.SECONDS);
                    final UrpcPingPong.Batch b = UrpcPingPong.run(system, 0, p.to(), ROUNDS).get(60, TimeUnit.SECONDS);
                    final double monitorOneWay = b.cycles() / (double)b.rounds() / 2;
                    rows.add(new Row("table2-latency", machine, p.kase(), 2, "raw channel", p.latency(),
                        monitorOneWay - dispatch, "cycles", monitorOneWay));
                    final UrpcStream.Stream s = UrpcStream.run(system, 0, p.to(), STREAM).get(60, TimeUnit.SECONDS);
                    final double perMessage = s.cycles() / (double)(s.messages() - 1);
                    rows.add(new Row("table2-throughput", machine, p.kase(), 2, "raw channel", p.throughput(),
                        1000 / (perMessage - dispatch), "msgs/kcycle", 1000 / perMessage));
                    if (machine.equals("amd-2x2") && p.kase().equals("same die"))
                    {
                        rows.add(new Row("table3", machine, p.kase(), 2, "urpc latency", 450, monitorOneWay - dispatch,
                            "cycles", monitorOneWay));
                        rows.add(new Row("table3", machine, p.kase(), 2, "urpc throughput", 3.42,
                            1000 / (perMessage - dispatch), "msgs/kcycle", 1000 / perMessage));
                    }
                }
            }
        }
        rows.addAll(figure3(machines.apply("amd-4x4")));
        final Skb amd8x4 = machines.apply("amd-8x4");
        final Map<ShootdownStrategy, Double> at32 = Map.of(ShootdownStrategy.BROADCAST, 13_800.0,
            ShootdownStrategy.UNICAST, 12_700.0, ShootdownStrategy.MULTICAST, 4_800.0,
            ShootdownStrategy.NUMA_MULTICAST, 3_100.0);
        for (final UnmapCommand.Point p : UnmapCommand.measure(amd8x4, SHOOTDOWN_CORES,
            List.of(ShootdownStrategy.values()), Validation::exact))
        {
            final Double published = p.cores() == 32 ? at32.get(p.strategy()) : p.cores() == 2 ? 1_300.0 : null;
            rows.add(new Row("figure6", "amd-8x4", p.cores() + " cores", p.cores(), p.strategy().cliName(),
                published == null ? Double.NaN : published, p.latencyCycles(), "cycles", p.latencyCycles()));
        }
        rows.addAll(figure7(amd8x4));
        return rows;
    }

    /** Figure 7 read off the paper's plot (±0.5k): Barrelfish's unmap at 2 and at 32 cores. */
    private static final double FIGURE7_AT_2 = 10_300;
    private static final double FIGURE7_AT_32 = 17_500;

    /**
     * Figure 7: Barrelfish's full unmap on the 8x4 AMD (the application's call into its monitor, the NUMA-aware
     * multicast shootdown, the reply; {@link FullUnmap}), read off the paper's plot at 2 and 32 cores only.
     */
    private static List<Row> figure7(final Skb amd8x4) throws Exception
    {
        final List<Row> rows = new ArrayList<>();
        for (final UnmapCommand.Point p : FullUnmap.measure(amd8x4, SHOOTDOWN_CORES,
            List.of(ShootdownStrategy.NUMA_MULTICAST), Validation::exact))
        {
            final double published = p.cores() == 2 ? FIGURE7_AT_2 : p.cores() == 32 ? FIGURE7_AT_32 : Double.NaN;
            rows.add(new Row("figure7", "amd-8x4", p.cores() + " cores", p.cores(), "barrelfish", published,
                p.latencyCycles(), "cycles", p.latencyCycles()));
        }
        return rows;
    }

    /**
     * Figure 3 on amd-4x4: per core count, SHMn (every core updates n shared lines), MSGn (the same update as an RPC
     * to core 0) and the server's own cost. One machine of 16 cores serves every core count (the first n cores take
     * part); {@code shoal bench --machine amd-4x4 --workload shm,msg} boots n cores and gives the same figures.
     */
    static List<Row> figure3(final Skb skb) throws Exception
    {
        final List<Row> rows = new ArrayList<>();
        final MonitorConfig config = MonitorConfig.builder(skb).cores(skb.coreCount())
            .operation(new SharedLineUpdates()).operation(new RpcUpdates()).runners(exact()).build();
        try (MonitorSystem system = MonitorSystem.boot(config, Duration.ofSeconds(120)))
        {
            for (final int cores : FIGURE3_CORES)
            {
                final String kase = cores + " cores";
                for (final int lines : UpdateWorkload.LINES)
                {
                    final double shm = SharedLineUpdates.run(system, cores, lines, UpdateWorkload.WARM_UP,
                        UpdateWorkload.MEASURED, UpdateWorkload.COOL_DOWN).get(60, TimeUnit.SECONDS).cyclesPerUpdate();
                    final double published = lines == 8 && cores == 16 ? SHM8_AT_16 : Double.NaN;
                    rows.add(new Row("figure3", "amd-4x4", kase, cores, "shm" + lines, published, shm, "cycles", shm));
                }
                Row server = null;
                for (final int lines : UpdateWorkload.LINES)
                {
                    final RpcUpdates.Result r = RpcUpdates.run(system, cores, lines, UpdateWorkload.WARM_UP,
                        UpdateWorkload.MEASURED, UpdateWorkload.COOL_DOWN).get(60, TimeUnit.SECONDS);
                    rows.add(new Row("figure3", "amd-4x4", kase, cores, "msg" + lines, Double.NaN,
                        r.cyclesPerUpdate(), "cycles", r.cyclesPerUpdate()));
                    if (lines == 1)
                    {
                        // The paper's Server curve: the server's own cost of a one-line update.
                        server = new Row("figure3", "amd-4x4", kase, cores, "server", Double.NaN,
                            r.serverCyclesPerUpdate(), "cycles", r.serverCyclesPerUpdate());
                    }
                }
                rows.add(server);
            }
        }
        return rows;
    }

    /** The Figure 7 aim: the full unmap within 25 % of the paper's at 2 and at 32 cores. */
    private static void figure7Aim(final List<Row> rows, final Map<String, String> aims)
    {
        final double at2 = find(rows, "figure7", "amd-8x4", "2 cores", "barrelfish");
        final double at32 = find(rows, "figure7", "amd-8x4", "32 cores", "barrelfish");
        final double e2 = (at2 - FIGURE7_AT_2) / FIGURE7_AT_2;
        final double e32 = (at32 - FIGURE7_AT_32) / FIGURE7_AT_32;
        aims.put("Figure 7: Barrelfish's curve within 25 % at 2 and 32 cores", verdict(
            Math.abs(e2) <= 0.25 && Math.abs(e32) <= 0.25, fmt(at2) + " cycles at 2 cores (" + pct(e2) + "), " +
                fmt(at32) + " at 32 (" + pct(e32) + "); grows by " + fmt(at32 - at2) + " against the paper's " +
                fmt(FIGURE7_AT_32 - FIGURE7_AT_2)));
    }

    /** Why Figure 7 comes out as it does, with the figures of this run. */
    private static String figure7Notes(final List<Row> rows)
    {
        final double full2 = find(rows, "figure7", "amd-8x4", "2 cores", "barrelfish");
        final double full32 = find(rows, "figure7", "amd-8x4", "32 cores", "barrelfish");
        final double shoot2 = find(rows, "figure6", "amd-8x4", "2 cores", "numa-multicast");
        final double shoot32 = find(rows, "figure6", "amd-8x4", "32 cores", "numa-multicast");
        return """
            - **Figure 7** is held out. Shoal's full unmap is the NUMA-aware multicast shootdown of Figure 6 plus
              what core 0 does around it: the application's page-table change (a walk of four entries, 60
              cycles), its call into its monitor (the machine's same-core LRPC round trip, 1,549 cycles, which
              covers the request and the reply), the request's slot software (20 cycles per 56 bytes; it names
              the cores) and the monitor's dispatch of it (154). That is %s cycles at 2 cores and %s at 32 (the
              request grows by the cores it names), so the model's curve is its Figure 6 curve lifted by about
              1.8k: %s at 2 cores against ≈ 10.3k. In the paper the same unmap costs ≈ 9k more than its own
              Figure 6 shootdown at 2 cores (≈ 1.3k), and that difference grows by ≈ 5.4k up to 32 cores (its
              shootdown grows by 1.8k, its unmap by 7.2k; each difference of two plot readings is good to about
              ±1k). The model has no mechanism for either: its only per-core costs are the shootdown's, and it
              prices the user's way into the monitor at Table 1's null LRPC. The figures quoted here give no
              breakdown of the paper's unmap; parts Barrelfish's path has that Shoal does not charge are the
              traps into the CPU driver (for the page-table change, and on every core for the INVLPG, the
              monitors running at user level: Shoal charges no kernel entry anywhere, and no machine
              description has a figure for one) and whatever the monitors do for an unmap beyond the protocol
              of Figure 6. The growth comes out closer (%s against 7.2k) only because the model's shootdown
              grows more than the paper's (%s against 1.8k); no parameter was moved for this figure.
            """.formatted(fmt(full2 - shoot2), fmt(full32 - shoot32), fmt(full2), fmt(full32 - full2),
            fmt(shoot32 - shoot2));
    }

    private static DeterministicScheduler exact()
    {
        return new DeterministicScheduler(1, new TraceRecorder(null)).threads(1);
    }

    /**
     * Every row as JSON. A row the paper has no figure for (its plots are read only at some core counts) has no
     * {@code published} and no {@code error} field.
     */
    static String json(final List<Row> rows)
    {
        return new Json().putRaw("figures", rows.stream()
            .map(r -> new Json().put("figure", r.figure()).put("machine", r.machine()).put("case", r.kase())
                .put("cores", r.cores()).put("variant", r.variant())
                .put("published", Double.isNaN(r.published()) ? null : num(r.published()))
                .put("shoal", num(r.shoal())).put("unit", r.unit())
                .put("error", Double.isNaN(r.published()) ? null : (Object)(Math.round(r.error() * 100_000) / 100_000.0))
                .toString())
            .collect(Collectors.joining(",", "[", "]"))).toString();
    }

    private static Object num(final double v)
    {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object)(long)v : (Object)(Math.round(v * 100) / 100.0);
    }

    private static String fmt(final double v)
    {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long)v) : String.format(Locale.ROOT, "%,.2f", v);
    }

    private static String pct(final double e)
    {
        return String.format(Locale.ROOT, "%+.1f %%", e * 100);
    }

    /** Mean absolute relative error of a figure's rows that have a published value. */
    static double meanAbsError(final List<Row> rows, final String figure)
    {
        return rows.stream().filter(r -> r.figure().equals(figure) && !Double.isNaN(r.published()))
            .mapToDouble(r -> Math.abs(r.error())).average().orElse(Double.NaN);
    }

    private static double find(final List<Row> rows, final String figure, final String machine, final String kase,
        final String variant)
    {
        return rows.stream().filter(r -> r.figure().equals(figure) && r.machine().equals(machine) &&
            r.kase().equals(kase) && r.variant().equals(variant)).mapToDouble(Row::shoal).findFirst()
            .orElseThrow();
    }

    /** The aims, each with whether the rows meet it and why. */
    static Map<String, String> aims(final List<Row> rows)
    {
        final Map<String, String> aims = new LinkedHashMap<>();
        final double latencyError = meanAbsError(rows, "table2-latency");
        boolean ordered = true;
        for (final String m : List.of("intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"))
        {
            final List<Row> ofMachine = rows.stream().filter(r -> r.figure().equals("table2-latency") &&
                r.machine().equals(m)).toList();
            for (int i = 1; i < ofMachine.size(); i++)
            {
                ordered &= ofMachine.get(i).shoal() > ofMachine.get(i - 1).shoal();
            }
        }
        aims.put("Table 2 latency: mean absolute error <= 15 %, every placement ordered as in the paper",
            verdict(latencyError <= 0.15 && ordered, "mean absolute error " + pct(latencyError).substring(1) +
                (ordered ? ", every machine ordered as the paper" : ", some machine out of the paper's order")));
        final double worstThroughput = rows.stream().filter(r -> r.figure().equals("table2-throughput"))
            .mapToDouble(r -> Math.abs(r.error())).max().orElse(Double.NaN);
        final boolean falls = find(rows, "table2-throughput", "intel-2x4", "shared cache", "raw channel") >
            find(rows, "table2-throughput", "amd-8x4", "two hops", "raw channel");
        aims.put("Table 2 throughput: each within 25 %, falling from the Intel shared cache to the AMD 8x4",
            verdict(worstThroughput <= 0.25 && falls, "worst error " + pct(worstThroughput).substring(1) +
                (falls ? ", falls as the paper's" : ", does not fall as the paper's")));
        figure3Aim(rows, aims);
        final double numa = find(rows, "figure6", "amd-8x4", "32 cores", "numa-multicast");
        final double multi = find(rows, "figure6", "amd-8x4", "32 cores", "multicast");
        final double uni = find(rows, "figure6", "amd-8x4", "32 cores", "unicast");
        final double broad = find(rows, "figure6", "amd-8x4", "32 cores", "broadcast");
        final boolean order = numa < multi && multi < uni && uni <= broad;
        final double worst32 = rows.stream().filter(r -> r.figure().equals("figure6") && r.cores() == 32)
            .mapToDouble(r -> Math.abs(r.error())).max().orElse(Double.NaN);
        final boolean advantage = multi - numa >= (4_800 - 3_100) / 2.0;
        aims.put("Figure 6 at 32 cores: NUMA-aware multicast < multicast < unicast <= broadcast, each within 30 %, " +
            "NUMA-aware advantage at least half the paper's (850)", verdict(order && worst32 <= 0.30 && advantage,
            (order ? "ordered as the paper" : "not ordered as the paper" + (uni > broad ? " (unicast " + fmt(uni) +
                " dearer than broadcast " + fmt(broad) + ", the paper has it the other way round)" : "")) +
            ", worst error " +
            pct(worst32).substring(1) + ", NUMA-aware advantage " + fmt(multi - numa) + " cycles"));
        figure7Aim(rows, aims);
        return aims;
    }

    /**
     * Figure 3's aim: each SHMn grows from one core count to the next; at every core count SHM grows with lines;
     * at 16 cores SHM2 is no dearer than MSG2 and SHM4 dearer than MSG4 (the paper: messages are cheaper from 4
     * lines); the server's own cost is flat, no point more than 10 % above the one before (the paper's falls at
     * first, once the server is kept busy).
     */
    private static void figure3Aim(final List<Row> rows, final Map<String, String> aims)
    {
        final List<Integer> cores = rows.stream().filter(r -> r.figure().equals("figure3")).map(Row::cores)
            .distinct().toList();
        if (cores.isEmpty())
        {
            return;
        }
        boolean withCores = true;
        boolean withLines = true;
        String firstFall = "";
        for (int i = 0; i < cores.size(); i++)
        {
            final String kase = cores.get(i) + " cores";
            for (final int n : UpdateWorkload.LINES)
            {
                if (i > 0)
                {
                    final double now = find(rows, "figure3", "amd-4x4", kase, "shm" + n);
                    final double before = find(rows, "figure3", "amd-4x4", cores.get(i - 1) + " cores", "shm" + n);
                    if (now <= before && withCores)
                    {
                        firstFall = " (SHM" + n + " " + fmt(Math.rint(before)) + " at " + cores.get(i - 1) +
                            " cores, " + fmt(Math.rint(now)) + " at " + cores.get(i) + ")";
                    }
                    withCores &= now > before;
                }
                if (n > 1)
                {
                    withLines &= find(rows, "figure3", "amd-4x4", kase, "shm" + n) >
                        find(rows, "figure3", "amd-4x4", kase, "shm" + n / 2);
                }
            }
        }
        final String last = cores.get(cores.size() - 1) + " cores";
        final double shm2 = Math.rint(find(rows, "figure3", "amd-4x4", last, "shm2"));
        final double msg2 = Math.rint(find(rows, "figure3", "amd-4x4", last, "msg2"));
        final double shm4 = Math.rint(find(rows, "figure3", "amd-4x4", last, "shm4"));
        final double msg4 = Math.rint(find(rows, "figure3", "amd-4x4", last, "msg4"));
        final boolean crosses = shm2 <= msg2 && shm4 > msg4;
        boolean flat = true;
        for (int i = 1; i < cores.size(); i++)
        {
            flat &= find(rows, "figure3", "amd-4x4", cores.get(i) + " cores", "server") <=
                1.10 * find(rows, "figure3", "amd-4x4", cores.get(i - 1) + " cores", "server");
        }
        aims.put("Figure 3: SHM grows with cores and lines, crosses MSG between 2 and 4 lines, the server curve is " +
            "flat", verdict(withCores && withLines && crosses && flat,
            "SHM " + (withCores ? "grows" : "does not always grow") + " with cores" + firstFall + " and " +
            (withLines ? "grows" : "does not always grow") + " with lines; at " + last + " SHM2 " + fmt(shm2) +
            " against MSG2 " + fmt(msg2) + ", SHM4 " + fmt(shm4) + " against MSG4 " + fmt(msg4) +
            (crosses ? " (crossing between 2 and 4 lines)" : " (no crossing between 2 and 4 lines)") +
            "; the server's cost " + (flat ? "is flat" : "grows") + " (" +
            fmt(Math.rint(find(rows, "figure3", "amd-4x4", cores.get(0) + " cores", "server"))) + " at " + cores.get(0) +
            " cores, " + fmt(Math.rint(find(rows, "figure3", "amd-4x4", last, "server"))) + " at " + last + ")"));
    }

    private static String verdict(final boolean met, final String detail)
    {
        return (met ? "met" : "missed") + ": " + detail;
    }

    static String markdown(final List<Row> rows)
    {
        final StringBuilder out = new StringBuilder();
        out.append("# Validation against the Multikernel paper\n\n");
        out.append("Generated by `./shoal validate` (exact engine; every figure is a property of the model, the same " +
            "for every seed and thread count). Published figures are the Multikernel paper's (SOSP 2009); those " +
            "read off its plots (Figures 6 and 7) or its text about a plot (Figure 3) carry about ±0.5k cycles. Error is (Shoal − published) / published. " +
            "Raw-channel URPC figures are the monitor-to-monitor figures (in brackets) less the monitor's dispatch, " +
            "which the model charges once per message on the receiver. How the model works and what it leaves out: " +
            "[cost-model.md](cost-model.md); which figures move when each parameter moves by ±20 %: its " +
            "Sensitivity section (`bench/sensitivity`). The paper measured at most 32 cores, so every figure Shoal " +
            "gives beyond 32 cores (results.md's sweeps to 65,536) is an extrapolation of this model, validated by " +
            "nothing here.\n\n");
        out.append("## Mean absolute error per figure\n\n| figure | mean abs error | rows |\n|---|---:|---:|\n");
        for (final String f : List.of("table1-lrpc", "table2-latency", "table2-throughput", "table3", "figure3",
            "figure6", "figure7"))
        {
            final long n = rows.stream().filter(r -> r.figure().equals(f) && !Double.isNaN(r.published())).count();
            out.append("| ").append(f).append(" | ").append(pct(meanAbsError(rows, f)).substring(1)).append(" | ")
                .append(n).append(" |\n");
        }
        out.append("\nTable 1's LRPC figure is an input of the model (the machine description's `lrpc_cycles`), not " +
            "a prediction: its error is zero by construction. Figure 3 has one published figure, the one its text " +
            "states (SHM8 at 16 cores, \"almost 12,000\" cycles); its other curves are plotted only and are not " +
            "read off here.\n\n## Aims\n\n| aim | result |\n|---|---|\n");
        aims(rows).forEach((aim, result) -> out.append("| ").append(aim).append(" | ").append(result).append(" |\n"));
        out.append("""

            ## Where the model misses, and why

            - **Table 2 latency** is the calibration: the line transfers of each machine were set from it (see
              cost-model.md), so its small error shows only that the model is consistent, not that it predicts.
              It is no longer exact across packages: a fetch now also pays for the hops to the line's home node,
              and the ping-pong's rings live on the node of the core that opened the channel, so one of the two
              fetches of a round trip pays them; the line transfers were not re-calibrated for it.
            - **Table 2 throughput** is held out. A stream is bounded by the receiver: one ring is read at its
              head, so per message one line fetch plus its software and dispatch, against the paper's hardware,
              which overlaps the fetches of consecutive slots. The same-die AMD figures come out too fast: the
              model gives the same-die line transfer the smallest cost, while the paper's same-die throughput is
              no better than across hops (the broadcast probes every transaction waits for, which the model folds
              into each class's figure, bound throughput as well as latency).
            - **Figure 3** is held out (amd-4x4; `shoal bench --machine amd-4x4 --cores 2,4,8,16
              --workload shm,msg` gives the same figures). Coherence is modelled as message passing
              to the lines' home (core 0), which serves one transaction per line at a time; each
              access costs a request leg and an answer leg of a line transfer each (cost-model.md).
              Every transaction also passes the machine's interconnect: its request travels to the
              home, the home node's memory controller takes it (13 cycles a line, DDR2-800), and,
              these Opterons having no probe filter, the home sends a probe (8 bytes, 5 cycles at
              the link's 4 GB/s each way) to each of the three other packages and answers only when
              every response is back, and the line (4 + 64 bytes, 43 cycles) travels to the
              requester's package, every packet on every link of its route. The links and
              controllers are the whole machine's: the slot lines of every ring pass them too (MSG's
              requests and replies, and the workload's own Start and Done messages). An idle
              interconnect costs nothing (the line transfers, set from Table 2, already hold an idle
              broadcast); a transaction or a slot line pays what the queues delay it (cost-model.md,
              "The interconnect"). And the home holds a line from one transaction until the
              requester's unblock is back (the Hammer protocol's source-done: 0 cycles from the
              home's own package, 53 a hop across links here, a response packet's 3 and the hop step
              of 50 derived from the line transfers), so each handoff of a contended line takes that
              much longer. The figures "without the links" below come from the same `bench` with
              `--machine` a copy of `amd-4x4.pl` without its `link_bandwidth/1` line (which also
              drops the broadcast protocol, and with it the unblock). At 2 cores each line is two
              legs in a row (198 cycles a line, nothing queues); at 16 cores SHM1 4,980, SHM2 4,974,
              SHM4 5,099, SHM8 5,943 (4,228, 4,271, 4,145 and 4,634 without the links; -50 % against
              the paper's ≈ 12k for SHM8), and SHM8 5,710 at 14 cores. With few lines the convoys at
              each line set the figure, about one handoff per core whatever the number of lines, and
              the unblocks make each handoff dearer (SHM1 +18 %); with 8 lines they spread the
              transactions out, and what they take off the queueing on the links is about what they
              add to the convoys (SHM8 was 6,467 with the links and no unblock: a reading of the
              figures, not measured apart). The links and the unblocks together add 1,309 cycles to
              SHM8 at 16 cores, about 10 per core and line, where the paper's slope is about 94. MSG
              is dearer too: each request and reply is a slot line of a ring in core 0's memory, and
              15 clients' lines meet on its node's links and controller (MSG 3,643 without the
              links, 3,834 with them, at 16 cores, for every number of lines). So SHM is still
              dearer than MSG from one line on at 16 cores and the crossing between 2 and 4 lines is
              missed. MSG is bounded by the server: its store buffer commits one reply line per
              update (about 240 cycles averaged over its clients' distances, with what the reply
              lines queue), so 15 clients wait about 15 of those, the same for every number of
              lines, as in the paper (the lines stay in the server's cache). The server's own cost
              falls from 404 cycles at 2 cores (it waits for each request's line) to about 256 once
              requests queue and their fetches overlap, as the paper's does; it includes the
              monitor's dispatch, which a user-level RPC would not pay.
            - **Figure 6** is held out. At 2 cores a round trip costs four line transfers, two dispatches and the
              INVLPG (about 1.6k against ≈ 1.3k). At 32 cores the model gives the paper's order, NUMA-aware
              multicast < multicast < unicast < broadcast. A core polling many rings has up to its miss
              buffers' worth of fetches in flight, so the initiator's 31 acknowledgement fetches overlap and
              unicast is bounded by its store buffer, which commits the 31 requests one line transfer after
              another. Those request lines, and the acknowledgements, are lines of rings in core 0's memory:
              each is two transactions at core 0's node (the writer's invalidation of the reader's copy and
              the reader's fetch, each taking the node's memory controller and sending its probe to the seven
              other packages), and they queue there: unicast is 183 cycles dearer than with no interconnect
              (9,988 on a copy of `amd-8x4.pl` without `link_bandwidth/1` and `dram_bandwidth/1`).
              Broadcast's one line serves its 31 readers one transaction after another, and its home takes
              the next reader's fetch only when the previous reader's unblock is back (37 cycles from a
              package one hop away, 74 from two): 11,579 cycles, 1,591 more than without the unblocks, so
              broadcast is 1.4k dearer than unicast where the paper has it 1.1k dearer. Both come out 16–20 %
              under the paper; what the interconnect leaves out (cost-model.md): each socket's snoop work,
              and the protocol's own legs (responses and data go to the requester on the real parts). The
              multicasts send one request per package, so the initiator's store buffer is busy for 10 lines
              instead of 31, and the NUMA-aware one sends to the furthest packages first and to its own
              package last, so the leaders' subtrees, the long ones, start earlier: 725 cycles of advantage
              against the paper's 1.7k. Its other half, rings on the leaders' nodes, does not show on this
              machine: the leaders are core 0's children in the boot tree, whose channels core 0 opened at
              boot from its own memory (the multicast opens channels from the leader's memory only where none
              exists). Both multicasts stay too slow (+29 %, +76 %): per acknowledgement the initiator still
              pays a dispatch (a tenth of an LRPC, an estimate) and the leaders' forwards wait in their store
              buffers.
            """).append(figure7Notes(rows));
        out.append("\n## Figures\n\n| figure | machine | case | variant | published | Shoal | error |\n" +
            "|---|---|---|---|---:|---:|---:|\n");
        for (final Row r : rows)
        {
            final boolean raw = r.monitorFigure() != r.shoal();
            out.append("| ").append(r.figure()).append(" | ").append(r.machine()).append(" | ").append(r.kase())
                .append(" | ").append(r.variant()).append(" | ")
                .append(Double.isNaN(r.published()) ? "–" : fmt(r.published())).append(" | ")
                .append(fmt(Math.round(r.shoal() * 100) / 100.0))
                .append(raw ? " (" + fmt(Math.round(r.monitorFigure() * 100) / 100.0) + ")" : "").append(" | ")
                .append(Double.isNaN(r.published()) ? "–" : pct(r.error())).append(" |\n");
        }
        return out.toString().stripTrailing();
    }
}
