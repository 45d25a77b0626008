package dev.shoal.apps.kv;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.monitor.MonitorSystem;

/**
 * The NIC's side of the machine under the exact engine, on the coordinator's host (thread {@code nic-bridge}). It
 * consumes every core's {@link NicQueue} in the cores' stead: what the NIC put on core k's receive ring goes to
 * core k as a host request ({@link DevicePort.Delivery}: the ring messages as bytes), which lands when the machine
 * is quiescent, at the engine's instant, on whichever partition runs core k; the replies it answers go onto core
 * k's transmit ring, where the NIC finds them as it finds a live core's. Only bytes reach the cores.
 *
 * <p>The deliveries of every core with requests waiting go as one batch ({@link MonitorSystem#requestAll}), which
 * lands at one quiescent barrier, so one quiescent round between the partitions serves every core that has work.
 * While a batch is in flight the next one may already go, with whatever came meanwhile: it lands at the quiescent
 * barrier that ends the last batch (a host request lands only when the machine is quiescent, and the machine is
 * quiescent only once every delivery it has is answered), so the engine lands it without waiting for this thread
 * to see the answers and wake it. At most {@link #BATCHES} batches are outstanding; requests that come after the
 * second was sent wait on their rings for the next. Each core's replies go out as soon as its own answer is in,
 * in the order of its deliveries. The NIC's own batching into runs ({@link NicRuns}) and its reordering by
 * sequence ({@link NicReplies}) are unchanged.
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
    /** Batches outstanding: one landed or waiting to land, and the one after it. */
    private static final int BATCHES = 2;

    /** A batch of deliveries sent as one host request; how many of them are not answered yet. */
    private static final class Batch
    {
        int unanswered;
    }

    /** A delivery to a core: its answer and its batch. */
    private record Sent(CompletableFuture<byte[]> answer, Batch batch)
    {
    }

    /** Per core, its deliveries not yet answered, oldest first (answered in that order). */
    private final ArrayDeque<Sent>[] inFlight;
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
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
        @SuppressWarnings("unchecked")
        final ArrayDeque<Sent>[] perCore = new ArrayDeque[queues.length];
        for (int k = 0; k < perCore.length; k++)
        {
            perCore[k] = new ArrayDeque<>();
        }
        this.inFlight = perCore;
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
                }
                final boolean mayDeliver = batches.size() < BATCHES;
                if (mayDeliver)
                {
                    work |= deliver();
                }
                if (!work && mayDeliver)
                {
                    NicQueue.awaitAny(queues, IDLE_NANOS);
                }
                else if (!work)
                {
                    // Requests may be waiting on the rings, but only an answer lets them go: it unparks this thread.
                    // (Waiting for the rings here would spin while they hold requests.)
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            running = false;
            onFailure.accept(ex);
        }
    }

    /** When core k has answered its oldest delivery: its replies onto its transmit ring. */
    private boolean answered(final int k)
    {
        final Sent sent = inFlight[k].peekFirst();
        if (sent == null || !sent.answer().isDone())
        {
            return false;
        }
        inFlight[k].pollFirst();
        if (--sent.batch().unanswered == 0)
        {
            // Batches land one after another, each once the last is answered: the oldest finishes first.
            batches.remove(sent.batch());
        }
        final byte[] replies = sent.answer().join();
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

    /** Every core's waiting requests, one delivery per core that has any, as one batch of host requests. */
    private boolean deliver()
    {
        final int[] cores = new int[queues.length];
        final List<DevicePort.Delivery> deliveries = new ArrayList<>(queues.length);
        for (int k = 0; k < queues.length; k++)
        {
            final byte[] messages = gather(k);
            if (messages != null)
            {
                cores[deliveries.size()] = k;
                deliveries.add(new DevicePort.Delivery(messages, queues[k].maxMessage()));
            }
        }
        if (deliveries.isEmpty())
        {
            return false;
        }
        final int[] to = java.util.Arrays.copyOf(cores, deliveries.size());
        final List<CompletableFuture<byte[]>> answers = system.requestAll(to, deliveries);
        final Batch batch = new Batch();
        batch.unanswered = to.length;
        batches.addLast(batch);
        for (int i = 0; i < to.length; i++)
        {
            inFlight[to[i]].addLast(new Sent(answers.get(i), batch));
            answers.get(i).whenComplete((r, failure) -> LockSupport.unpark(thread));
        }
        // Room on the rings: requests the NIC held back may go on now.
        nic.kick();
        return true;
    }

    /** What the NIC has put on core k's receive ring, framed for a delivery; null when nothing. */
    private byte[] gather(final int k)
    {
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
            return null;
        }
        final byte[] messages = new byte[gatheredLength];
        gathered.getBytes(0, messages);
        return messages;
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
