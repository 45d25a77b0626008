package dev.shoal.libos.octopus;

import java.util.function.Consumer;

/** A watch of an {@link Octopus} client: its id, its pattern, and cancellation. Used on the client's core. */
public final class Watch
{
    private final Octopus client;
    private final long id;
    private final String pattern;
    private final Consumer<OctopusEvent> callback;
    private boolean cancelled;
    private long delivered;

    Watch(final Octopus client, final long id, final String pattern, final Consumer<OctopusEvent> callback)
    {
        this.client = client;
        this.id = id;
        this.pattern = pattern;
        this.callback = callback;
    }

    public long id()
    {
        return id;
    }

    public String pattern()
    {
        return pattern;
    }

    /** Events handed to the callback so far. */
    public long delivered()
    {
        return delivered;
    }

    /** Ends the watch: once this returns the callback is not called again (events in flight are dropped). */
    public void cancel()
    {
        if (!cancelled)
        {
            cancelled = true;
            client.cancel(this);
        }
    }

    void deliver(final OctopusEvent event)
    {
        if (!cancelled)
        {
            delivered++;
            callback.accept(event);
        }
    }
}
