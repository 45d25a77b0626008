package dev.shoal.skb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.projog.api.Projog;
import org.projog.api.QueryPlan;
import org.projog.api.QueryResult;
import org.projog.api.QueryStatement;
import org.projog.core.ProjogException;
import org.projog.core.term.IntegerNumber;
import org.projog.core.term.ListUtils;
import org.projog.core.term.Term;
import org.projog.core.term.TermType;

/**
 * The System Knowledge Base for one machine: an embedded Projog engine holding the machine's description facts
 * and the SKB rules, answering typed questions (latency, package hops, multicast trees) with Prolog queries.
 *
 * <p><b>Not thread-safe.</b> Projog's engine is single-threaded, so an {@code Skb} belongs to one caller: the core
 * (or the command-line tool) that opened it. Code that needs answers on many cores at once takes an immutable
 * {@link #topology()} snapshot instead.
 *
 * <p>The machine's name, description, clock, LRPC cost and counts are queried once when the machine is opened;
 * the per-core and per-pair methods run a query on each call.
 */
public final class Skb {

    private final Projog prolog;
    private final String machineName;
    private final String description;
    private final int clockMhz;
    private final long lrpcCycles;
    private final int coreCount;
    private final int packageCount;

    private final QueryPlan corePackage;
    private final QueryPlan coreNumaNode;
    private final QueryPlan coreLatency;
    private final QueryPlan packageHopsPlan;
    private final QueryPlan multicastChildren;

    private Topology topology;

    private Skb(Projog prolog) {
        this.prolog = prolog;
        QueryResult machine = prolog.executeQuery("machine(Name, Description, Clock).");
        machine.next();
        this.machineName = machine.getAtomName("Name");
        this.description = machine.getAtomName("Description");
        this.clockMhz = (int) machine.getLong("Clock");
        this.lrpcCycles = prolog.createPlan("lrpc_cycles(L).").findFirstAsLong();
        this.coreCount = (int) prolog.createPlan("core_count(N).").findFirstAsLong();
        this.packageCount = (int) prolog.createPlan("package_count(N).").findFirstAsLong();
        this.corePackage = prolog.createPlan("core(C, P).");
        this.coreNumaNode = prolog.createPlan("numa_node(C, N).");
        this.coreLatency = prolog.createPlan("core_latency(A, B, L).");
        this.packageHopsPlan = prolog.createPlan("package_hops(A, B, H).");
        this.multicastChildren = prolog.createPlan("multicast_children(Root, N, Parent, Children).");
    }

    /**
     * Opens a machine.
     *
     * @param spec a built-in name ({@link MachineCatalog#BUILT_IN_NAMES}), {@code numa:PxC} (P packages of C cores
     *     on a torus, e.g. {@code numa:64x64}), or the path of a {@code .pl} description in the format described
     *     in the skb README
     * @throws MachineDescriptionException with a one-line message (file:line: problem) when the spec names no
     *     machine or the description is malformed
     */
    public static Skb open(String spec) {
        MachineLoader.Source source = MachineCatalog.resolve(spec);
        Projog prolog = new Projog();
        MachineLoader.load(prolog, source);
        return new Skb(prolog);
    }

    public String machineName() {
        return machineName;
    }

    public String description() {
        return description;
    }

    public int clockMhz() {
        return clockMhz;
    }

    /** Cores are numbered 0..coreCount()-1. */
    public int coreCount() {
        return coreCount;
    }

    /** Packages are numbered 0..packageCount()-1. */
    public int packageCount() {
        return packageCount;
    }

    /** Same-core LRPC round trip, in cycles. */
    public long lrpcCycles() {
        return lrpcCycles;
    }

    public int packageOf(int core) {
        checkCore(core);
        QueryStatement query = corePackage.createStatement();
        query.setLong("C", core);
        return (int) single(query.executeQuery(), "P");
    }

    public int numaNodeOf(int core) {
        checkCore(core);
        QueryStatement query = coreNumaNode.createStatement();
        query.setLong("C", core);
        return (int) single(query.executeQuery(), "N");
    }

    /** One-way URPC latency from core {@code a} to core {@code b}, in cycles; 0 when {@code a == b}. */
    public long latency(int coreA, int coreB) {
        checkCore(coreA);
        checkCore(coreB);
        QueryStatement query = coreLatency.createStatement();
        query.setLong("A", coreA);
        query.setLong("B", coreB);
        return single(query.executeQuery(), "L");
    }

    /** Fewest interconnect links between two packages; 0 for the same package. */
    public int packageHops(int packageA, int packageB) {
        checkPackage(packageA);
        checkPackage(packageB);
        QueryStatement query = packageHopsPlan.createStatement();
        query.setLong("A", packageA);
        query.setLong("B", packageB);
        return (int) single(query.executeQuery(), "H");
    }

    /**
     * The NUMA-aware multicast tree over cores {@code 0..coreCount-1} (rule {@code multicast_children/4}): the root
     * sends to the other cores of its own package and to one leader per other package (the lowest-numbered
     * participating core there), farthest first; each leader forwards to the rest of its package, farthest first.
     * Ties in latency go to the lower core id.
     *
     * @throws IllegalArgumentException unless {@code 1 <= coreCount <= coreCount()} and {@code 0 <= root < coreCount}
     */
    public RoutingTree multicastTree(int root, int coreCount) {
        if (coreCount < 1 || coreCount > this.coreCount) {
            throw new IllegalArgumentException("a multicast tree on " + machineName + " spans 1.." + this.coreCount
                    + " cores, not " + coreCount);
        }
        if (root < 0 || root >= coreCount) {
            throw new IllegalArgumentException("root " + root + " is not among the participating cores 0.." + (coreCount - 1));
        }
        Integer[] parents = new Integer[coreCount];
        Arrays.fill(parents, RoutingTree.NOT_A_MEMBER);
        parents[root] = RoutingTree.NO_PARENT;
        List<List<Integer>> children = new ArrayList<>(coreCount);
        for (int c = 0; c < coreCount; c++) {
            children.add(List.of());
        }
        QueryStatement query = multicastChildren.createStatement();
        query.setLong("Root", root);
        query.setLong("N", coreCount);
        QueryResult result = query.executeQuery();
        while (result.next()) {
            int parent = (int) result.getLong("Parent");
            List<Integer> sends = new ArrayList<>();
            for (Term child : ListUtils.toJavaUtilList(result.getTerm("Children"))) {
                int c = (int) longValue(child);
                sends.add(c);
                parents[c] = parent;
            }
            children.set(parent, sends);
        }
        RoutingTree tree = new RoutingTree(root, Arrays.asList(parents), children);
        if (tree.size() != coreCount) {
            throw new IllegalStateException("multicast_children/4 left out " + (coreCount - tree.size()) + " cores");
        }
        return tree;
    }

    /**
     * An immutable, thread-safe snapshot of the machine's cores, packages and latencies, built on first call
     * and then reused.
     *
     * <p>Built from five Prolog queries: {@code core/2}, {@code numa_node/2}, {@code shared_cache/2},
     * {@code urpc_latency/2}, and one enumeration of {@code package_hops/3} over all P x P package pairs.
     */
    public Topology topology() {
        if (topology == null) {
            topology = buildTopology();
        }
        return topology;
    }

    /**
     * Runs an ad-hoc Prolog goal and returns every binding of one of its variables, formatted as Prolog text.
     * A goal with infinitely many answers does not return.
     *
     * @param goal e.g. {@code core_latency(0, C, L), L > 600} (the final '.' is optional)
     * @param variable a variable of the goal, e.g. {@code C}
     * @throws IllegalArgumentException with a one-line message when the goal does not parse, fails with an
     *     error, or does not mention the variable
     */
    public List<String> query(String goal, String variable) {
        String text = goal.strip();
        if (!text.endsWith(".")) {
            text = text + ".";
        }
        try {
            QueryResult result = prolog.executeQuery(text);
            if (!result.getVariableIds().contains(variable)) {
                throw new IllegalArgumentException("variable " + variable + " does not occur in " + goal.strip());
            }
            List<String> answers = new ArrayList<>();
            while (result.next()) {
                answers.add(prolog.formatTerm(result.getTerm(variable)));
            }
            return answers;
        } catch (ProjogException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalArgumentException(("query " + goal.strip() + " failed: " + message).replaceAll("\\s*\\R\\s*", " "));
        }
    }

    @Override
    public String toString() {
        return "Skb[" + machineName + ", " + coreCount + " cores]";
    }

    private Topology buildTopology() {
        int[] packageOfCore = new int[coreCount];
        QueryResult cores = prolog.executeQuery("core(C, P).");
        while (cores.next()) {
            packageOfCore[(int) cores.getLong("C")] = (int) cores.getLong("P");
        }
        int[] numaNodeOfCore = new int[coreCount];
        QueryResult nodes = prolog.executeQuery("numa_node(C, N).");
        while (nodes.next()) {
            numaNodeOfCore[(int) nodes.getLong("C")] = (int) nodes.getLong("N");
        }
        int[] cacheGroupOfCore = new int[coreCount];
        Arrays.fill(cacheGroupOfCore, Topology.NO_CACHE_GROUP);
        Map<String, Integer> groupIndex = new HashMap<>();
        QueryResult caches = prolog.executeQuery("shared_cache(C, G).");
        while (caches.next()) {
            String group = prolog.formatTerm(caches.getTerm("G"));
            Integer index = groupIndex.computeIfAbsent(group, g -> groupIndex.size());
            cacheGroupOfCore[(int) caches.getLong("C")] = index;
        }
        int[] hops = new int[packageCount * packageCount];
        int maxHops = 0;
        QueryResult pairs = prolog.executeQuery("package_hops(A, B, H).");
        while (pairs.next()) {
            int h = (int) pairs.getLong("H");
            hops[(int) pairs.getLong("A") * packageCount + (int) pairs.getLong("B")] = h;
            maxHops = Math.max(maxHops, h);
        }
        long sharedCache = Topology.NO_LATENCY;
        long samePackage = Topology.NO_LATENCY;
        long[] byHops = new long[maxHops + 1];
        Arrays.fill(byHops, Topology.NO_LATENCY);
        QueryResult classes = prolog.executeQuery("urpc_latency(K, L).");
        while (classes.next()) {
            Term latencyClass = classes.getTerm("K");
            long cycles = classes.getLong("L");
            switch (latencyClass.getName()) {
                case "shared_cache" -> sharedCache = cycles;
                case "same_package" -> samePackage = cycles;
                default -> {
                    int h = (int) longValue(latencyClass.getArgument(0));
                    if (h <= maxHops) {
                        byHops[h] = cycles;
                    }
                }
            }
        }
        long sharedTransfer = Topology.NO_LATENCY;
        long sameTransfer = Topology.NO_LATENCY;
        long[] transferByHops = new long[maxHops + 1];
        Arrays.fill(transferByHops, Topology.NO_LATENCY);
        if (defines("line_transfer", 2)) {
            QueryResult transfers = prolog.executeQuery("line_transfer(K, L).");
            while (transfers.next()) {
                Term transferClass = transfers.getTerm("K");
                long cycles = transfers.getLong("L");
                switch (transferClass.getName()) {
                    case "shared_cache" -> sharedTransfer = cycles;
                    case "same_package" -> sameTransfer = cycles;
                    default -> {
                        int h = (int) longValue(transferClass.getArgument(0));
                        if (h <= maxHops) {
                            transferByHops[h] = cycles;
                        }
                    }
                }
            }
        }
        int missBuffers = defines("miss_buffers", 1)
                ? (int) prolog.createPlan("miss_buffers(N).").findFirstAsLong() : Topology.DEFAULT_MISS_BUFFERS;
        long dramBandwidth = defines("dram_bandwidth", 1)
                ? prolog.createPlan("dram_bandwidth(B).").findFirstAsLong() : Topology.NO_DRAM_BANDWIDTH;
        long linkBandwidth = defines("link_bandwidth", 1)
                ? prolog.createPlan("link_bandwidth(B).").findFirstAsLong() : Topology.NO_BANDWIDTH;
        long busBandwidth = defines("bus_bandwidth", 1)
                ? prolog.createPlan("bus_bandwidth(B).").findFirstAsLong() : Topology.NO_BANDWIDTH;
        return new Topology(machineName, clockMhz, lrpcCycles, packageOfCore, numaNodeOfCore, cacheGroupOfCore,
                packageCount, hops, sharedCache, samePackage, byHops, sharedTransfer, sameTransfer, transferByHops,
                missBuffers, dramBandwidth, linkBandwidth, busBandwidth);
    }

    private boolean defines(String name, int arity) {
        for (var key : prolog.getKnowledgeBase().getPredicates().getAllDefinedPredicateKeys()) {
            if (key.getName().equals(name) && key.getNumArgs() == arity) {
                return true;
            }
        }
        return false;
    }

    private void checkCore(int core) {
        if (core < 0 || core >= coreCount) {
            throw new IllegalArgumentException("core " + core + " does not exist: " + machineName + " has cores 0.."
                    + (coreCount - 1));
        }
    }

    private void checkPackage(int pkg) {
        if (pkg < 0 || pkg >= packageCount) {
            throw new IllegalArgumentException("package " + pkg + " does not exist: " + machineName + " has packages 0.."
                    + (packageCount - 1));
        }
    }

    // The loader guarantees one answer for every existing core or package; none means the rules are broken.
    private static long single(QueryResult result, String variable) {
        if (!result.next()) {
            throw new IllegalStateException("SKB rules gave no answer for " + variable);
        }
        return result.getLong(variable);
    }

    private static long longValue(Term term) {
        Term bound = term.getTerm();
        if (bound.getType() != TermType.INTEGER) {
            throw new IllegalStateException("expected an integer, got " + bound);
        }
        return ((IntegerNumber) bound).getLong();
    }
}
