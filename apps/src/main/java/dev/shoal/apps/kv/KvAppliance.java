package dev.shoal.apps.kv;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.shoal.kernel.Dispatcher;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Shoal;

/**
 * The "bare Redis" appliance, host side: boots a Shoal machine, plugs in the {@link Nic} and starts the domain
 * {@code kv} with one {@link KvCore} dispatcher per core, each owning one shard. Core 0 installs the filter
 * ({@link #FILTER}); the NIC serves once every core has attached to its queue.
 *
 * <pre>
 *  redis-cli ──TCP──▶ NIC (host thread "nic") ──filter──▶ RX ring of core k ──▶ KvCore k ──▶ Shard k (mapped memory)
 *            ◀────── reorder by sequence ◀──────────────── TX ring of core k ◀──┘      │ MGET/MSET/DEL/EXISTS/
 *                                                                                     ▼ DBSIZE/FLUSHALL: UMP to peers
 * </pre>
 */
public final class KvAppliance implements AutoCloseable
{
    /** Per-ring bytes: the largest request or reply is an eighth of this. */
    static final int RING_BYTES = 2 << 20;
    public static final int MAX_CORES = 32;
    public static final long MAX_MEMORY_PER_CORE = 192L << 20;

    /**
     * @param machine            a machine name (null: {@link Shoal#defaultMachine(int)}).
     * @param cores              shards, one per core from core 0.
     * @param port               TCP port on 127.0.0.1 (0: any free one).
     * @param memoryPerCoreBytes RAM each shard's dispatcher gets and its allocator may map.
     * @param requirepass        the password clients must AUTH with (null: none, Redis's default).
     */
    public record Settings(String machine, int cores, int port, long memoryPerCoreBytes, String requirepass)
    {
        public Settings(final String machine, final int cores, final int port, final long memoryPerCoreBytes)
        {
            this(machine, cores, port, memoryPerCoreBytes, null);
        }

        public Settings
        {
            if (cores < 1 || cores > MAX_CORES)
            {
                throw new IllegalArgumentException("--cores must be 1.." + MAX_CORES + ": " + cores);
            }
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("--port must be 0..65535: " + port);
            }
            if (memoryPerCoreBytes < KvCore.CHUNK_BYTES * 2 || memoryPerCoreBytes > MAX_MEMORY_PER_CORE)
            {
                throw new IllegalArgumentException("--memory must be 2.." + (MAX_MEMORY_PER_CORE >> 20) +
                    " MiB per core: " + (memoryPerCoreBytes >> 20));
            }
        }
    }

    /** The filter the appliance installs, derived from the command table ({@link Command#filter()}). */
    public static final NicFilter FILTER = Command.filter();

    private final Shoal shoal;
    private final Nic nic;
    private final Domain domain;
    private final Settings settings;
    private final CountDownLatch shutdown = new CountDownLatch(1);

    private KvAppliance(final Settings settings)
    {
        final int[] cores = new int[settings.cores()];
        for (int i = 0; i < cores.length; i++)
        {
            cores[i] = i;
        }
        final String machine = settings.machine() == null ? Shoal.defaultMachine(settings.cores()) : settings.machine();
        this.nic = new Nic(settings.port(), settings.cores(), RING_BYTES, settings.memoryPerCoreBytes(),
            new ClientLimits(settings.requirepass()), shutdown::countDown);
        this.settings = new Settings(machine, settings.cores(), nic.port(), settings.memoryPerCoreBytes(),
            settings.requirepass());
        Shoal booted = null;
        try
        {
            booted = Shoal.boot(machine, settings.cores());
        }
        finally
        {
            if (booted == null)
            {
                nic.close();
            }
        }
        this.shoal = booted;
        final Settings s = this.settings;
        final byte[] filter = FILTER.encode();
        this.domain = shoal.startDomain("kv", cores, os ->
        {
            final int self = os.coreId();
            new KvCore(os, nic.queue(self), s, self, cores.length).run(() ->
            {
                if (self == 0)
                {
                    nic.installFilter(filter);
                }
            });
        });
    }

    /**
     * Boots the machine and starts the appliance; returns once it accepts connections.
     *
     * @throws IllegalArgumentException for bad settings or a port in use.
     */
    public static KvAppliance start(final Settings settings) throws InterruptedException
    {
        final KvAppliance kv = new KvAppliance(settings);
        try
        {
            kv.awaitCores(Duration.ofSeconds(60));
            kv.nic.start();
            return kv;
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            kv.close();
            throw ex;
        }
    }

    private void awaitCores(final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!nic.awaitReady(50))
        {
            for (final Dispatcher d : domain.dispatchers())
            {
                if (d.failure() != null)
                {
                    throw new IllegalStateException("the kv dispatcher on core " + d.core().id() + " failed: " +
                        d.failure(), d.failure());
                }
            }
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("the kv cores did not attach to the NIC within " + timeout);
            }
        }
    }

    public int port()
    {
        return settings.port();
    }

    public Settings settings()
    {
        return settings;
    }

    /** Waits for a client's SHUTDOWN; false on time-out. */
    public boolean awaitShutdown(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return shutdown.await(timeout, unit);
    }

    @Override
    public void close()
    {
        nic.close();
        if (shoal != null)
        {
            shoal.close();
        }
    }
}
