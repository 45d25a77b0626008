package dev.shoal.monitor;

import dev.shoal.monitor.ump.UmpEndpoint;

/**
 * A direct UMP channel from this monitor to the monitor of {@code peer}, with the link's one-way latency in
 * cycles (from the SKB), which the receiver adds to each message's send time.
 */
record MonitorLink(int peer, UmpEndpoint endpoint, long latency)
{
}
