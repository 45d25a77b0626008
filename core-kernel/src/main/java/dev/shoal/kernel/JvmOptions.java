package dev.shoal.kernel;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The JVM options Shoal cannot run without, checked before anything boots: missing one otherwise shows up as an
 * {@link IllegalAccessError} on a core's carrier, and the host waits for a boot that never comes.
 * <ul>
 *   <li>{@code --add-opens java.base/java.lang=ALL-UNNAMED}: {@link VirtualThreads} reaches the JDK's builder of
 *       virtual threads with a custom scheduler.</li>
 *   <li>{@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}: Agrona's buffers ({@code org.agrona.UnsafeApi})
 *       use {@code jdk.internal.misc.Unsafe}.</li>
 * </ul>
 * shoal.jar's manifest, {@code ./shoal} and the surefire argLine carry both. Thread-safe: stateless.
 */
public final class JvmOptions
{
    private JvmOptions()
    {
    }

    /** @return null when every required option is in effect, else one line naming the missing flags. */
    public static String missing()
    {
        final Module javaBase = Object.class.getModule();
        final List<String> flags = new ArrayList<>();
        if (!javaBase.isOpen("java.lang", VirtualThreads.class.getModule()))
        {
            flags.add("--add-opens java.base/java.lang=ALL-UNNAMED");
        }
        if (!javaBase.isExported("jdk.internal.misc", UnsafeBuffer.class.getModule()))
        {
            flags.add("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED");
        }
        return flags.isEmpty() ? null : "this JVM was started without " + String.join(" and ", flags) +
            " (java -jar shoal.jar and ./shoal add them; in your own build, add them to the JVM's options, " +
            "e.g. surefire's argLine: see README.md)";
    }

    /** @throws IllegalStateException naming the missing flags (see {@link #missing()}). */
    public static void require()
    {
        final String missing = missing();
        if (missing != null)
        {
            throw new IllegalStateException(missing);
        }
    }
}
