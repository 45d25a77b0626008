package dev.shoal.skb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.projog.core.term.IntegerNumber;
import org.projog.core.term.Term;
import org.projog.core.term.TermFormatter;
import org.projog.core.term.TermType;

/**
 * Checks the clauses of a machine description before they reach the Prolog engine, so that a mistake is
 * reported as {@code file:line: problem} instead of surfacing later as a query that silently fails.
 *
 * <p>Each fact is checked for arity and argument types as it is read; facts that refer to each other (a core's
 * package, a cache group spanning packages, a latency for every distance) are checked once the whole file has
 * been read, because Prolog lets facts come in any order. One checker checks one description; not thread-safe.
 */
final class MachineDescriptionChecker {

    private record Signature(int arity, String text) {
    }

    private static final Map<String, Signature> FACTS = Map.ofEntries(
            Map.entry("machine", new Signature(3, "machine(Name, Description, ClockMHz)")),
            Map.entry("package", new Signature(1, "package(Package)")),
            Map.entry("core", new Signature(2, "core(CoreId, Package)")),
            Map.entry("numa_node", new Signature(2, "numa_node(Core, Node)")),
            Map.entry("shared_cache", new Signature(2, "shared_cache(Core, CacheGroup)")),
            Map.entry("interconnect", new Signature(2, "interconnect(PackageA, PackageB)")),
            Map.entry("urpc_latency", new Signature(2, "urpc_latency(Class, Cycles)")),
            Map.entry("line_transfer", new Signature(2, "line_transfer(Class, Cycles)")),
            Map.entry("lrpc_cycles", new Signature(1, "lrpc_cycles(Cycles)")),
            Map.entry("miss_buffers", new Signature(1, "miss_buffers(Count)")),
            Map.entry("dram_bandwidth", new Signature(1, "dram_bandwidth(MegabytesPerSecond)")),
            Map.entry("link_bandwidth", new Signature(1, "link_bandwidth(MegabytesPerSecond)")),
            Map.entry("bus_bandwidth", new Signature(1, "bus_bandwidth(MegabytesPerSecond)")),
            Map.entry("memory_region", new Signature(3, "memory_region(Node, BaseAddress, Bytes)")),
            Map.entry("torus", new Signature(2, "torus(Width, Height)")));

    /** A fact and where it was read. */
    private record Fact(Term term, int line) {
    }

    private final String source;
    private final TermFormatter formatter;
    private final Set<String> reservedKeys;
    private final Set<String> builtInKeys;

    private Fact machine;
    private Fact lrpc;
    private Fact torus;
    private final Map<Integer, Fact> packages = new TreeMap<>();
    private final Map<Integer, Fact> cores = new TreeMap<>();
    private final Map<Integer, Integer> packageOfCore = new HashMap<>();
    private final Map<Integer, Fact> numaFacts = new HashMap<>();
    private final Map<Integer, Integer> numaOfCore = new HashMap<>();
    private final Map<Integer, Fact> cacheFacts = new TreeMap<>();
    private final Map<Integer, String> cacheGroupOfCore = new HashMap<>();
    private final Map<Long, Fact> links = new LinkedHashMap<>();
    private final Map<String, Fact> latencyClasses = new HashMap<>();
    private final List<Fact> memoryRegions = new ArrayList<>();

    /**
     * @param source the name used in error messages
     * @param formatter renders terms in messages as the user wrote them
     * @param reservedKeys {@code name/arity} of the predicates the SKB rules define
     * @param builtInKeys {@code name/arity} of the engine's built-in predicates
     */
    MachineDescriptionChecker(String source, TermFormatter formatter, Set<String> reservedKeys, Set<String> builtInKeys) {
        this.source = source;
        this.formatter = formatter;
        this.reservedKeys = reservedKeys;
        this.builtInKeys = builtInKeys;
    }

    /**
     * Checks a whole description.
     *
     * @param lastLine the last line of the file, where missing facts are reported
     * @throws MachineDescriptionException at the first problem found
     */
    MachineInfo check(List<PrologSource.Clause> clauses, int lastLine) {
        for (PrologSource.Clause clause : clauses) {
            checkClause(clause);
        }
        return checkWhole(lastLine);
    }

    private void checkClause(PrologSource.Clause clause) {
        Term term = clause.term();
        String name = term.getName();
        int arity = term.getNumberOfArguments();
        if ((name.equals(":-") || name.equals("?-")) && arity == 1) {
            throw problem(clause.line(), "directives are not allowed in a machine description");
        }
        boolean rule = name.equals(":-") && arity == 2;
        Term head = rule ? term.getArgument(0) : term;
        if (head.getType() != TermType.ATOM && head.getType() != TermType.STRUCTURE) {
            throw problem(clause.line(), "a clause must start with an atom or a compound term, not " + show(head));
        }
        String key = head.getName() + "/" + head.getNumberOfArguments();
        if (reservedKeys.contains(key)) {
            throw problem(clause.line(), key + " is defined by the SKB rules; a machine description cannot redefine it");
        }
        if (builtInKeys.contains(key)) {
            throw problem(clause.line(), key + " is a built-in predicate and cannot be redefined");
        }
        Signature signature = FACTS.get(head.getName());
        if (signature == null) {
            return; // the description's own predicate: loaded unchanged
        }
        Fact fact = new Fact(head, clause.line());
        if (head.getNumberOfArguments() != signature.arity()) {
            throw problem(fact, "expected " + signature.text());
        }
        if (rule) {
            throw problem(fact, key + " must be given as facts, not rules");
        }
        switch (head.getName()) {
            case "machine" -> machine(fact);
            case "package" -> packageFact(fact);
            case "core" -> core(fact);
            case "numa_node" -> numaNode(fact);
            case "shared_cache" -> sharedCache(fact);
            case "interconnect" -> interconnect(fact);
            case "urpc_latency" -> urpcLatency(fact);
            case "line_transfer" -> lineTransfer(fact);
            case "lrpc_cycles" -> {
                integer(fact, 0, "Cycles", 0);
                lrpc = single(lrpc, fact, "lrpc_cycles");
            }
            case "miss_buffers" -> {
                integer(fact, 0, "Count", 1);
                if (longArg(fact, 0) > 64) {
                    throw problem(fact, "Count " + longArg(fact, 0) + " is more outstanding line fetches than any core has");
                }
                missBuffers = single(missBuffers, fact, "miss_buffers");
            }
            case "dram_bandwidth" -> {
                integer(fact, 0, "MegabytesPerSecond", 1);
                dramBandwidth = single(dramBandwidth, fact, "dram_bandwidth");
            }
            case "link_bandwidth" -> {
                integer(fact, 0, "MegabytesPerSecond", 1);
                linkBandwidth = single(linkBandwidth, fact, "link_bandwidth");
                if (busBandwidth != null) {
                    throw problem(fact, "a machine has point-to-point links or front-side buses, not both "
                            + "(bus_bandwidth is on line " + busBandwidth.line() + ")");
                }
            }
            case "bus_bandwidth" -> {
                integer(fact, 0, "MegabytesPerSecond", 1);
                busBandwidth = single(busBandwidth, fact, "bus_bandwidth");
                if (linkBandwidth != null) {
                    throw problem(fact, "a machine has point-to-point links or front-side buses, not both "
                            + "(link_bandwidth is on line " + linkBandwidth.line() + ")");
                }
            }
            case "memory_region" -> memoryRegion(fact);
            case "torus" -> torusFact(fact);
            default -> throw new IllegalStateException("no check for " + key);
        }
    }

    private Fact missBuffers;
    private Fact dramBandwidth;
    private Fact linkBandwidth;
    private Fact busBandwidth;

    private void machine(Fact fact) {
        atom(fact, 0, "Name");
        atom(fact, 1, "Description");
        integer(fact, 2, "ClockMHz", 1);
        if (longArg(fact, 2) > Integer.MAX_VALUE) {
            throw problem(fact, "ClockMHz " + longArg(fact, 2) + " is too large");
        }
        machine = single(machine, fact, "machine");
    }

    private Fact single(Fact previous, Fact fact, String what) {
        if (previous != null) {
            throw problem(fact, "only one " + what + " fact is allowed (the first is on line " + previous.line() + ")");
        }
        return fact;
    }

    private void packageFact(Fact fact) {
        int p = id(fact, 0, "Package");
        Fact first = packages.putIfAbsent(p, fact);
        if (first != null) {
            throw problem(fact, "package " + p + " is already declared on line " + first.line());
        }
    }

    private void core(Fact fact) {
        int core = id(fact, 0, "CoreId");
        int p = id(fact, 1, "Package");
        Fact first = cores.putIfAbsent(core, fact);
        if (first != null) {
            throw problem(fact, "duplicate core id " + core + " (first declared on line " + first.line() + ")");
        }
        packageOfCore.put(core, p);
    }

    private void numaNode(Fact fact) {
        int core = id(fact, 0, "Core");
        int node = id(fact, 1, "Node");
        Fact first = numaFacts.putIfAbsent(core, fact);
        if (first != null) {
            throw problem(fact, "core " + core + " already has a NUMA node on line " + first.line());
        }
        numaOfCore.put(core, node);
    }

    private void sharedCache(Fact fact) {
        int core = id(fact, 0, "Core");
        Term group = fact.term().getArgument(1);
        if (group.getType() != TermType.ATOM && group.getType() != TermType.INTEGER) {
            throw problem(fact, "CacheGroup must be an atom or an integer, not " + show(group));
        }
        Fact first = cacheFacts.putIfAbsent(core, fact);
        if (first != null) {
            throw problem(fact, "core " + core + " is already in a cache group on line " + first.line());
        }
        cacheGroupOfCore.put(core, formatter.formatTerm(group));
    }

    private void interconnect(Fact fact) {
        int a = id(fact, 0, "PackageA");
        int b = id(fact, 1, "PackageB");
        if (a == b) {
            throw problem(fact, "a package cannot be linked to itself");
        }
        long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
        Fact first = links.putIfAbsent(key, fact);
        if (first != null) {
            throw problem(fact, "duplicates the link " + show(first.term()) + " on line " + first.line());
        }
    }

    private void urpcLatency(Fact fact) {
        Term latencyClass = fact.term().getArgument(0);
        String classKey = latencyClassKey(latencyClass);
        if (classKey == null) {
            throw problem(fact, "Class must be shared_cache, same_package or hops(N) with N >= 1, not " + show(latencyClass));
        }
        integer(fact, 1, "Cycles", 0);
        Fact first = latencyClasses.putIfAbsent(classKey, fact);
        if (first != null) {
            throw problem(fact, "latency class " + classKey + " already has a latency on line " + first.line());
        }
    }

    private final Map<String, Fact> transferClasses = new HashMap<>();

    private void lineTransfer(Fact fact) {
        Term transferClass = fact.term().getArgument(0);
        String classKey = latencyClassKey(transferClass);
        if (classKey == null) {
            throw problem(fact, "Class must be shared_cache, same_package or hops(N) with N >= 1, not " + show(transferClass));
        }
        integer(fact, 1, "Cycles", 0);
        Fact first = transferClasses.putIfAbsent(classKey, fact);
        if (first != null) {
            throw problem(fact, "transfer class " + classKey + " already has a line transfer on line " + first.line());
        }
    }

    private String latencyClassKey(Term latencyClass) {
        if (latencyClass.getType() == TermType.ATOM) {
            String name = latencyClass.getName();
            return name.equals("shared_cache") || name.equals("same_package") ? name : null;
        }
        if (latencyClass.getType() == TermType.STRUCTURE && latencyClass.getName().equals("hops")
                && latencyClass.getNumberOfArguments() == 1) {
            Term hops = latencyClass.getArgument(0);
            if (hops.getType() == TermType.INTEGER && ((IntegerNumber) hops).getLong() >= 1) {
                return hopsKey(((IntegerNumber) hops).getLong());
            }
        }
        return null;
    }

    private static String hopsKey(long hops) {
        return "hops(" + hops + ")";
    }

    private void memoryRegion(Fact fact) {
        id(fact, 0, "Node");
        integer(fact, 1, "BaseAddress", 0);
        long base = ((IntegerNumber) fact.term().getArgument(1)).getLong();
        integer(fact, 2, "Bytes", 1);
        long bytes = ((IntegerNumber) fact.term().getArgument(2)).getLong();
        if (base > Long.MAX_VALUE - bytes) {
            throw problem(fact, "the region ends beyond the 64-bit address space");
        }
        memoryRegions.add(fact);
    }

    private void torusFact(Fact fact) {
        id(fact, 0, "Width");
        id(fact, 1, "Height");
        if (torus != null) {
            throw problem(fact, "only one torus fact is allowed (the first is on line " + torus.line() + ")");
        }
        torus = fact;
    }

    // ---- checks that need the whole file ----

    private MachineInfo checkWhole(int lastLine) {
        if (machine == null) {
            throw new MachineDescriptionException(source, lastLine, "missing fact machine(Name, Description, ClockMHz)");
        }
        if (packages.isEmpty()) {
            throw new MachineDescriptionException(source, lastLine, "missing package(Package) facts");
        }
        if (cores.isEmpty()) {
            throw new MachineDescriptionException(source, lastLine, "missing core(CoreId, Package) facts");
        }
        requireContiguous(packages, "package");
        requireContiguous(cores, "core");
        checkCorePlacement();
        checkCacheGroups();
        List<int[]> linkList = checkLinks();
        int[][] hops = PackageGraph.hops(packages.size(), linkList);
        checkConnected(hops);
        checkTorus(hops);
        checkLatencyClasses(hops, lastLine);
        if (lrpc == null) {
            throw new MachineDescriptionException(source, lastLine, "missing fact lrpc_cycles(Cycles)");
        }
        checkMemoryRegions();
        return new MachineInfo(machine.term().getArgument(0).getName(), machine.term().getArgument(1).getName(),
                cores.size(), packages.size());
    }

    // Ids index Java arrays and Prolog answers alike; a gap would leave a hole in every table built from them.
    private void requireContiguous(Map<Integer, Fact> byId, String what) {
        int count = byId.size();
        for (int id = 0; id < count; id++) {
            if (!byId.containsKey(id)) {
                Fact outOfRange = byId.entrySet().stream().filter(e -> e.getKey() >= count).findFirst().orElseThrow().getValue();
                throw problem(outOfRange, what + " ids must run from 0 to " + (count - 1) + " without gaps, but " + what
                        + " " + id + " is not declared");
            }
        }
    }

    private void checkCorePlacement() {
        Set<Integer> packagesWithCores = new HashSet<>();
        for (Map.Entry<Integer, Fact> entry : cores.entrySet()) {
            int core = entry.getKey();
            int p = packageOfCore.get(core);
            if (!packages.containsKey(p)) {
                throw problem(entry.getValue(), "package " + p + " is not declared");
            }
            if (!numaOfCore.containsKey(core)) {
                throw problem(entry.getValue(), "core " + core + " has no numa_node(" + core + ", Node) fact");
            }
            packagesWithCores.add(p);
        }
        for (Map.Entry<Integer, Fact> entry : packages.entrySet()) {
            if (!packagesWithCores.contains(entry.getKey())) {
                throw problem(entry.getValue(), "package " + entry.getKey() + " has no cores");
            }
        }
        for (Map.Entry<Integer, Fact> entry : numaFacts.entrySet()) {
            if (!cores.containsKey(entry.getKey())) {
                throw problem(entry.getValue(), "core " + entry.getKey() + " is not declared");
            }
        }
    }

    // A cache shared across packages would make "same cache group" closer than "same package" across a link.
    private void checkCacheGroups() {
        Map<String, Integer> firstCoreOfGroup = new HashMap<>();
        for (Map.Entry<Integer, Fact> entry : cacheFacts.entrySet()) {
            int core = entry.getKey();
            if (!cores.containsKey(core)) {
                throw problem(entry.getValue(), "core " + core + " is not declared");
            }
            String group = cacheGroupOfCore.get(core);
            Integer other = firstCoreOfGroup.putIfAbsent(group, core);
            if (other != null && !packageOfCore.get(other).equals(packageOfCore.get(core))) {
                throw problem(entry.getValue(), "cache group " + group + " also holds core " + other + " of package "
                        + packageOfCore.get(other) + ", but core " + core + " is in package " + packageOfCore.get(core));
            }
        }
    }

    private List<int[]> checkLinks() {
        List<int[]> result = new ArrayList<>(links.size());
        for (Fact fact : links.values()) {
            int a = intArg(fact, 0);
            int b = intArg(fact, 1);
            for (int p : new int[] {a, b}) {
                if (!packages.containsKey(p)) {
                    throw problem(fact, "package " + p + " is not declared");
                }
            }
            result.add(new int[] {a, b});
        }
        return result;
    }

    private void checkConnected(int[][] hops) {
        for (Map.Entry<Integer, Fact> entry : packages.entrySet()) {
            if (hops[0][entry.getKey()] == PackageGraph.UNREACHABLE) {
                throw problem(entry.getValue(), "package " + entry.getKey()
                        + " is not joined to package 0 by any chain of interconnect facts");
            }
        }
    }

    // The rules trust torus/2 to compute hops by arithmetic; it must agree with the links it stands for.
    private void checkTorus(int[][] hops) {
        if (torus == null) {
            return;
        }
        int width = intArg(torus, 0);
        int height = intArg(torus, 1);
        int count = packages.size();
        if ((long) width * height != count) {
            throw problem(torus, "a " + width + " x " + height + " torus has " + ((long) width * height)
                    + " positions, but there are " + count + " packages");
        }
        for (int a = 0; a < count; a++) {
            for (int b = 0; b < count; b++) {
                int dx = Math.abs(a % width - b % width);
                int dy = Math.abs(a / width - b / width);
                int byFormula = Math.min(dx, width - dx) + Math.min(dy, height - dy);
                if (byFormula != hops[a][b]) {
                    throw problem(torus, "packages " + a + " and " + b + " are " + byFormula + " hops apart on the torus but "
                            + hops[a][b] + " over the interconnect facts");
                }
            }
        }
    }

    private void checkLatencyClasses(int[][] hops, int lastLine) {
        if (!cacheFacts.isEmpty() && !latencyClasses.containsKey("shared_cache")) {
            throw new MachineDescriptionException(source, lastLine,
                    "missing fact urpc_latency(shared_cache, Cycles): there are shared_cache facts");
        }
        int[] pair = samePackagePairWithoutSharedCache();
        if (pair != null && !latencyClasses.containsKey("same_package")) {
            throw new MachineDescriptionException(source, lastLine, "missing fact urpc_latency(same_package, Cycles): cores "
                    + pair[0] + " and " + pair[1] + " share a package but no cache");
        }
        for (int a = 0; a < hops.length; a++) {
            for (int b = a + 1; b < hops.length; b++) {
                if (!latencyClasses.containsKey(hopsKey(hops[a][b]))) {
                    throw new MachineDescriptionException(source, lastLine, "missing fact urpc_latency(" + hopsKey(hops[a][b])
                            + ", Cycles): packages " + a + " and " + b + " are " + hops[a][b] + (hops[a][b] == 1 ? " hop" : " hops")
                            + " apart");
                }
            }
        }
    }

    private int[] samePackagePairWithoutSharedCache() {
        Map<Integer, Integer> firstCoreOfPackage = new HashMap<>();
        for (int core : cores.keySet()) {
            Integer first = firstCoreOfPackage.putIfAbsent(packageOfCore.get(core), core);
            if (first != null) {
                String groupA = cacheGroupOfCore.get(first);
                if (groupA == null || !groupA.equals(cacheGroupOfCore.get(core))) {
                    return new int[] {first, core};
                }
            }
        }
        // Every core shares a cache with its package's first core: no pair needs the same_package class.
        return null;
    }

    private void checkMemoryRegions() {
        Set<Integer> nodes = new HashSet<>(numaOfCore.values());
        for (Fact region : memoryRegions) {
            int node = intArg(region, 0);
            if (!nodes.contains(node)) {
                throw problem(region, "NUMA node " + node + " has no cores");
            }
        }
        List<Fact> byBase = new ArrayList<>(memoryRegions);
        byBase.sort(Comparator.comparingLong(f -> longArg(f, 1)));
        for (int i = 1; i < byBase.size(); i++) {
            Fact previous = byBase.get(i - 1);
            Fact region = byBase.get(i);
            if (longArg(previous, 1) + longArg(previous, 2) > longArg(region, 1)) {
                Fact later = previous.line() > region.line() ? previous : region;
                Fact earlier = later == previous ? region : previous;
                throw problem(later, "overlaps " + show(earlier.term()) + " on line " + earlier.line());
            }
        }
    }

    // ---- argument helpers ----

    private void atom(Fact fact, int index, String argName) {
        Term arg = fact.term().getArgument(index);
        if (arg.getType() != TermType.ATOM) {
            throw problem(fact, argName + " must be an atom (quote it: 'like this'), not " + show(arg));
        }
    }

    private void integer(Fact fact, int index, String argName, long min) {
        Term arg = fact.term().getArgument(index);
        if (arg.getType() != TermType.INTEGER) {
            throw problem(fact, argName + " must be an integer, not " + show(arg));
        }
        long value = ((IntegerNumber) arg).getLong();
        if (value < min) {
            throw problem(fact, argName + " must be at least " + min + ", not " + value);
        }
    }

    private int id(Fact fact, int index, String argName) {
        integer(fact, index, argName, 0);
        long value = longArg(fact, index);
        if (value > Integer.MAX_VALUE) {
            throw problem(fact, argName + " " + value + " is too large");
        }
        return (int) value;
    }

    private static long longArg(Fact fact, int index) {
        return ((IntegerNumber) fact.term().getArgument(index)).getLong();
    }

    private static int intArg(Fact fact, int index) {
        return (int) longArg(fact, index);
    }

    // For messages only: a term can be megabytes long, and the user needs just enough to find it.
    private String show(Term term) {
        return MachineDescriptionException.excerpt(formatter.formatTerm(term));
    }

    private MachineDescriptionException problem(Fact fact, String problem) {
        // Formatted only here: most facts are fine, and numa:64x64 has 8,000 of them.
        return new MachineDescriptionException(source, fact.line(), show(fact.term()) + ": " + problem);
    }

    private MachineDescriptionException problem(int line, String problem) {
        return new MachineDescriptionException(source, line, problem);
    }
}
