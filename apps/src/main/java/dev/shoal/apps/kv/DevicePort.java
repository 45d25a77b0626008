package dev.shoal.apps.kv;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.monitor.Monitor;
import dev.shoal.monitor.MonitorSystem;

/**
 * A core's queue pair on the NIC under the exact engine. The NIC is a device on the coordinator's host; what it
 * has for this core comes as one host request ({@link Delivery}), as bytes, landing at the instant the engine
 * lands host requests, so the core of another partition gets it through the partition link like any host request
 * (docs/partitions.md). The request's answer is the replies the core put out for it, as bytes too.
 *
 * <p>Messages both ways are {@link RingDescriptor}'s, framed in a delivery as {@code n × {int type, int length,
 * length bytes}} (the same framing for the answer). Core-local: one per core ({@link Monitor#local}), used only on
 * its core's carrier, by the host request that lands there and by the core's kv dispatcher; at most one delivery
 * is unanswered at a time ({@link NicBridge} waits for each answer before it sends the core more).
 */
final class DevicePort implements CoreQueue
{
    private record Message(int type, byte[] bytes)
    {
    }

    private final ArrayDeque<Message> requests = new ArrayDeque<>();
    private final ExpandableArrayBuffer replies = new ExpandableArrayBuffer(4096);
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private int replyLength;
    private CompletableFuture<byte[]> answer;
    private Thread consumer;
    private boolean waiting;
    private int maxMessage = Integer.MAX_VALUE;
    private NicRegisters registers = NicRegisters.ABSENT;

    /** The port of the core {@code monitor} runs on; that core only. */
    static DevicePort of(final Monitor monitor)
    {
        return monitor.local(DevicePort.class, DevicePort::new);
    }

    /** Where this core's JVM has the NIC (partition 0), the core reads its registers; set before the core serves. */
    void registers(final NicRegisters nic)
    {
        this.registers = nic;
    }

    /** The host request that brings the NIC's messages for one core, answered by that core's replies. */
    record Delivery(byte[] messages, int maxMessage) implements MonitorSystem.Request<byte[]>
    {
        @Override
        public CompletionStage<byte[]> apply(final Monitor monitor)
        {
            return of(monitor).deliver(messages, maxMessage);
        }
    }

    /** Queues the delivery's messages and wakes the kv dispatcher; the stage completes when it has answered all. */
    private CompletionStage<byte[]> deliver(final byte[] messages, final int max)
    {
        if (answer != null)
        {
            return CompletableFuture.failedFuture(new IllegalStateException("a delivery to a core whose last is " +
                "unanswered"));
        }
        maxMessage = max;
        final UnsafeBuffer in = new UnsafeBuffer(messages);
        int at = 0;
        while (at < messages.length)
        {
            final byte[] bytes = new byte[in.getInt(at + 4)];
            in.getBytes(at + 8, bytes);
            requests.addLast(new Message(in.getInt(at), bytes));
            at += 8 + bytes.length;
        }
        answer = new CompletableFuture<>();
        replyLength = 0;
        if (waiting && consumer != null)
        {
            LockSupport.unpark(consumer);
        }
        return answer;
    }

    @Override
    public void attach()
    {
        consumer = Thread.currentThread();
    }

    @Override
    public int receive(final MessageHandler handler, final int limit)
    {
        int n = 0;
        Message m;
        while (n < limit && (m = requests.pollFirst()) != null)
        {
            view.wrap(m.bytes());
            handler.onMessage(m.type(), view, 0, m.bytes().length);
            n++;
        }
        return n;
    }

    @Override
    public void awaitRequests()
    {
        waiting = true;
        if (requests.isEmpty())
        {
            LockSupport.park(this);
        }
        waiting = false;
    }

    @Override
    public boolean transmit(final int type, final UnsafeBuffer buffer, final int offset, final int length)
    {
        replies.putInt(replyLength, type);
        replies.putInt(replyLength + 4, length);
        replies.putBytes(replyLength + 8, buffer, offset, length);
        replyLength += 8 + length;
        return true;
    }

    /** Every message of the delivery handled: its answer goes (the replies put out for it, possibly none). */
    @Override
    public void kickNic()
    {
        if (requests.isEmpty() && answer != null)
        {
            final CompletableFuture<byte[]> done = answer;
            answer = null;
            final byte[] bytes = new byte[replyLength];
            replies.getBytes(0, bytes);
            replyLength = 0;
            done.complete(bytes);
        }
    }

    @Override
    public int maxMessage()
    {
        return maxMessage;
    }

    @Override
    public NicRegisters registers()
    {
        return registers;
    }
}
