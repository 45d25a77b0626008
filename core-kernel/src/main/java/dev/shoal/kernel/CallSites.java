package dev.shoal.kernel;

import java.security.CodeSource;
import java.util.List;
import java.util.Objects;

/**
 * Names the call site to blame in a stack: the first frame that belongs neither to the JDK nor to the kernel
 * itself, as {@code class.method(File:line)}. A class of {@code dev.shoal.kernel} counts as the kernel's only when
 * it was loaded from the kernel's own code source, so the kernel's tests, which share its package, are blamed like
 * any application. Stateless; any thread.
 */
final class CallSites
{
    static final String UNKNOWN = "unknown";

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final CodeSource KERNEL_CODE = CallSites.class.getProtectionDomain().getCodeSource();
    private static final String KERNEL_PACKAGE = "dev.shoal.kernel.";
    /** Frames looked at in the current thread's stack. */
    private static final int MAX_FRAMES = 128;

    private CallSites()
    {
    }

    /** The index of the first frame that is neither the JDK's nor the kernel's, or -1. */
    static int firstApplicationFrame(final StackTraceElement[] stack)
    {
        for (int i = 0; i < stack.length; i++)
        {
            if (!isInfrastructure(stack[i].getClassName()))
            {
                return i;
            }
        }
        return -1;
    }

    /** The call site of {@code stack}, or {@link #UNKNOWN}. */
    static String of(final StackTraceElement[] stack)
    {
        final int at = firstApplicationFrame(stack);
        return at < 0 ? UNKNOWN : format(stack[at]);
    }

    /** The method the frame at {@code at} called, e.g. {@code java.lang.Thread.sleep}, or null. */
    static String callee(final StackTraceElement[] stack, final int at)
    {
        return at <= 0 ? null : stack[at - 1].getClassName() + "." + stack[at - 1].getMethodName();
    }

    /** The current thread's frames, innermost first, from the caller of the detector's code that asks. */
    static List<StackWalker.StackFrame> currentFrames()
    {
        return WALKER.walk(frames -> frames
            .dropWhile(f -> f.getDeclaringClass() == CallSites.class || f.getDeclaringClass() == EscapeDetector.class)
            .limit(MAX_FRAMES)
            .toList());
    }

    /** The call site among {@code frames} (from {@link #currentFrames}), or {@link #UNKNOWN}. */
    static String of(final List<StackWalker.StackFrame> frames)
    {
        for (final StackWalker.StackFrame frame : frames)
        {
            if (!isInfrastructure(frame.getDeclaringClass()))
            {
                return format(frame.toStackTraceElement());
            }
        }
        return UNKNOWN;
    }

    /** {@code class.method(File:line)}, without the module and class-loader prefixes of StackTraceElement. */
    static String format(final StackTraceElement frame)
    {
        final String file = frame.getFileName() == null ? "Unknown Source" :
            frame.getLineNumber() >= 0 ? frame.getFileName() + ":" + frame.getLineNumber() : frame.getFileName();
        return frame.getClassName() + "." + frame.getMethodName() + "(" + file + ")";
    }

    static boolean isInfrastructure(final String className)
    {
        if (isJdk(className))
        {
            return true;
        }
        if (!className.startsWith(KERNEL_PACKAGE))
        {
            return false;
        }
        try
        {
            return isInfrastructure(Class.forName(className, false, CallSites.class.getClassLoader()));
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return false;
        }
    }

    static boolean isInfrastructure(final Class<?> type)
    {
        final String name = type.getName();
        if (isJdk(name))
        {
            return true;
        }
        if (!name.startsWith(KERNEL_PACKAGE))
        {
            return false;
        }
        final CodeSource code = type.getProtectionDomain().getCodeSource();
        return KERNEL_CODE == null || code == null || Objects.equals(code.getLocation(), KERNEL_CODE.getLocation());
    }

    private static boolean isJdk(final String className)
    {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.") ||
            className.startsWith("sun.") || className.startsWith("com.sun.");
    }
}
