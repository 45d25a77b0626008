package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The server's own commands: INFO, DBSIZE's counts, CONFIG GET/SET/RESETSTAT and COMMAND. What the host knows
 * (clients, limits, CPU time, uptime) they read from the NIC's registers, which its own thread keeps; no core reads
 * the host. Part of {@link Commands}; core-local.
 */
final class ServerCommands
{
    private final Commands commands;
    private final RespWriter out;
    private final Peers peers;
    private final KvAppliance.Settings settings;
    private final NicRegisters nic;
    private final int shards;

    ServerCommands(final Commands commands, final RespWriter out, final Peers peers,
        final KvAppliance.Settings settings, final NicRegisters nic, final int shards)
    {
        this.commands = commands;
        this.out = out;
        this.peers = peers;
        this.settings = settings;
        this.nic = nic;
        this.shards = shards;
    }

    /**
     * Answers {@code command} (INFO or CONFIG) with an error when this core's JVM has no NIC to read: a core of a
     * partitioned machine's worker, reached only by a transaction whose connection's home core it is (the NIC sends
     * both commands to core 0, in partition 0). True when it did.
     */
    boolean refusedWithoutNic(final Command command)
    {
        if (nic.present())
        {
            return false;
        }
        out.error("ERR " + command.name() + " inside MULTI reads the NIC's registers, which are in partition 0; " +
            "this connection's transactions run on core " + commands.self() + ", in another partition: send " +
            command.name() + " outside MULTI");
        return true;
    }

    long[] stats()
    {
        final long[] sum = new long[Peers.STATS_COUNT];
        for (final Object r : peers.fanOut(Peers.STATS, commands.now, new byte[0][], 1, true, new int[shards][]))
        {
            final long[] s = (long[])r;
            for (int i = 0; i < sum.length; i++)
            {
                sum[i] += s[i];
            }
        }
        return sum;
    }

    /** INFO [section ...]: the sections asked for (default, all and everything: all of them), as Redis lays out. */
    String info(final byte[][] args)
    {
        final java.util.Set<String> asked = new java.util.HashSet<>();
        for (int i = 1; i < args.length; i++)
        {
            asked.add(new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
        }
        final boolean all = asked.isEmpty() || asked.contains("default") || asked.contains("all") ||
            asked.contains("everything");
        final long[] s = stats();
        final long[] cpu = nic.cpuMicros();
        final java.util.Map<String, String> sections = new java.util.LinkedHashMap<>();
        sections.put("server", "redis_version:" + NicSession.VERSION + "\r\n" +
            "shoal_appliance:kv\r\n" +
            "redis_mode:standalone\r\n" +
            "arch_bits:64\r\n" +
            "shards:" + shards + "\r\n" +
            "tcp_port:" + settings.port() + "\r\n" +
            "uptime_in_seconds:" + nic.uptimeSeconds() + "\r\n");
        sections.put("clients", "connected_clients:" + nic.connectedClients() + "\r\n" +
            "maxclients:" + Nic.MAX_CLIENTS + "\r\n" +
            "client_recent_max_input_buffer:0\r\n" +
            "client_recent_max_output_buffer:0\r\n" +
            "blocked_clients:0\r\n");
        sections.put("memory", "used_memory:" + s[2] + "\r\n" +
            "shoal_mapped_memory:" + s[3] + "\r\n" +
            "shoal_allocator:size-class\r\n" +
            "maxmemory:" + settings.memoryPerCoreBytes() * shards + "\r\n" +
            "maxmemory_policy:noeviction\r\n");
        sections.put("persistence", "loading:0\r\n" +
            "rdb_changes_since_last_save:0\r\n" +
            "aof_enabled:0\r\n");
        sections.put("stats", "total_connections_received:" + nic.totalConnections() + "\r\n" +
            "total_commands_processed:" + s[6] + "\r\n" +
            "rejected_connections:0\r\n" +
            "expired_keys:0\r\n" +
            "evicted_keys:0\r\n" +
            "keyspace_hits:" + s[4] + "\r\n" +
            "keyspace_misses:" + s[5] + "\r\n" +
            "total_error_replies_protocol:" + nic.protocolErrors() + "\r\n");
        sections.put("replication", "role:master\r\n" +
            "connected_slaves:0\r\n");
        sections.put("cpu", String.format(Locale.ROOT, "used_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\n",
            cpu[1] / 1e6, cpu[0] / 1e6));
        sections.put("keyspace", s[0] > 0 ? "db0:keys=" + s[0] + ",expires=" + s[1] + ",avg_ttl=0\r\n" : "");
        final StringBuilder sb = new StringBuilder();
        for (final java.util.Map.Entry<String, String> e : sections.entrySet())
        {
            if (all || asked.contains(e.getKey()))
            {
                final String title = e.getKey().equals("cpu") ? "CPU" :
                    Character.toUpperCase(e.getKey().charAt(0)) + e.getKey().substring(1);
                sb.append(sb.isEmpty() ? "" : "\r\n").append("# ").append(title).append("\r\n").append(e.getValue());
            }
        }
        return sb.toString();
    }

    /** The fixed parameters CONFIG GET shows (the NIC's own come from {@link ClientLimits}). */
    private static final List<String[]> CONFIG = List.of(
        new String[] {"save", ""}, new String[] {"appendonly", "no"}, new String[] {"databases", "1"},
        new String[] {"maxmemory", "0"}, new String[] {"maxmemory-policy", "noeviction"},
        new String[] {"bind", "127.0.0.1"});

    /** Every parameter and its value now, in CONFIG GET's order. */
    private List<String[]> configValues()
    {
        final List<String[]> all = new java.util.ArrayList<>(CONFIG);
        all.add(new String[] {"port", Integer.toString(settings.port())});
        final ClientLimits limits = nic.limits();
        for (final String name : ClientLimits.NAMES)
        {
            all.add(new String[] {name, limits.get(name)});
        }
        return all;
    }

    void config(final byte[][] args)
    {
        final String sub = new String(args[1], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        switch (sub)
        {
            case "GET" ->
            {
                if (args.length < 3)
                {
                    out.error("ERR wrong number of arguments for 'config|get' command");
                    return;
                }
                final java.util.Map<String, String> found = new java.util.LinkedHashMap<>();
                for (int i = 2; i < args.length; i++)
                {
                    for (final String[] p : configValues())
                    {
                        if (matches(new String(args[i], StandardCharsets.ISO_8859_1), p[0]))
                        {
                            found.put(p[0], p[1]);
                        }
                    }
                }
                out.mapHeader(found.size());
                for (final java.util.Map.Entry<String, String> e : found.entrySet())
                {
                    out.bulk(e.getKey()).bulk(e.getValue());
                }
            }
            case "SET" -> configSet(args);
            case "RESETSTAT" -> out.simple("OK");
            default -> out.error("ERR unknown subcommand '" + Command.printable(args[1]) + "'. Try CONFIG HELP.");
        }
    }

    /** CONFIG SET name value [name value ...]: all or none, as in Redis. */
    private void configSet(final byte[][] args)
    {
        if (args.length < 4 || args.length % 2 != 0)
        {
            out.error("ERR wrong number of arguments for 'config|set' command");
            return;
        }
        final ClientLimits limits = nic.limits();
        final List<String> nicNames = List.of(ClientLimits.NAMES);
        // Check every pair before setting any.
        for (int i = 2; i < args.length; i += 2)
        {
            final String name = new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            final String value = new String(args[i + 1], StandardCharsets.UTF_8);
            if (nicNames.contains(name))
            {
                continue;
            }
            String fixed = name.equals("port") ? Integer.toString(settings.port()) : null;
            for (final String[] p : CONFIG)
            {
                fixed = p[0].equals(name) ? p[1] : fixed;
            }
            if (fixed == null)
            {
                out.error("ERR Unknown option or number of arguments for CONFIG SET - '" + Command.printable(args[i]) + "'");
                return;
            }
            if (!fixed.equalsIgnoreCase(value))
            {
                out.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - the Shoal " +
                    "appliance has only " + name + " '" + fixed + "'");
                return;
            }
        }
        for (int i = 2; i < args.length; i += 2)
        {
            final String name = new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            if (nicNames.contains(name))
            {
                final String problem = limits.set(name, new String(args[i + 1], StandardCharsets.UTF_8));
                if (problem != null)
                {
                    out.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + problem);
                    return;
                }
            }
        }
        out.simple("OK");
    }

    /** CONFIG GET's matching: Redis's glob, ignoring case. */
    static boolean matches(final String pattern, final String name)
    {
        return Glob.matches(pattern.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1),
            name.getBytes(StandardCharsets.ISO_8859_1));
    }

    void command(final byte[][] args)
    {
        if (args.length == 1)
        {
            out.arrayHeader(Command.values().length);
            for (final Command c : Command.values())
            {
                commandInfo(c);
            }
            return;
        }
        final String sub = new String(args[1], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        switch (sub)
        {
            case "COUNT" ->
            {
                if (args.length != 2)
                {
                    out.error("ERR wrong number of arguments for 'command|count' command");
                    return;
                }
                out.integer(Command.values().length);
            }
            case "DOCS" -> out.arrayHeader(0);
            case "INFO" ->
            {
                out.arrayHeader(args.length - 2);
                for (int i = 2; i < args.length; i++)
                {
                    final Command c = Command.of(args[i], 0, args[i].length);
                    if (c == null)
                    {
                        out.nullBulk();
                    }
                    else
                    {
                        commandInfo(c);
                    }
                }
            }
            default -> out.error("ERR unknown subcommand '" + Command.printable(args[1]) + "'. Try COMMAND HELP.");
        }
    }

    private void commandInfo(final Command c)
    {
        out.arrayHeader(6).bulk(c.name().toLowerCase(Locale.ROOT)).integer(c.arity).arrayHeader(0)
            .integer(c.firstKey).integer(c.lastKey).integer(c.firstKey == 0 ? 0 : c.step);
    }
}
