package dev.shoal.libos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.shoal.kernel.Dispatcher;

/**
 * An application domain: one dispatcher on each of its cores, all running the same main (told apart by
 * {@link Os#coreId()}). Host-side handle: start it with {@link Shoal#startDomain}, then {@link #join(Duration)}.
 */
public final class Domain
{
    /** An application's entry point, run once per core of its domain. */
    @FunctionalInterface
    public interface Main
    {
        void run(Os os) throws Exception;
    }

    private final String name;
    private final long instance;
    private final int[] cores;
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    Domain(final String name, final long instance, final int[] cores)
    {
        this.name = name;
        this.instance = instance;
        this.cores = cores.clone();
    }

    /**
     * Spawns one dispatcher on each core. A halted core fails at once; a core that does not answer within
     * {@code timeout} (host time) fails the start naming it, instead of the host waiting for ever.
     */
    void start(final Shoal shoal, final Main main, final Duration timeout)
    {
        for (final int core : cores)
        {
            // A core of another partition is not in this JVM: onCores refuses it below, naming what crosses JVMs.
            if (shoal.system().machine().isLocal(core) && shoal.system().machine().core(core).isHalted())
            {
                throw new IllegalStateException("domain " + name + " cannot start: core " + core + " is halted");
            }
        }
        final Runnable[] bodies = new Runnable[cores.length];
        for (int i = 0; i < cores.length; i++)
        {
            final Os os = new Os(shoal, this, cores[i]);
            final Runnable body = () ->
            {
                try
                {
                    main.run(os);
                }
                catch (final RuntimeException ex)
                {
                    throw ex;
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            };
            bodies[i] = body;
        }
        // Spawned by each core itself, all on one host request: in exact mode they start at one simulated instant.
        final List<CompletableFuture<Dispatcher>> spawned =
            shoal.system().onCores(cores, (i, m) -> m.core().spawn(name, bodies[i]));
        try
        {
            CompletableFuture.allOf(spawned.toArray(new CompletableFuture<?>[0]))
                .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            // A core failed to spawn: join() below rethrows it as before.
        }
        catch (final TimeoutException ex)
        {
            final List<Integer> silent = new ArrayList<>();
            for (int i = 0; i < cores.length; i++)
            {
                if (!spawned.get(i).isDone())
                {
                    silent.add(cores[i]);
                }
            }
            throw new IllegalStateException("domain " + name + " did not start: cores " + silent +
                " did not answer within " + timeout.toMillis() + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting domain " + name, ex);
        }
        for (final CompletableFuture<Dispatcher> started : spawned)
        {
            dispatchers.add(started.join());
        }
    }

    public String name()
    {
        return name;
    }

    public int[] cores()
    {
        return cores.clone();
    }

    /** This domain's number among the domains started on its machine (1, 2, ...): it tells apart equal names. */
    public long instance()
    {
        return instance;
    }

    public List<Dispatcher> dispatchers()
    {
        return List.copyOf(dispatchers);
    }

    /**
     * Waits for every dispatcher of the domain to finish; rethrows the first failure.
     *
     * @return false on time-out.
     */
    public boolean join(final Duration timeout) throws InterruptedException
    {
        final Instant deadline = Instant.now().plus(timeout);
        for (final Dispatcher d : dispatchers)
        {
            final Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || !d.join(left))
            {
                return false;
            }
        }
        for (final Dispatcher d : dispatchers)
        {
            if (d.failure() != null)
            {
                throw new DomainFailedException(name, d, d.failure());
            }
        }
        return true;
    }
}
