package dev.shoal.apps;

import java.util.concurrent.Callable;

import dev.shoal.skb.MachineInfo;
import dev.shoal.skb.MachineCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code shoal machines}: the built-in machine descriptions. */
@Command(name = "machines", mixinStandardHelpOptions = true,
    description = "List the built-in machines (and the numa:PxC generator).")
final class MachinesCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final var out = spec.commandLine().getOut();
        out.printf("%-10s %6s %9s  %s%n", "machine", "cores", "packages", "description");
        for (final MachineInfo m : MachineCatalog.builtIns())
        {
            out.printf("%-10s %6d %9d  %s%n", m.name(), m.cores(), m.packages(), m.description());
        }
        out.printf("%-10s %6s %9s  %s%n", "numa:PxC", "P*C", "P", "generated: P packages of C cores on a 2D torus");
        return 0;
    }
}
