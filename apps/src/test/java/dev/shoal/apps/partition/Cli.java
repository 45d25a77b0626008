package dev.shoal.apps.partition;

import java.io.PrintWriter;
import java.io.StringWriter;

import dev.shoal.apps.ShoalCli;

/** Runs the CLI in this JVM (its workers, if any, in JVMs of their own) and keeps what it printed. */
record Cli(int exit, String out, String err)
{
    static Cli run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = ShoalCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(exit, out.toString(), err.toString());
    }
}
