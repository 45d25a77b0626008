package dev.shoal.monitor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

import dev.shoal.kernel.CostModel;
import dev.shoal.kernel.Core;
import dev.shoal.kernel.Machine;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.skb.Topology;

/**
 * A booted machine of monitors, as seen from the host: boots it, waits for boot, runs host requests on a core,
 * shuts it down. Monitors themselves never call back into this object except through the completion hooks, which
 * are host-side futures.
 *
 * <p>Read-only for cores: the configuration, the protocol table and the SKB's {@link Topology} snapshot are
 * immutable (the role of firmware tables every core may read).
 */
public final class MonitorSystem implements AutoCloseable
{
    /** What {@link #onCores} runs on the {@code index}-th core it was given, with that core's monitor. */
    @FunctionalInterface
    public interface CoreAction<T>
    {
        T apply(int index, Monitor monitor);
    }

    /**
     * A host request that may run on a core of another JVM (docs/partitions.md): serializable, like what it
     * captures, and answering through a stage whose value is serializable too. It runs on its core's carrier with
     * that core's monitor; the stage may complete later on that core (a dispatcher's result, say).
     */
    @FunctionalInterface
    public interface Request<T> extends java.io.Serializable
    {
        java.util.concurrent.CompletionStage<T> apply(Monitor monitor) throws Exception;
    }

    /** Reported by core 0 when every core's monitor is up. */
    public record BootReport(int cores, long bootCycles, long messages)
    {
    }

    /** Reported by core 0 when the neighbour exchange finished on every core. */
    public record ExchangeReport(int cores, long messages, long cycles)
    {
    }

    private final MonitorConfig config;
    private final Topology topology;
    private final Machine machine;
    private final AtomicReferenceArray<Monitor> monitors;
    private final CompletableFuture<BootReport> booted = new CompletableFuture<>();
    private final CompletableFuture<ExchangeReport> exchanged = new CompletableFuture<>();
    private final AtomicLong malformed = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicIntegerArray monitorStarts;
    /** The machine's shared interconnect on the exact engine, or null (live mode, or nothing of it modelled). */
    private final Interconnect interconnect;

    private MonitorSystem(final MonitorConfig config)
    {
        this.config = config;
        this.topology = config.skb().topology();
        this.monitors = new AtomicReferenceArray<>(config.cores());
        this.monitorStarts = new java.util.concurrent.atomic.AtomicIntegerArray(config.cores());
        this.interconnect = config.runners().isDeterministic() && Interconnect.modelled(topology) ?
            new Interconnect(topology) : null;
        if (config.runners().isDeterministic())
        {
            // Before the machine is built: a partitioned machine builds only the cores of this JVM's partition. And
            // before the workers hear of it, so that a machine that cannot be split is refused here only.
            planPartitions(config.runners(), topology, config.cores());
        }
        config.runners().announce(describe(config, topology));
        this.machine = new Machine(config.cores(), CostModel.forLrpc(topology.lrpcCycles()), this::startMonitor,
            config.runners(), topology::memoryLatency);
        config.runners().decodeHostRequestsWith(this::decodeRequest);
        if (machine.trace() instanceof dev.shoal.kernel.TraceRecorder recorder)
        {
            final Protocol protocol = config.protocol();
            recorder.messageNames(id ->
            {
                final Protocol.MessageType<?> type = protocol.byId(id);
                return type == null ? null :
                    type.operation().substring(type.operation().lastIndexOf('.') + 1).replace('$', '.') + "." +
                    type.type().getSimpleName();
            });
        }
        if (machine.timeline().enabled())
        {
            final int[] packageOf = new int[config.cores()];
            for (int c = 0; c < packageOf.length; c++)
            {
                packageOf[c] = topology.packageOf(c);
            }
            machine.timeline().describe(topology.machineName(), packageOf, topology.clockMhz());
        }
    }

    /**
     * The machine in words another JVM rebuilds it from (docs/partitions.md): the machine's name, cores, ring slots
     * and the classes of the operations, one {@code key=value} a line.
     */
    private static String describe(final MonitorConfig config, final Topology topology)
    {
        final StringBuilder text = new StringBuilder();
        text.append("machine=").append(topology.machineName()).append('\n');
        text.append("cores=").append(config.cores()).append('\n');
        text.append("slots=").append(config.channelSlots()).append('\n');
        text.append("types=").append(config.protocol().messageTypes()).append('\n');
        config.protocol().types().stream().map(Protocol.MessageType::operation).distinct()
            .forEach(op -> text.append("operation=").append(op).append('\n'));
        return text.toString();
    }

    /**
     * Tells the exact engine the machine's blocks (packages: a partition never splits one) and its lookahead: the
     * smallest line transfer between cores of two different packages (every message's stamp is at least one line
     * transfer after its sender's clock, {@link Monitor#commitSlots}), so that no message between partitions can
     * arrive within the window it was sent in.
     */
    /**
     * Tells the engine which cores a partition never splits, and the lookahead: packages, and the smallest line
     * transfer between two, on a machine whose links are pure delay; the whole machine where the description models
     * the interconnect's occupancy ({@link Interconnect#modelled}).
     */
    private static void planPartitions(final dev.shoal.kernel.RunnerFactory runners, final Topology topology,
        final int cores)
    {
        final int[] packageOf = new int[cores];
        final List<Integer> representatives = new ArrayList<>();
        for (int c = 0; c < cores; c++)
        {
            packageOf[c] = topology.packageOf(c);
            if (c == 0 || packageOf[c] != packageOf[c - 1])
            {
                representatives.add(c);
            }
        }
        // Any core of a package stands for all of it: latency between packages does not depend on the cores.
        long lookahead = Long.MAX_VALUE;
        for (int i = 0; i < representatives.size(); i++)
        {
            for (int j = i + 1; j < representatives.size(); j++)
            {
                final int a = representatives.get(i);
                final int b = representatives.get(j);
                lookahead = Math.min(lookahead, Math.max(1, Math.min(topology.lineTransfer(a, b), topology.lineTransfer(b, a))));
            }
        }
        if (Interconnect.modelled(topology))
        {
            // Its links, buses and controllers serve every package's transfers in the order the engine handles
            // them, and a booking is answered at once: no partition boundary can cut through them.
            runners.plan(new int[cores], Long.MAX_VALUE, Interconnect.whyOnePartition(topology));
            return;
        }
        runners.plan(packageOf, lookahead);
    }

    /** Powers the machine on: core 0's monitor starts and boots the rest. Returns at once; see {@link #awaitBoot}. */
    public static MonitorSystem start(final MonitorConfig config)
    {
        final MonitorSystem system = new MonitorSystem(config);
        system.machine.powerOn();
        return system;
    }

    /** Starts the machine and waits for boot to complete. */
    public static MonitorSystem boot(final MonitorConfig config, final Duration timeout)
    {
        final MonitorSystem system = start(config);
        try
        {
            system.awaitBoot(timeout);
            return system;
        }
        catch (final RuntimeException ex)
        {
            system.close();
            throw ex;
        }
    }

    private void startMonitor(final Core core, final long bootArgument)
    {
        final Monitor monitor = new Monitor(core, this);
        final int starts = monitorStarts.incrementAndGet(core.id());
        if (core.trace().enabled())
        {
            core.trace().record(core.id(), core.clock().now(), dev.shoal.kernel.Trace.Event.START, starts, 0);
        }
        monitors.set(core.id(), monitor);
        core.addService(monitor);
        if (core.id() == 0)
        {
            BootOperation.startRoot(monitor);
        }
        else
        {
            BootOperation.startChild(monitor, bootArgument);
        }
    }

    public MonitorConfig config()
    {
        return config;
    }

    public Topology topology()
    {
        return topology;
    }

    /**
     * The machine's interconnect as shared hardware ({@link Interconnect}): on the exact engine where the description
     * models it; null in live mode or where nothing of it can queue.
     */
    public Interconnect interconnect()
    {
        return interconnect;
    }

    public Machine machine()
    {
        return machine;
    }

    public int cores()
    {
        return config.cores();
    }

    /** Waits until every core has booted. */
    public BootReport awaitBoot(final Duration timeout)
    {
        return await(booted, timeout, "boot of " + config.cores() + " cores");
    }

    /** Runs the neighbour exchange (each monitor pings its successor) and waits for it. */
    public ExchangeReport exchangeWithNeighbours(final Duration timeout)
    {
        onCore(0, monitor ->
        {
            NeighbourExchangeOperation.onStart(monitor);
            return null;
        });
        return await(exchanged, timeout, "neighbour exchange on " + config.cores() + " cores");
    }

    /**
     * Runs {@code action} on core {@code core}'s carrier with that core's monitor (inside its duty cycle) and
     * completes the future with the result. Any thread. The core must have booted.
     */
    public <T> CompletableFuture<T> onCore(final int core, final Function<Monitor, T> action)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Monitor monitor = monitors.get(core);
        if (monitor == null)
        {
            result.completeExceptionally(new IllegalStateException(notBooted(core)));
            return result;
        }
        machine.hostSubmit(core, () ->
        {
            try
            {
                result.complete(action.apply(monitor));
            }
            catch (final Throwable t)
            {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /**
     * Runs {@code request} on core {@code core} with that core's monitor and completes the future with the value
     * its stage completes with. Unlike {@link #onCore}, it reaches every core of a partitioned machine: for a core
     * of another JVM the request travels as bytes, lands at the instant it would land in one JVM, and its answer
     * travels back as bytes (docs/partitions.md), so the run's figures are the single JVM's. Any thread.
     *
     * @throws IllegalArgumentException when the request must cross JVMs and is not serializable.
     */
    public <T> CompletableFuture<T> request(final int core, final Request<T> request)
    {
        return requestAll(new int[] {core}, List.of(request)).get(0);
    }

    /**
     * Runs {@code requests.get(i)} on core {@code cores[i]} as {@link #request} does, as one host request: in exact
     * mode they all land at the same simulated instant, whichever partitions run the cores, so several cores'
     * requests cost the machine one quiescent barrier (the kv NIC's deliveries, say). Any thread.
     *
     * @return one future per request, in the order given.
     * @throws IllegalArgumentException when a request must cross JVMs and is not serializable, or the arrays differ
     *                                  in length.
     */
    public <T> List<CompletableFuture<T>> requestAll(final int[] cores, final List<? extends Request<T>> requests)
    {
        if (cores.length != requests.size())
        {
            throw new IllegalArgumentException(cores.length + " cores but " + requests.size() + " requests");
        }
        final List<CompletableFuture<T>> results = new ArrayList<>(cores.length);
        final List<RunnerFactory.HostRequest> batch = new ArrayList<>(cores.length);
        for (int i = 0; i < cores.length; i++)
        {
            final int core = cores[i];
            final Request<T> request = requests.get(i);
            final CompletableFuture<T> result = new CompletableFuture<>();
            results.add(result);
            if (!config.runners().ownsCore(core))
            {
                final byte[] bytes = HostRequestCodec.encode(request);
                batch.add(RunnerFactory.HostRequest.encoded(core, bytes,
                    reply -> HostRequestCodec.complete(result, reply, core)));
                continue;
            }
            final Monitor monitor = monitors.get(core);
            if (monitor == null)
            {
                result.completeExceptionally(new IllegalStateException(notBooted(core)));
                continue;
            }
            batch.add(RunnerFactory.HostRequest.task(machine.core(core), () -> apply(request, monitor)
                .whenComplete((value, failure) ->
                {
                    if (failure == null)
                    {
                        result.complete(value);
                    }
                    else
                    {
                        result.completeExceptionally(failure);
                    }
                })));
        }
        if (!batch.isEmpty())
        {
            machine.hostSubmitAll(batch.toArray(RunnerFactory.HostRequest[]::new));
        }
        return results;
    }

    private static <T> java.util.concurrent.CompletionStage<T> apply(final Request<T> request, final Monitor monitor)
    {
        try
        {
            return request.apply(monitor);
        }
        catch (final Throwable t)
        {
            return CompletableFuture.failedFuture(t);
        }
    }

    /** A request that came from the coordinator as bytes, for a core of this JVM: runs it, answers as bytes. */
    private Runnable decodeRequest(final Core core, final byte[] bytes, final java.util.function.Consumer<byte[]> reply)
    {
        return () ->
        {
            final Monitor monitor = monitors.get(core.id());
            final java.util.concurrent.CompletionStage<?> stage;
            if (monitor == null)
            {
                stage = CompletableFuture.failedFuture(new IllegalStateException("core " + core.id() +
                    " has not booted"));
            }
            else
            {
                java.util.concurrent.CompletionStage<?> s;
                try
                {
                    s = apply((Request<?>)HostRequestCodec.decode(bytes, 0), monitor);
                }
                catch (final RuntimeException ex)
                {
                    s = CompletableFuture.failedFuture(ex);
                }
                stage = s;
            }
            stage.whenComplete((value, failure) -> reply.accept(HostRequestCodec.reply(value, failure)));
        };
    }

    /**
     * Runs {@code action} on each of {@code cores} with that core's monitor, as one host request: in exact mode
     * every action lands at the same simulated instant (e.g. the dispatchers of a domain start together). Any
     * thread; every core must have booted.
     *
     * @return one future per core, in the order given.
     */
    public <T> List<CompletableFuture<T>> onCores(final int[] cores, final CoreAction<T> action)
    {
        final List<CompletableFuture<T>> results = new ArrayList<>(cores.length);
        final Runnable[] tasks = new Runnable[cores.length];
        for (int i = 0; i < cores.length; i++)
        {
            final CompletableFuture<T> result = new CompletableFuture<>();
            results.add(result);
            final Monitor monitor = monitors.get(cores[i]);
            if (monitor == null)
            {
                throw new IllegalStateException(notBooted(cores[i]));
            }
            final int index = i;
            tasks[i] = () ->
            {
                try
                {
                    result.complete(action.apply(index, monitor));
                }
                catch (final Throwable t)
                {
                    result.completeExceptionally(t);
                }
            };
        }
        machine.hostSubmitAll(cores, tasks);
        return results;
    }

    /** Why there is no monitor of {@code core} here. */
    private String notBooted(final int core)
    {
        return config.runners().ownsCore(core) ? "core " + core + " has not booted" : "core " + core +
            " runs in another partition: a closure cannot cross JVMs; MonitorSystem.request (Shoal.run from the " +
            "libOS) carries a serializable one there (docs/partitions.md)";
    }

    /** The monitor of {@code core}, for code that runs on that core (e.g. the libOS of its dispatchers). */
    public Monitor monitorOf(final int core)
    {
        final Monitor monitor = monitors.get(core);
        if (monitor == null)
        {
            throw new IllegalStateException(notBooted(core));
        }
        return monitor;
    }

    /** How many times core {@code core}'s monitor has started (boot must make it exactly one). */
    public int monitorStarts(final int core)
    {
        return monitorStarts.get(core);
    }

    /**
     * The monitor of {@code core}, or null before it booted, for invariant checkers that run while every core is
     * paused (deterministic mode's step hook). Never use it to change state.
     */
    public Monitor peekMonitor(final int core)
    {
        return monitors.get(core);
    }

    /** Malformed messages dropped by all monitors so far. */
    public long malformedMessages()
    {
        return malformed.get();
    }

    void bootComplete(final int cores, final long cycles, final long messages)
    {
        booted.complete(new BootReport(cores, cycles, messages));
    }

    void neighbourExchangeComplete(final int cores, final long messages, final long cycles)
    {
        exchanged.complete(new ExchangeReport(cores, messages, cycles));
    }

    void reportMalformed(final int core, final int source, final String problem)
    {
        malformed.incrementAndGet();
        System.err.println("monitor " + core + ": dropped a malformed message from core " + source + ": " + problem);
    }

    private static <T> T await(final CompletableFuture<T> future, final Duration timeout, final String what)
    {
        try
        {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(what + " did not complete within " + timeout.toMillis() + " ms");
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(what + " failed: " + ex.getCause(), ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted");
        }
    }

    /** Stops every core. */
    @Override
    public void close()
    {
        machine.close();
    }
}
