package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** For tests that run the CLI in processes of their own (partitions, the kv appliance): starting and stopping them. */
public final class CliProcesses
{
    private CliProcesses()
    {
    }

    /**
     * The command that runs the CLI with {@code args} in a JVM of its own, with this JVM's options (less agents),
     * then {@code jvmOptions}, and this JVM's class path.
     */
    public static List<String> command(final List<String> jvmOptions, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String option : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!option.startsWith("-agentlib") && !option.startsWith("-javaagent"))
            {
                command.add(option);
            }
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.shoal.apps.ShoalCli"));
        command.addAll(args);
        return command;
    }

    /**
     * Stops {@code coordinator}, its descendants and {@code others} forcibly, by pid, waiting up to 10 s for each,
     * and fails if any is still alive.
     */
    public static void stopAll(final Process coordinator, final List<ProcessHandle> others)
    {
        coordinator.descendants().forEach(others::add);
        coordinator.destroyForcibly();
        coordinator.onExit().completeOnTimeout(coordinator, 10, TimeUnit.SECONDS).join();
        for (final ProcessHandle p : others)
        {
            p.destroyForcibly();
            p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join();
        }
        for (final ProcessHandle p : others)
        {
            assertFalse(p.isAlive(), "process " + p.pid() + " left behind");
        }
    }
}
