package dev.shoal.libos;

import dev.shoal.monitor.ServiceExport;

/** A service this dispatcher exported: {@link #accept()} hands over each client as a {@link Channel}. */
public final class Service
{
    private final ServiceExport export;

    Service(final ServiceExport export)
    {
        this.export = export;
    }

    public String name()
    {
        return export.name();
    }

    /** Blocks the calling dispatcher until a client binds. */
    public Channel accept()
    {
        return new Channel(export.accept());
    }
}
