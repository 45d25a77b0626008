package dev.shoal.apps.kv;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.shoal.apps.BadInputException;
import dev.shoal.skb.Skb;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shoal run kv}: the key-value appliance ({@link KvAppliance}) until a client sends SHUTDOWN or the process
 * is stopped (SIGINT / SIGTERM).
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "A Redis-protocol key-value store, one shard per core, on 127.0.0.1.")
public final class KvCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cores", defaultValue = "2", description = "Shards, one per core (default ${DEFAULT-VALUE}).")
    int cores;

    @Option(names = "--port", defaultValue = "6379", description = "TCP port on 127.0.0.1; 0 picks one " +
        "(default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--machine", description = "Machine (default numa:Px8 sized for --cores).")
    String machine;

    @Option(names = "--memory", defaultValue = "64", description = "MiB of RAM per shard (default ${DEFAULT-VALUE}).")
    int memoryMiB;

    @Option(names = "--requirepass", description = "Password clients must AUTH with (Redis's requirepass; " +
        "default none: any local user may run any command, FLUSHALL and SHUTDOWN included).")
    String requirepass;

    @Override
    public Integer call() throws Exception
    {
        if (machine != null)
        {
            final Skb skb = Skb.open(machine);
            if (cores > skb.coreCount())
            {
                throw new BadInputException("--cores " + cores + " but " + skb.machineName() + " has " +
                    skb.coreCount() + " cores");
            }
        }
        final KvAppliance kv = KvAppliance.start(new KvAppliance.Settings(machine, cores, port,
            (long)memoryMiB << 20, requirepass));
        final Thread hook = new Thread(kv::close, "kv-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final var out = spec.commandLine().getOut();
        out.printf("kv: listening on 127.0.0.1:%d (loopback only), %d shards on %s, %d MiB per shard, %s%n",
            kv.port(), cores, kv.settings().machine(), memoryMiB,
            requirepass == null || requirepass.isEmpty() ? "no password (--requirepass sets one)" : "password required");
        out.flush();
        while (!kv.awaitShutdown(1, TimeUnit.HOURS))
        {
            // Runs until SHUTDOWN or a signal (the hook closes it).
        }
        kv.close();
        Runtime.getRuntime().removeShutdownHook(hook);
        out.println("kv: shut down");
        return 0;
    }
}
