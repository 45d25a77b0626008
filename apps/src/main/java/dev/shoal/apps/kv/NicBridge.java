package dev.shoal.apps.kv;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.monitor.MonitorSystem;

/**
 * The NIC's side of the machine under the exact engine, on the coordinator's host (thread {@code nic-bridge}). It
 * consumes every core's {@link NicQueue} in the cores' stead: what the NIC put on core k's receive ring goes to
 * core k as one host request ({@link DevicePort.Delivery}: the ring messages as bytes), which lands when the
 * machine is quiescent, at the engine's instant, on whichever partition runs core k; the replies it answers go onto
 * core k's transmit ring, where the NIC finds them as it finds a live core's. One delivery per core is in flight at
 * a time; the NIC's own batching into runs ({@link NicRuns}) and its reordering by sequence ({@link NicReplies})
 * are unchanged. Only bytes reach the cores.
 *
 * <pre>
 *  NIC ──RX ring k──▶ bridge ──host request (bytes)──▶ [partition of core k] DevicePort ──▶ KvCore k
 *      ◀──TX ring k── bridge ◀──answer (bytes)─────────────────────────────────────────────────┘
 * </pre>
 */
final class NicBridge implements AutoCloseable
{
    /** How long the bridge sleeps at most with nothing to do: bounds how late it sees {@link #close()}. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Nic nic;
    private final MonitorSystem system;
    private final NicQueue[] queues;
    private final CompletableFuture<?>[] inFlight;
    private final ExpandableArrayBuffer gathered = new ExpandableArrayBuffer(4096);
    private final Thread thread;
    private final java.util.function.Consumer<Throwable> onFailure;
    private volatile boolean running = true;
    private int gatheredLength;

    /**
     * @param onFailure told once when a delivery fails (a core's kv dispatcher failed, or the machine stopped):
     *                  the appliance can no longer answer that core's requests.
     */
    NicBridge(final Nic nic, final MonitorSystem system, final java.util.function.Consumer<Throwable> onFailure)
    {
        this.nic = nic;
        this.system = system;
        this.onFailure = onFailure;
        this.queues = new NicQueue[nic.queues()];
        for (int i = 0; i < queues.length; i++)
        {
            queues[i] = nic.queue(i);
        }
        this.inFlight = new CompletableFuture<?>[queues.length];
        this.thread = new Thread(this::run, "nic-bridge");
        this.thread.setDaemon(true);
    }

    /** Attaches to every queue (the NIC then serves once its filter is installed) and starts the thread. */
    void start()
    {
        thread.start();
    }

    private void run()
    {
        for (final NicQueue q : queues)
        {
            q.attach();
        }
        try
        {
            while (running)
            {
                boolean work = false;
                for (int k = 0; k < queues.length; k++)
                {
                    work |= answered(k);
                    work |= deliver(k);
                }
                if (!work)
                {
                    NicQueue.awaitAny(queues, IDLE_NANOS);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            running = false;
            onFailure.accept(ex);
        }
    }

    /** When core k has answered its delivery: its replies onto its transmit ring. */
    private boolean answered(final int k)
    {
        final CompletableFuture<?> f = inFlight[k];
        if (f == null || !f.isDone())
        {
            return false;
        }
        inFlight[k] = null;
        final byte[] replies = (byte[])f.join();
        final UnsafeBuffer in = new UnsafeBuffer(replies);
        int at = 0;
        while (at < replies.length)
        {
            final int type = in.getInt(at);
            final int length = in.getInt(at + 4);
            while (!queues[k].tx().write(type, in, at + 8, length))
            {
                // The NIC drains the ring as it sends; a host thread may wait for it.
                nic.kick();
                Thread.yield();
                if (!running)
                {
                    return true;
                }
            }
            at += 8 + length;
        }
        nic.kick();
        return true;
    }

    /** When core k has nothing in flight and the NIC has requests for it: they go as one host request. */
    private boolean deliver(final int k)
    {
        if (inFlight[k] != null)
        {
            return false;
        }
        gatheredLength = 0;
        final int n = queues[k].rx().read((type, b, index, length) ->
        {
            gathered.putInt(gatheredLength, type);
            gathered.putInt(gatheredLength + 4, length);
            gathered.putBytes(gatheredLength + 8, b, index, length);
            gatheredLength += 8 + length;
        });
        if (n == 0)
        {
            return false;
        }
        final byte[] messages = new byte[gatheredLength];
        gathered.getBytes(0, messages);
        final CompletableFuture<byte[]> answer = system.request(k,
            new DevicePort.Delivery(messages, queues[k].maxMessage()));
        inFlight[k] = answer;
        answer.whenComplete((r, failure) -> LockSupport.unpark(thread));
        // Room on the ring: requests the NIC held back may go on now.
        nic.kick();
        return true;
    }

    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
