package dev.shoal.harness;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.shoal.monitor.MonitorOperation;

/**
 * Runs the annotated test once per core count, each time on a freshly booted machine that the test receives as a
 * {@link dev.shoal.libos.Shoal} parameter and that is shut down afterwards:
 * <pre>{@code
 * @OnBootedMachine(cores = {1, 2, 8, 64})
 * void shouldDoSomething(Shoal shoal) { ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(BootedMachineExtension.class)
public @interface OnBootedMachine
{
    /** Machine spec; empty means the default {@code numa:Px8} sized for each core count. */
    String machine() default "";

    /** Core counts to boot, one test run each. */
    int[] cores() default {1, 2, 8};

    /** "live" (a thread per core) or "deterministic" (one thread stepping the cores in a seeded order). */
    String mode() default "live";

    /** Seed of the deterministic schedule. */
    long seed() default 1;

    /** Extra monitor operations to register (each needs a public no-argument constructor). */
    Class<? extends MonitorOperation>[] operations() default {};
}
