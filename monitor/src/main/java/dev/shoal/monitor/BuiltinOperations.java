package dev.shoal.monitor;

/**
 * The operations every Shoal machine speaks. Their message ids come from their names ({@link Protocol#idOf}), so
 * no user operation, wherever it registers, moves them.
 * Each is an ordinary {@link MonitorOperation}: the same extension API users have.
 */
final class BuiltinOperations
{
    /** Tells a peer that a direct channel to it now exists at these physical addresses (see Monitor#ensureLink). */
    record LinkOpen(long openerTx, long openerRx, int slots)
    {
    }

    private BuiltinOperations()
    {
    }

    static void registerAll(final Protocol.Builder protocol)
    {
        protocol.operation(new LinkOperation());
        protocol.operation(new BootOperation());
        protocol.operation(new NameServiceOperation());
        protocol.operation(new BindingOperation());
        protocol.operation(new NeighbourExchangeOperation());
        protocol.operation(new CapabilityOperation());
    }

    /** On-demand channels: the peer maps the opener's rings, transmitting on the opener's receive ring. */
    static final class LinkOperation implements MonitorOperation
    {
        @Override
        public void register(final Protocol.Builder protocol)
        {
            protocol.message(LinkOpen.class, (monitor, from, open) ->
            {
                if (!monitor.hasLink(from))
                {
                    monitor.addLink(from, open.openerRx(), open.openerTx(), open.slots());
                }
            });
        }
    }
}
