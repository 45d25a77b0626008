package dev.shoal.monitor;

/**
 * A bound message channel between two dispatchers: LMP when both run on one core, UMP across cores. Messages are
 * byte arrays, delivered in order, exactly once. Used only by dispatchers of the binding's own core.
 */
public interface Binding
{
    /** Sends a copy of {@code message}. May block (LMP: until the peer took the previous message). */
    void send(byte[] message);

    /** Receives the next message, blocking the calling dispatcher until one arrives. */
    byte[] receive();

    /** "lmp" or "ump". */
    String transport();

    /** The core of the other end. */
    int peerCore();
}
