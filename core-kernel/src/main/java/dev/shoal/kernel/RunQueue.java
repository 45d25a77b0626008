package dev.shoal.kernel;

/**
 * A core's run queue: tasks and dispatcher continuations that are ready to run, each with the cycle at which it
 * became ready. FIFO, except that a directed switch ({@link Core#handoff}) puts its target first. In exact mode it
 * is one of the core's {@link EventSource event sources}: its head is the earliest ready task. Core-local.
 */
final class RunQueue extends EventSource
{
    private Runnable[] tasks = new Runnable[4];
    private long[] readyAt = new long[4];
    private int head;
    private int size;

    RunQueue(final Core core)
    {
        super(core, Kind.RUN_QUEUE, core.id());
    }

    void addLast(final Runnable task, final long at)
    {
        grow();
        final int slot = (head + size) & (tasks.length - 1);
        tasks[slot] = task;
        readyAt[slot] = at;
        size++;
    }

    void addFirst(final Runnable task, final long at)
    {
        grow();
        head = (head - 1) & (tasks.length - 1);
        tasks[head] = task;
        readyAt[head] = at;
        size++;
    }

    /** The oldest task, or null. */
    Runnable pollFirst()
    {
        if (size == 0)
        {
            return null;
        }
        final Runnable task = tasks[head];
        tasks[head] = null;
        head = (head + 1) & (tasks.length - 1);
        size--;
        return task;
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    @Override
    public long headTime()
    {
        return size == 0 ? Long.MAX_VALUE : readyAt[head];
    }

    @Override
    protected void handleHead()
    {
        final Core core = core();
        core.clock().observe(readyAt[head]);
        core.runTask(pollFirst());
    }

    private void grow()
    {
        if (size < tasks.length)
        {
            return;
        }
        final int n = tasks.length;
        final Runnable[] t = new Runnable[n * 2];
        final long[] r = new long[n * 2];
        for (int i = 0; i < size; i++)
        {
            t[i] = tasks[(head + i) & (n - 1)];
            r[i] = readyAt[(head + i) & (n - 1)];
        }
        tasks = t;
        readyAt = r;
        head = 0;
    }
}
