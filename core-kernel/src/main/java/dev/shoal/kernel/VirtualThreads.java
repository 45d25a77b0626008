package dev.shoal.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;

/**
 * The one place that reaches into the JDK for virtual threads with a custom scheduler.
 *
 * <p>JDK 25 has no public API for "a virtual thread whose continuation runs on my executor", but its builder
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)} does exactly that. Shoal uses it so that every
 * dispatcher thread of a core is mounted only by that core's carrier. Reaching it needs
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED} (shoal.jar's manifest and the surefire argLine carry it).
 * If the JDK lacks the constructor, {@link #builder(Executor)} fails with one clear message.
 *
 * <p>Thread-safe: holds only method handles resolved once.
 */
public final class VirtualThreads
{
    private static final String BUILDER_CLASS = "java.lang.ThreadBuilders$VirtualThreadBuilder";
    private static final MethodHandle NEW_BUILDER;
    private static final MethodHandle CURRENT_CARRIER;
    private static final String PROBLEM;

    static
    {
        MethodHandle newBuilder = null;
        MethodHandle currentCarrier = null;
        String problem = null;
        try
        {
            final Class<?> builderClass = Class.forName(BUILDER_CLASS);
            final var ctor = builderClass.getDeclaredConstructor(Executor.class);
            ctor.setAccessible(true);
            newBuilder = MethodHandles.lookup().unreflectConstructor(ctor)
                .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
            final var carrier = Thread.class.getDeclaredMethod("currentCarrierThread");
            carrier.setAccessible(true);
            currentCarrier = MethodHandles.lookup().unreflect(carrier);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            problem = "this JDK (" + Runtime.version() + ") does not offer " + BUILDER_CLASS +
                "(Executor) to Shoal: run on JDK 25 with --add-opens java.base/java.lang=ALL-UNNAMED (" + ex + ")";
        }
        NEW_BUILDER = newBuilder;
        CURRENT_CARRIER = currentCarrier;
        PROBLEM = problem;
    }

    private VirtualThreads()
    {
    }

    /**
     * A builder of virtual threads whose continuations are submitted to {@code scheduler}.
     *
     * @throws IllegalStateException naming the missing JDK facility when it cannot be reached.
     */
    public static Thread.Builder.OfVirtual builder(final Executor scheduler)
    {
        requireAvailable();
        try
        {
            return (Thread.Builder.OfVirtual)NEW_BUILDER.invokeExact(scheduler);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("cannot create a virtual thread builder: " + t, t);
        }
    }

    /**
     * The platform thread the caller runs on: the caller itself for a platform thread, the carrier a virtual
     * thread is mounted on otherwise. Any thread may call it.
     */
    public static Thread currentCarrier()
    {
        requireAvailable();
        try
        {
            return (Thread)CURRENT_CARRIER.invokeExact();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("cannot read the current carrier thread: " + t, t);
        }
    }

    /** @return null when custom-scheduled virtual threads work on this JDK, else why not. */
    public static String unavailableReason()
    {
        return PROBLEM;
    }

    private static void requireAvailable()
    {
        if (PROBLEM != null)
        {
            throw new IllegalStateException(PROBLEM);
        }
    }
}
