package dev.shoal.apps;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code shoal run WORKLOAD}: the bundled applications and workloads. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a bundled workload.",
    subcommands = {PingPongCommand.class, UnmapCommand.class, dev.shoal.apps.kv.KvCommand.class})
final class RunCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing workload: pingpong, unmap or kv");
    }
}
