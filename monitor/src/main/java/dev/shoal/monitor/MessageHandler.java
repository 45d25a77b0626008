package dev.shoal.monitor;

/**
 * Handles one message type on the receiving monitor, inside that monitor's duty cycle (on its core's carrier).
 * Handlers must not block: to wait for something, record state and react to a later message. A handler that throws
 * loses only its message: the monitor records the failure on its core ({@code Core.fail}) and goes on.
 */
@FunctionalInterface
public interface MessageHandler<M>
{
    void onMessage(Monitor monitor, int fromCore, M message);
}
