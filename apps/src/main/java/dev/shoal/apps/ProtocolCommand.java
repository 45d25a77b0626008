package dev.shoal.apps;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.shoal.apps.bench.Workload;
import dev.shoal.apps.bench.Workloads;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorEnvelope;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.Protocol;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal protocol}: every operation of the inter-monitor protocol with its messages, their ids and fields —
 * the built-in operations, those the workloads register, and those a {@code --classpath} adds. The Markdown it
 * prints is the second half of {@code docs/protocol.md} (a test keeps the two equal).
 */
@Command(name = "protocol", mixinStandardHelpOptions = true,
    description = "List the monitor protocol: operations, messages, ids and fields (yours too, with --classpath).")
final class ProtocolCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of Markdown.")
    boolean json;

    @CommandLine.Mixin
    UserClassPath classPath;

    /** One operation of the table and where it comes from. */
    record Entry(String operation, String origin, List<Protocol.MessageType<?>> messages)
    {
    }

    @Override
    public Integer call()
    {
        try (UserClassPath closing = classPath)
        {
            final List<Entry> entries = catalogue(classPath.open());
            final PrintWriter out = spec.commandLine().getOut();
            if (json)
            {
                out.println(json(entries));
            }
            else
            {
                out.print(markdown(entries));
            }
            out.flush();
            return 0;
        }
    }

    /** The operations {@code loader} makes known, built-in ones first, each with its messages in declaration order. */
    static List<Entry> catalogue(final ClassLoader loader)
    {
        final Map<String, TreeSet<String>> usedBy = new LinkedHashMap<>();
        final List<MonitorOperation> fromWorkloads = new ArrayList<>();
        for (final Workload w : Workloads.load(loader).all())
        {
            for (final MonitorOperation op : w.operations())
            {
                fromWorkloads.add(op);
                usedBy.computeIfAbsent(op.name(), k -> new TreeSet<>()).add(w.name());
            }
        }
        final List<String> builtIn = MonitorConfig.protocol(List.of(), null).types().stream()
            .map(Protocol.MessageType::operation).distinct().toList();
        final Map<String, List<Protocol.MessageType<?>>> byOperation = new LinkedHashMap<>();
        for (final Protocol.MessageType<?> t : MonitorConfig.protocol(fromWorkloads, loader).types())
        {
            byOperation.computeIfAbsent(t.operation(), k -> new ArrayList<>()).add(t);
        }
        final List<Entry> entries = new ArrayList<>();
        byOperation.forEach((operation, messages) -> entries.add(new Entry(operation,
            builtIn.contains(operation) ? "built in: on every machine" :
            usedBy.containsKey(operation) ? "registered by the workload" + (usedBy.get(operation).size() > 1 ? "s " :
                " ") + String.join(", ", usedBy.get(operation)) :
            "discovered: listed in a META-INF/services/dev.shoal.monitor.MonitorOperation file", messages)));
        return entries;
    }

    static String markdown(final List<Entry> entries)
    {
        final StringBuilder out = new StringBuilder();
        out.append("Envelope of every message (").append(MonitorEnvelope.LENGTH).append(" bytes, then the payload): ")
            .append("message id (i32) at ").append(MonitorEnvelope.TYPE_ID_OFFSET).append(", source core (i32) at ")
            .append(MonitorEnvelope.SOURCE_OFFSET).append(", destination core (i32) at ")
            .append(MonitorEnvelope.DESTINATION_OFFSET).append(".\n");
        for (final Entry e : entries)
        {
            out.append("\n### ").append(e.operation()).append("\n\n").append(capitalised(e.origin())).append(".\n\n");
            out.append("| id | message | fields |\n|---|---|---|\n");
            for (final Protocol.MessageType<?> t : e.messages())
            {
                out.append("| `").append(hex(t.id())).append("` | ").append(t.name()).append(" | ")
                    .append(fields(t)).append(" |\n");
            }
        }
        return out.toString();
    }

    private static String fields(final Protocol.MessageType<?> t)
    {
        final String fields = t.fields().stream().map(f -> f.type() + " " + f.name()).collect(Collectors.joining(", "));
        return (fields.isEmpty() ? "—" : fields) + (t.recordCodec() ? "" : " (own codec)");
    }

    static String json(final List<Entry> entries)
    {
        final List<String> operations = new ArrayList<>();
        for (final Entry e : entries)
        {
            final List<String> messages = new ArrayList<>();
            for (final Protocol.MessageType<?> t : e.messages())
            {
                messages.add(new Json().put("name", t.name()).put("id", hex(t.id())).put("class", t.type().getName())
                    .put("codec", t.recordCodec() ? "record" : "own")
                    .putRaw("fields", t.fields().stream()
                        .map(f -> new Json().put("name", f.name()).put("type", f.type()).toString())
                        .collect(Collectors.joining(",", "[", "]"))).toString());
            }
            operations.add(new Json().put("name", e.operation()).put("origin", e.origin())
                .putRaw("messages", String.join(",", messages).transform(s -> "[" + s + "]")).toString());
        }
        return new Json().put("envelopeBytes", MonitorEnvelope.LENGTH)
            .putRaw("operations", String.join(",", operations).transform(s -> "[" + s + "]")).toString();
    }

    private static String hex(final int id)
    {
        return String.format("0x%08x", id);
    }

    private static String capitalised(final String s)
    {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
