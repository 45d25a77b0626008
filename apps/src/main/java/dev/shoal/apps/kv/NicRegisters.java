package dev.shoal.apps.kv;

/**
 * The NIC's registers as a core reads them (INFO, CONFIG): what only the host knows, kept by the NIC's thread.
 * A core reads the {@link Nic} itself when its JVM has it; a core of another partition has no NIC in its JVM
 * ({@link #ABSENT}), and the commands that read it say so instead of answering (docs/partitions.md).
 */
interface NicRegisters
{
    /** The registers of a core whose JVM has no NIC: a partitioned machine's worker. */
    NicRegisters ABSENT = new NicRegisters()
    {
        @Override
        public boolean present()
        {
            return false;
        }

        @Override
        public ClientLimits limits()
        {
            throw new IllegalStateException("no NIC in this partition");
        }

        @Override
        public long[] cpuMicros()
        {
            throw new IllegalStateException("no NIC in this partition");
        }

        @Override
        public long uptimeSeconds()
        {
            throw new IllegalStateException("no NIC in this partition");
        }

        @Override
        public int connectedClients()
        {
            throw new IllegalStateException("no NIC in this partition");
        }

        @Override
        public long totalConnections()
        {
            throw new IllegalStateException("no NIC in this partition");
        }

        @Override
        public long protocolErrors()
        {
            throw new IllegalStateException("no NIC in this partition");
        }
    };

    /** False on a core whose JVM has no NIC: the other methods then throw. */
    default boolean present()
    {
        return true;
    }

    /** The client limits and password: registers a core may set (CONFIG SET). */
    ClientLimits limits();

    /** The process's CPU time as the NIC last sampled it: µs of user and of system time. */
    long[] cpuMicros();

    long uptimeSeconds();

    int connectedClients();

    long totalConnections();

    long protocolErrors();
}
