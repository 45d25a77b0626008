package dev.shoal.apps;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzz of the command line: argument vectors built from the commands' options, with values that are often
 * mutated (empty, huge, negative, non-ASCII digits, NaN and Infinity, unwritable or wrong-kind paths, unknown
 * options). Every run must finish within a bound, exit 0 or 2 and print no stack trace, on the writer it is given
 * or on {@code System.err} from another thread. Valid values are kept small so that a valid run is quick; values that
 * are valid but legitimately long ({@code --linger 3600}) are never generated. The kv appliance is not fuzzed: it
 * serves until stopped. Set {@code -Dshoal.fuzz.seed=S} to replay a failure, {@code -Dshoal.fuzz.runs=N} for more.
 */
class ShoalCliFuzzTest
{
    private static final long RUN_BOUND_SECONDS = 30;

    @TempDir
    Path dir;

    private Random random;
    private Path regularFile;
    private int outDirs;

    @Test
    void shouldExitZeroOrTwoWithoutAStackTraceOnRandomArguments() throws Exception
    {
        final long seed = Long.getLong("shoal.fuzz.seed", 20261206L); // fixed in the build; -Dshoal.fuzz.seed explores others
        final int runs = Integer.getInteger("shoal.fuzz.runs", 40);
        random = new Random(seed);
        regularFile = dir.resolve("regular.txt");
        Files.writeString(regularFile, "not a directory, not a machine, not a trace\n");
        final PrintStream originalErr = System.err;
        final ByteArrayOutputStream strayErr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(strayErr, true, StandardCharsets.UTF_8));
        try
        {
            for (int i = 0; i < runs; i++)
            {
                final String[] args = arguments();
                final String replay = "seed " + seed + ", run " + i + ": shoal " + quoted(args);
                final ShoalCliTest.Run run;
                try
                {
                    run = ShoalCliTest.runWithin(RUN_BOUND_SECONDS, args);
                }
                catch (final AssertionError ex)
                {
                    throw new AssertionError(replay + ": " + ex.getMessage(), ex);
                }
                final String stray = strayErr.toString(StandardCharsets.UTF_8);
                strayErr.reset();
                if (run.exit() != 0 && run.exit() != 2)
                {
                    fail(replay + ": exit " + run.exit() + "; stderr: " + run.err());
                }
                for (final String err : List.of(run.err(), stray))
                {
                    assertTrue(!err.contains("\tat ") && !err.contains("Exception in thread"),
                        replay + ": stack trace on stderr: " + err);
                }
                if (run.exit() == 2)
                {
                    assertTrue(run.err().strip().lines().count() == 1, replay + ": not one line: " + run.err());
                }
            }
        }
        finally
        {
            System.setErr(originalErr);
        }
    }

    private String[] arguments()
    {
        final List<String> args = new ArrayList<>();
        switch (random.nextInt(6))
        {
            case 0, 1 -> boot(args);
            case 2 -> bench(args);
            case 3 -> pingpong(args);
            case 4 -> unmap(args);
            default -> other(args);
        }
        if (random.nextInt(10) == 0)
        {
            args.add(random.nextInt(args.size() + 1), pick("--bogus", "-x", "--cores=", "extra", "--", "-"));
        }
        return args.toArray(new String[0]);
    }

    private void boot(final List<String> args)
    {
        args.add("boot");
        option(args, "--cores", String.valueOf(1 + random.nextInt(8)), 0.95);
        if (random.nextBoolean())
        {
            option(args, "--machine", pick("amd-2x2", "amd-8x4", "numa:1x4", "intel-2x4"), 1);
        }
        option(args, "--linger", pick("0", "0.01", "0.0"), 0.3);
        option(args, "--slots", String.valueOf(1 << (1 + random.nextInt(10))), 0.3);
        flag(args, "--json", 0.3);
        modeOptions(args, random.nextBoolean() ? "deterministic" : "live");
    }

    private void bench(final List<String> args)
    {
        args.add("bench");
        option(args, "--workload", pick("boot", "urpc", "unmap", "lrpc", "2pc", "revoke", "nameservice",
            "boot,urpc"), 0.95);
        option(args, "--cores", pick("2", "2,4", "4", "2,3"), 1);
        option(args, "--machine", "amd-2x2", 0.5);
        option(args, "--strategy", pick("all", "unicast", "broadcast,multicast", "numa-multicast"), 0.3);
        option(args, "--repeat", "1", 0.3);
        option(args, "--out", dir.resolve("out" + outDirs++).toString(), 1);
        args.add("--quiet");
        modeOptions(args, "deterministic");
    }

    private void pingpong(final List<String> args)
    {
        args.add("run");
        args.add("pingpong");
        option(args, "--machine", pick("amd-2x2", "amd-8x4"), 0.5);
        option(args, "--from", String.valueOf(random.nextInt(2)), 0.5);
        option(args, "--to", String.valueOf(2 + random.nextInt(2)), 0.5);
        option(args, "--batches", String.valueOf(1 + random.nextInt(3)), 1);
        option(args, "--batch", String.valueOf(1 + random.nextInt(100)), 1);
        option(args, "--cores", "4", 0.2);
        flag(args, "--json", 0.3);
        modeOptions(args, "deterministic");
    }

    private void unmap(final List<String> args)
    {
        args.add("run");
        args.add("unmap");
        option(args, "--machine", "amd-2x2", 0.5);
        option(args, "--cores", pick("2", "2,4", "4"), 1);
        option(args, "--strategy", pick("all", "unicast", "broadcast"), 0.3);
        flag(args, "--json", 0.3);
        modeOptions(args, "deterministic");
    }

    private void other(final List<String> args)
    {
        switch (random.nextInt(4))
        {
            case 0 -> args.add("machines");
            case 1 -> args.addAll(List.of("replay", pick(regularFile.toString(), dir.resolve("missing").toString(),
                "", "/dev/null")));
            case 2 -> args.add(pick("levitate", "", "--version", "--help", "run"));
            default -> args.addAll(List.of("run", pick("pingpong", "unmap", "nope"), "--help"));
        }
    }

    /** --mode (always: run commands stay on the quick deterministic engine unless mutated), --seed, --jitter... */
    private void modeOptions(final List<String> args, final String mode)
    {
        option(args, "--mode", mode, 1);
        if (mode.equals("deterministic"))
        {
            option(args, "--threads", String.valueOf(1 + random.nextInt(4)), 0.2);
            option(args, "--jitter", String.valueOf(random.nextInt(1000)), 0.2);
            option(args, "--trace", dir.resolve("trace" + outDirs++).toString(), 0.2);
        }
        option(args, "--seed", String.valueOf(random.nextLong()), 0.2);
        flag(args, "--pin", 0.05);
    }

    /** Adds {@code name value} with probability {@code p}; the value is mutated one time in four. */
    private void option(final List<String> args, final String name, final String value, final double p)
    {
        if (random.nextDouble() >= p)
        {
            return;
        }
        final String v = random.nextInt(4) == 0 ? mutated(name) : value;
        if (random.nextBoolean())
        {
            args.add(name);
            args.add(v);
        }
        else
        {
            args.add(name + "=" + v);
        }
    }

    private void flag(final List<String> args, final String name, final double p)
    {
        if (random.nextDouble() < p)
        {
            args.add(name);
        }
    }

    /** A value that is wrong for {@code option}, or at least never valid and long-running. */
    private String mutated(final String option)
    {
        if (option.equals("--out") || option.equals("--trace"))
        {
            // Any other string is a valid relative path: keep what a valid one creates inside the test's directory.
            return random.nextBoolean() ? pick("/dev/full", regularFile.toString(), regularFile.resolve("x").toString(),
                dir.toString(), "") : dir.resolve(pick(",,", "NaN", "-1", "\uff14", " ", "a/b/c")).toString();
        }
        return switch (random.nextInt(4))
        {
            case 0 -> pick("", " ", ",,", ",", "NaN", "Infinity", "-Infinity", "1e400", "1e300", "0x10", "1d");
            case 1 -> pick("-1", "0", "-2147483648", "2147483647", "2147483648", "99999999999999999999",
                "9223372036854775807", "-9223372036854775808");
            case 2 -> pick("\uff14", "\u0664", "\u096a", "4\uff14", "\uff11,\uff12", "\u00bd");
            default -> switch (option)
            {
                case "--out", "--trace", "--machine" -> pick("/dev/full", regularFile.toString(),
                    regularFile.resolve("x").toString(), dir.toString(), "");
                case "--slots" -> pick("2048", "4096", "3", "1048576");
                case "--linger" -> pick("86401", "-0.5", "1e20");
                case "--mode" -> pick("quantum", "LIVE", "exact");
                case "--workload", "--strategy" -> pick("nope", "boot,,nope", " ");
                default -> pick("--bogus", "-1");
            };
        };
    }

    private String pick(final String... choices)
    {
        return choices[random.nextInt(choices.length)];
    }

    private static String quoted(final String[] args)
    {
        final StringBuilder out = new StringBuilder();
        for (final String a : args)
        {
            out.append(out.isEmpty() ? "" : " ").append(a.isEmpty() || a.contains(" ") ? "'" + a + "'" : a);
        }
        return out.toString();
    }
}
