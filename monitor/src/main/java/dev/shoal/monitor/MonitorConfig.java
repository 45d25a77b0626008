package dev.shoal.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.skb.Skb;

/**
 * Everything needed to boot a machine of monitors: the SKB describing the machine, how many of its cores to boot,
 * the channel ring size and the protocol's operations. Immutable once built.
 *
 * @param skb           the machine's knowledge base; after boot it is owned by core 0's monitor (single-threaded).
 * @param cores         cores to boot (the first {@code cores} of the machine).
 * @param channelSlots  slots per direction of every UMP channel between monitors (a power of two).
 * @param protocol      the inter-monitor protocol: built-in operations plus the user's.
 * @param runners       how cores get carriers (live mode: one platform thread per core).
 */
public record MonitorConfig(Skb skb, int cores, int channelSlots, Protocol protocol, RunnerFactory runners)
{
    public static final int DEFAULT_CHANNEL_SLOTS = 32;

    public MonitorConfig
    {
        Objects.requireNonNull(skb, "skb");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(runners, "runners");
        if (cores < 1 || cores > skb.coreCount())
        {
            throw new IllegalArgumentException("--cores must be 1.." + skb.coreCount() + " on " + skb.machineName() +
                ": " + cores);
        }
        if (channelSlots < 2 || Integer.bitCount(channelSlots) != 1)
        {
            throw new IllegalArgumentException("channel slots must be a power of two >= 2: " + channelSlots);
        }
    }

    public static Builder builder(final Skb skb)
    {
        return new Builder(skb);
    }

    /**
     * The protocol of a machine: the built-in operations, then {@code operations}, then (unless {@code discoverFrom}
     * is null) those listed in {@code META-INF/services/dev.shoal.monitor.MonitorOperation} files that
     * {@code discoverFrom} sees. Message ids do not depend on this order ({@link Protocol#idOf}).
     *
     * @throws IllegalArgumentException for a malformed services entry (its first line) or clashing message ids.
     */
    public static Protocol protocol(final List<MonitorOperation> operations, final ClassLoader discoverFrom)
    {
        final Protocol.Builder protocol = Protocol.builder();
        BuiltinOperations.registerAll(protocol);
        operations.forEach(protocol::operation);
        if (discoverFrom != null)
        {
            try
            {
                ServiceLoader.load(MonitorOperation.class, discoverFrom).forEach(protocol::operation);
            }
            catch (final ServiceConfigurationError ex)
            {
                // Its message names the file and the entry; the first line is all a user needs.
                throw new IllegalArgumentException("bad META-INF/services entry: " +
                    ex.getMessage().lines().findFirst().orElse(""), ex);
            }
        }
        return protocol.build();
    }

    /** Builds a config: the built-in operations, the user's and (by default) the discovered ones. */
    public static final class Builder
    {
        private final Skb skb;
        private int cores;
        private int channelSlots = DEFAULT_CHANNEL_SLOTS;
        private RunnerFactory runners = CoreRunner::newCarrier;
        private final List<MonitorOperation> operations = new ArrayList<>();
        private boolean discover = true;

        private Builder(final Skb skb)
        {
            this.skb = skb;
            this.cores = skb.coreCount();
        }

        public Builder cores(final int cores)
        {
            this.cores = cores;
            return this;
        }

        public Builder channelSlots(final int slots)
        {
            this.channelSlots = slots;
            return this;
        }

        public Builder runners(final RunnerFactory runners)
        {
            this.runners = runners;
            return this;
        }

        /** Adds a user operation to the protocol. */
        public Builder operation(final MonitorOperation operation)
        {
            operations.add(operation);
            return this;
        }

        /** Whether to add the operations listed in META-INF/services files (default true). */
        public Builder discoverOperations(final boolean discover)
        {
            this.discover = discover;
            return this;
        }

        public MonitorConfig build()
        {
            final ClassLoader context = Thread.currentThread().getContextClassLoader();
            return new MonitorConfig(skb, cores, channelSlots, protocol(operations,
                !discover ? null : context != null ? context : ClassLoader.getSystemClassLoader()), runners);
        }
    }
}
