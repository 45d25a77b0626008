package dev.shoal.libos;

import dev.shoal.monitor.Binding;
import dev.shoal.monitor.ServiceExport;

/**
 * The exporting end of a sibling channel ({@link Os#sibling}): it exists as soon as the name is exported and
 * accepts the peer's binding at its first use, so {@code sibling} itself never waits for the peer. Used only by
 * dispatchers of its core.
 */
final class SiblingBinding implements Binding
{
    private final ServiceExport export;
    private final int peer;
    private Binding accepted;

    SiblingBinding(final ServiceExport export, final int peer)
    {
        this.export = export;
        this.peer = peer;
    }

    private Binding binding()
    {
        if (accepted == null)
        {
            accepted = export.accept();
        }
        return accepted;
    }

    @Override
    public void send(final byte[] message)
    {
        binding().send(message);
    }

    @Override
    public byte[] receive()
    {
        return binding().receive();
    }

    @Override
    public String transport()
    {
        // Siblings are on different cores.
        return "ump";
    }

    @Override
    public int peerCore()
    {
        return peer;
    }
}
