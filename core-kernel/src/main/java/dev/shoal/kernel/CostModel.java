package dev.shoal.kernel;

/**
 * What operations cost in simulated cycles on one machine. The machine description (via the SKB) supplies the
 * measured figures; the others are stated here with their reason.
 *
 * @param lrpcRoundTrip    same-core LRPC round trip (the Multikernel paper's measured figure for the machine);
 *                         an LMP send charges half of it, the reply the other half.
 * @param umpSendSlot      cycles the sender spends writing one 64-byte slot: one cache-line store, taken as the
 *                         paper's URPC throughput bound (≈ 1000 / 11.97 msgs/kcycle ≈ 84 cycles per message).
 * @param umpReceiveSlot   cycles the receiver spends reading one slot (same cache-line argument as the send).
 * @param monitorHandler   cycles a monitor spends dispatching one protocol message to its handler: a table lookup
 *                         and a decode, charged as a tenth of an LRPC (an order-of-magnitude estimate, not a fit).
 * @param timeSlice        cycles a dispatcher may run before a libOS call yields the core to the next one
 *                         (1 ms at 2 GHz; Barrelfish's default time slice is in the same range).
 */
public record CostModel(long lrpcRoundTrip, long umpSendSlot, long umpReceiveSlot, long monitorHandler, long timeSlice)
{
    /** URPC slot cost derived from the paper's best URPC throughput (11.97 messages per kilocycle). */
    public static final long SLOT_CYCLES = Math.round(1000.0 / 11.97);

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
        return new CostModel(lrpcRoundTrip, SLOT_CYCLES, SLOT_CYCLES, lrpcRoundTrip / 10, 2_000_000);
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
