package dev.shoal.kernel;

/**
 * What operations cost in simulated cycles on one machine. The machine description (via the SKB) supplies the
 * measured figures; the others are stated here with their reason.
 *
 * @param lrpcRoundTrip    same-core LRPC round trip (the Multikernel paper's measured figure for the machine);
 *                         an LMP send charges half of it, the reply the other half.
 * @param umpSendSlot      software cycles the sender spends filling one 64-byte slot (the stores and the header):
 *                         {@link #UMP_SEND_SOFTWARE}. The line's coherence transfer is not in it: the hardware part
 *                         of a message is the topology's line transfers ({@code Topology.lineTransfer}), charged by
 *                         the transport (the sender's store buffer commits one line at a time; the receiver's poll
 *                         miss stalls it for one transfer).
 * @param umpReceiveSlot   software cycles the receiver spends on one slot once its line has arrived (checking the
 *                         sequence word, copying the payload out): {@link #UMP_RECEIVE_SOFTWARE}.
 * @param monitorHandler   cycles a monitor spends dispatching one protocol message to its handler: a table lookup
 *                         and a decode, charged as a tenth of an LRPC (an order-of-magnitude estimate, not a fit).
 * @param timeSlice        cycles a dispatcher may run before a libOS call yields the core to the next one
 *                         (1 ms at 2 GHz; Barrelfish's default time slice is in the same range).
 */
public record CostModel(long lrpcRoundTrip, long umpSendSlot, long umpReceiveSlot, long monitorHandler, long timeSlice)
{
    /**
     * Software of one UMP slot on the sending side. Calibrated, with {@link #UMP_RECEIVE_SOFTWARE}, on the
     * Multikernel paper's Table 2 alone (60 cycles in all: the Intel shared-cache latency, 180, less two line
     * transfers through the shared L2), and said so in docs/validation.md; everything else is held out.
     */
    public static final long UMP_SEND_SOFTWARE = 20;
    /** Software of one UMP slot on the receiving side (poll check and copy); see {@link #UMP_SEND_SOFTWARE}. */
    public static final long UMP_RECEIVE_SOFTWARE = 40;

    public CostModel
    {
        if (lrpcRoundTrip < 0 || umpSendSlot < 0 || umpReceiveSlot < 0 || monitorHandler < 0 || timeSlice <= 0)
        {
            throw new IllegalArgumentException("cost model figures must be non-negative (time slice positive)");
        }
    }

    /** The cost model of a machine whose same-core LRPC round trip costs {@code lrpcRoundTrip} cycles. */
    public static CostModel forLrpc(final long lrpcRoundTrip)
    {
        return new CostModel(lrpcRoundTrip, UMP_SEND_SOFTWARE, UMP_RECEIVE_SOFTWARE, lrpcRoundTrip / 10, 2_000_000);
    }

    /**
     * A dispatcher that yields pays a switch to the next one: charged as an LMP hand-off (half an LRPC round trip,
     * which is two switches and a message), so a loop of yields advances the clock.
     */
    public long yieldCycles()
    {
        return lmpOneWay();
    }

    /** One-way LMP cost: half the round trip. */
    public long lmpOneWay()
    {
        return lrpcRoundTrip / 2;
    }
}
