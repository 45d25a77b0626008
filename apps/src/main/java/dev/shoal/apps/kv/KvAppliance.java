package dev.shoal.apps.kv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.shoal.kernel.Dispatcher;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Os;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.skb.Skb;

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
 *
 * <p>On the exact engine ({@link #start(Settings, RunnerFactory)}, possibly over several JVMs) the same NIC and the
 * same {@link KvCore}s serve, but the cores' queues are {@link DevicePort}s that the {@link NicBridge} fills with
 * host requests, so that a core of another partition gets its requests, and answers, as bytes.
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
        implements java.io.Serializable
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
    /** Live mode: the domain of the kv dispatchers; else null. */
    private final Domain domain;
    /** Exact engine: the engine, each core's kv job and the bridge; else null (and no jobs). */
    private final RunnerFactory engine;
    private final List<CompletableFuture<Integer>> jobs = new ArrayList<>();
    private final NicBridge bridge;
    private final Settings settings;
    private final CountDownLatch shutdown = new CountDownLatch(1);
    private volatile Throwable failure;

    private KvAppliance(final Settings settings, final RunnerFactory engine)
    {
        this.engine = engine;
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
            booted = engine == null ? Shoal.boot(machine, settings.cores()) :
                Shoal.boot(MonitorConfig.builder(Skb.open(machine)).cores(settings.cores()).runners(engine).build());
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
        if (engine != null)
        {
            this.domain = null;
            this.bridge = new NicBridge(nic, shoal.system(), this::fail);
            for (final int core : cores)
            {
                final ServeShard job = new ServeShard(s, core, cores.length);
                // A core of this JVM reads the NIC's registers; the job for a core of another partition crosses as
                // bytes and captures nothing but the settings.
                jobs.add(shoal.system().machine().isLocal(core) ?
                    shoal.run("kv", core, os -> job.serve(os, nic)) : shoal.run("kv", core, job));
            }
            for (final CompletableFuture<Integer> j : jobs)
            {
                j.whenComplete((done, t) ->
                {
                    if (t != null)
                    {
                        fail(t);
                    }
                });
            }
            nic.installFilter(filter);
            bridge.start();
            return;
        }
        this.bridge = null;
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
     * One core's shard on the exact engine: a {@link KvCore} on its core's {@link DevicePort}, serving until
     * SHUTDOWN. Serializable: it is what reaches a core of another partition.
     */
    private record ServeShard(Settings settings, int self, int shards) implements Shoal.Job<Integer>
    {
        @Override
        public Integer run(final Os os)
        {
            return serve(os, NicRegisters.ABSENT);
        }

        Integer serve(final Os os, final NicRegisters registers)
        {
            final DevicePort port = DevicePort.of(os.monitor());
            port.registers(registers);
            new KvCore(os, port, settings, self, shards).run(() ->
            {
            });
            return self;
        }
    }

    /** A delivery or a core's kv job failed: the appliance cannot answer any more; the command ends. */
    private void fail(final Throwable t)
    {
        if (failure == null)
        {
            failure = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ?
                t.getCause() : t;
        }
        shutdown.countDown();
    }

    /** Why the appliance stopped serving on its own (a core's failure, the machine stopped), or null. */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * Boots the machine and starts the appliance; returns once it accepts connections.
     *
     * @throws IllegalArgumentException for bad settings or a port in use.
     */
    public static KvAppliance start(final Settings settings) throws InterruptedException
    {
        return start(settings, null);
    }

    /**
     * As {@link #start(Settings)}, on the exact engine {@code engine} (a {@code DeterministicScheduler}, possibly
     * partitioned over JVMs; docs/partitions.md), or live when it is null.
     */
    public static KvAppliance start(final Settings settings, final RunnerFactory engine) throws InterruptedException
    {
        final KvAppliance kv = new KvAppliance(settings, engine);
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
        if (engine != null)
        {
            // Every shard set up (memory, peer service) and waiting for its first delivery.
            engine.quiesce(timeout.toMillis());
            if (failure != null)
            {
                throw new IllegalStateException("a kv core failed to start: " + failure, failure);
            }
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!nic.awaitReady(50))
        {
            for (final Dispatcher d : domain == null ? List.<Dispatcher>of() : domain.dispatchers())
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
        if (bridge != null)
        {
            bridge.close();
        }
        nic.close();
        if (shoal != null)
        {
            shoal.close();
        }
    }
}
