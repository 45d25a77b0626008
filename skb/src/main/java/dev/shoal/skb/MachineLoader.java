package dev.shoal.skb;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.projog.api.Projog;
import org.projog.core.ProjogException;
import org.projog.core.predicate.PredicateKey;
import org.projog.core.term.Term;

/**
 * Loads a machine description into a Projog engine: parse, check, then consult the facts followed by the SKB
 * rules ({@code skb-rules.pl}).
 *
 * <h2>Machine description format</h2>
 * A description is a Prolog file of facts; ids are integers from 0 without gaps.
 * <pre>
 * machine(Name, Description, ClockMHz).     % exactly one; Name and Description are atoms: 'amd-8x4'
 * package(P).                               % one per package (socket), P = 0..packages-1
 * core(CoreId, Package).                    % one per core, CoreId = 0..cores-1
 * numa_node(Core, Node).                    % one per core
 * shared_cache(Core, CacheGroup).           % optional; cores of one group share a last-level cache;
 *                                           % a group lies within one package; CacheGroup is an atom or integer
 * interconnect(PkgA, PkgB).                 % a direct link (HyperTransport, front-side bus), written once
 * urpc_latency(Class, Cycles).              % published one-way URPC latency; Class is shared_cache, same_package
 *                                           % or hops(N); used for routing and validation, not charged
 * line_transfer(Class, Cycles).             % optional; one 64-byte line moved between two cores' caches, by the
 *                                           % same classes; absent, derived as (urpc_latency - 60) / 2
 * lrpc_cycles(Cycles).                      % exactly one: same-core LRPC round trip
 * miss_buffers(Count).                      % optional, at most one: line fetches a core can have outstanding
 *                                           % at once (1..64); absent, Topology.DEFAULT_MISS_BUFFERS
 * dram_bandwidth(MegabytesPerSecond).       % optional, at most one: peak bandwidth of one node's memory controller
 *                                           % (10^6 bytes a second); each coherence transaction a home serves
 *                                           % occupies it for one 64-byte line; absent, no such occupancy
 * link_bandwidth(MegabytesPerSecond).       % optional, at most one: each direction of each interconnect link
 *                                           % (HyperTransport); a home's transactions broadcast probes and occupy
 *                                           % the home's link ports; absent, links are pure delay
 * bus_bandwidth(MegabytesPerSecond).        % optional, at most one, not with link_bandwidth: each package's
 *                                           % front-side bus, one transfer at a time, shared by its dies
 * memory_region(Node, BaseAddress, Bytes).  % optional; regions may not overlap
 * torus(Width, Height).                     % optional; packages lie row-major on a Width x Height torus and
 *                                           % hops are computed by arithmetic (must agree with interconnect/2)
 * </pre>
 * Every package needs a core and must be reachable over interconnect facts; there must be a latency class for
 * every placement that occurs (shared cache, same package, each hop distance). Other predicates may be added
 * and are loaded unchanged, for ad-hoc queries; directives ({@code :- ...}), built-in predicates and the
 * predicates of the SKB rules may not be defined. Every problem is reported as a
 * {@link MachineDescriptionException} naming the file and line.
 *
 * <p>Stateless; each call works on the engine it is given, which must not be used by another thread meanwhile.
 */
final class MachineLoader {

    /**
     * A description's text and the name its errors are reported under. A leading UTF-8 byte-order mark, which
     * some editors write, is dropped: Projog would read it as part of the first clause.
     */
    record Source(String name, String text) {
        Source {
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
    }

    private static final String RULES_RESOURCE = "skb-rules.pl";
    private static final String RULES_TEXT = readResource(RULES_RESOURCE);

    private MachineLoader() {
    }

    /**
     * Checks {@code source} and loads it and the SKB rules into {@code prolog}, a fresh engine.
     *
     * @return the machine's name, description and size
     * @throws MachineDescriptionException when the description is malformed
     */
    static MachineInfo load(Projog prolog, Source source) {
        MachineInfo info = check(prolog, source);
        // Facts first: the rules then find every predicate they call already defined.
        consult(prolog, source.name(), source.text());
        consult(prolog, RULES_RESOURCE, RULES_TEXT);
        return info;
    }

    /** Parses and checks {@code source} without loading it. */
    static MachineInfo check(Source source) {
        return check(new Projog(), source);
    }

    private static MachineInfo check(Projog prolog, Source source) {
        var kb = prolog.getKnowledgeBase();
        List<PrologSource.Clause> clauses = PrologSource.parse(source.name(), source.text(), kb.getOperands());
        Set<String> builtIns = new HashSet<>();
        for (PredicateKey key : kb.getPredicates().getAllDefinedPredicateKeys()) {
            builtIns.add(key.getName() + "/" + key.getNumArgs());
        }
        MachineDescriptionChecker checker = new MachineDescriptionChecker(source.name(), kb.getTermFormatter(),
                reservedKeys(prolog), builtIns);
        return checker.check(clauses, PrologSource.lastLine(source.text()));
    }

    // Derived from the rules file itself, so a new rule is protected without editing a list here.
    private static Set<String> reservedKeys(Projog prolog) {
        Set<String> keys = new HashSet<>();
        for (PrologSource.Clause clause : PrologSource.parse(RULES_RESOURCE, RULES_TEXT,
                prolog.getKnowledgeBase().getOperands())) {
            Term term = clause.term();
            Term head = term.getName().equals(":-") && term.getNumberOfArguments() == 2 ? term.getArgument(0) : term;
            keys.add(head.getName() + "/" + head.getNumberOfArguments());
        }
        return keys;
    }

    private static void consult(Projog prolog, String name, String text) {
        try {
            prolog.consultReader(new StringReader(text));
        } catch (ProjogException e) {
            // The checker should have caught anything Projog rejects; say what Projog said, on one line.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new MachineDescriptionException(name + ": cannot load into Prolog: " 
                    + MachineDescriptionException.excerptReason(cause.getMessage()));
        }
    }

    /** The text of a resource next to this class, e.g. {@code machines/amd-8x4.pl}; null when absent. */
    static String readResourceOrNull(String resource) {
        try (InputStream in = MachineLoader.class.getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    private static String readResource(String resource) {
        String text = readResourceOrNull(resource);
        if (text == null) {
            throw new IllegalStateException("resource " + resource + " is missing from the skb jar");
        }
        return text;
    }
}
