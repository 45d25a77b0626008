package dev.shoal.libos.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.shoal.kernel.Dispatcher;
import dev.shoal.libos.Machines;
import dev.shoal.libos.Shoal;

/**
 * The null RPC's round trip in simulated cycles, same core (LMP) and across cores (UMP) at each distance of the
 * machine, in deterministic mode. It prints the figures (docs/libos.md records them) and checks only what the
 * cost model implies: an LMP call costs at least two LMP messages (the machine's LRPC), a UMP call at least twice the link's latency,
 * and the same seed gives the same figures.
 * <pre>
 *   client dispatcher (core 0)                         server dispatcher (core N)
 *     ping() ── CALL (9 bytes, 1 slot / 2 LMP words) ──▶  decode, invoke, encode
 *            ◀── RESULT (5 bytes) ─────────────────────
 * </pre>
 */
class NullRpcCostTest
{
    interface Null
    {
        void ping();
    }

    static final int CALLS = 200;

    /** Cycles per call from core 0 to each server core, after a warm-up call. */
    static List<String> measure(final String machine, final int cores, final long seed, final int[] serverCores) throws Exception
    {
        final List<String> lines = new ArrayList<>();
        try (Shoal shoal = Machines.boot("deterministic:" + seed, machine, cores))
        {
            for (final int server : serverCores)
            {
                final String name = "null@" + server;
                Machines.run(shoal, "server" + server, new int[] {server}, os -> Rpc.export(os, name, Null.class, () -> { }));
                final ConcurrentHashMap<String, Long> result = new ConcurrentHashMap<>();
                Machines.run(shoal, "client" + server, new int[] {0}, os ->
                {
                    final Null stub = Rpc.bind(os, name, Null.class);
                    stub.ping();
                    final long start = os.now();
                    for (int i = 0; i < CALLS; i++)
                    {
                        stub.ping();
                    }
                    result.put("cycles", (os.now() - start) / CALLS);
                    result.put("lrpc", Dispatcher.current().core().costs().lrpcRoundTrip());
                    result.put("lmp", 2 * Dispatcher.current().core().costs().lmpOneWay());
                    Rpc.close(stub);
                });
                // One UMP message: the sender's line transfer, the receiver's fetch, and the software of each end.
                final long latency = 2 * shoal.system().topology().lineTransfer(0, server) +
                    dev.shoal.kernel.CostModel.UMP_SEND_SOFTWARE + dev.shoal.kernel.CostModel.UMP_RECEIVE_SOFTWARE;
                final long cycles = result.get("cycles");
                if (server == 0)
                {
                    assertTrue(cycles >= result.get("lmp"), cycles + " cycles < two LMP messages " + result.get("lmp"));
                }
                else
                {
                    assertTrue(cycles >= 2 * latency, cycles + " cycles < twice a UMP message " + latency);
                }
                lines.add(String.format("null RPC %s core 0 -> core %d (%s, one-way link %d cycles, LRPC %d): %d " +
                    "cycles per call", machine, server, server == 0 ? "lmp" : "ump", latency, result.get("lrpc"),
                    cycles));
            }
        }
        return lines;
    }

    @ParameterizedTest
    @CsvSource({"amd-8x4, 32", "intel-2x4, 8"})
    void shouldCostAtLeastTheTransportsRoundTripTheSameForTheSameSeed(final String machine, final int cores)
        throws Exception
    {
        // Core 0 itself, then the first core at each distinct link latency from core 0.
        final List<Integer> picked = new ArrayList<>(List.of(0));
        try (Shoal probe = Machines.boot("live", machine, cores))
        {
            final var latencies = new java.util.TreeSet<Long>();
            for (int core = 1; core < probe.cores(); core++)
            {
                if (latencies.add(probe.system().topology().latency(0, core)))
                {
                    picked.add(core);
                }
            }
        }
        final int[] servers = picked.stream().mapToInt(Integer::intValue).toArray();
        final List<String> first = measure(machine, cores, 1, servers);
        first.forEach(System.out::println);
        assertEquals(first, measure(machine, cores, 1, servers), "deterministic mode repeats the figures");
    }
}
