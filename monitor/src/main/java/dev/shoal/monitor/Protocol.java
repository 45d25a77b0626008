package dev.shoal.monitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inter-monitor protocol: every message type, its opcode, its codec and its handler, in one immutable table
 * shared (read-only) by all monitors of a machine — the role of Barrelfish's {@code if/intermon.if}. Opcodes are
 * assigned in registration order, so every core that builds the protocol from the same operations agrees on them.
 */
public final class Protocol
{
    /** One message type of the protocol. */
    public record MessageType<M>(short opcode, String operation, Class<M> type, MessageCodec<M> codec,
        MessageHandler<M> handler)
    {
    }

    private final MessageType<?>[] byOpcode;
    private final ClassValue<MessageType<?>> byClass;
    private final List<String> operations;

    private Protocol(final List<MessageType<?>> types, final List<String> operations)
    {
        byOpcode = types.toArray(new MessageType<?>[0]);
        final Map<Class<?>, MessageType<?>> map = new HashMap<>();
        for (final MessageType<?> t : types)
        {
            map.put(t.type(), t);
        }
        // ClassValue caches the answer on the class itself: the send path pays no hashing.
        final Map<Class<?>, MessageType<?>> lookup = Map.copyOf(map);
        byClass = new ClassValue<>()
        {
            @Override
            protected MessageType<?> computeValue(final Class<?> type)
            {
                return lookup.get(type);
            }
        };
        this.operations = List.copyOf(operations);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /** The message type with {@code opcode}, or null when no operation declared it. */
    public MessageType<?> byOpcode(final int opcode)
    {
        return opcode >= 0 && opcode < byOpcode.length ? byOpcode[opcode] : null;
    }

    /** The message type of {@code message}'s class; fails with the class name when it was never registered. */
    @SuppressWarnings("unchecked")
    public <M> MessageType<M> typeOf(final M message)
    {
        final MessageType<?> t = byClass.get(message.getClass());
        if (t == null)
        {
            throw new IllegalArgumentException("message type " + message.getClass().getName() +
                " is not registered with the monitor protocol");
        }
        return (MessageType<M>)t;
    }

    public int messageTypes()
    {
        return byOpcode.length;
    }

    /** Names of the registered operations, in registration order. */
    public List<String> operations()
    {
        return operations;
    }

    /** Collects message types; then {@link #build()}. Used on one thread, before boot. */
    public static final class Builder
    {
        private final List<MessageType<?>> types = new ArrayList<>();
        private final List<String> operations = new ArrayList<>();
        private final Set<Class<?>> registered = new HashSet<>();
        private String current = "(none)";

        /**
         * Registers an operation: it declares its messages through {@link #message}. An operation class registered
         * again (listed in a services file and passed explicitly) is skipped; classes are told apart by class, not
         * by simple name, so a user's {@code BootOperation} is not mistaken for the built-in one.
         */
        public Builder operation(final MonitorOperation operation)
        {
            if (!registered.add(operation.getClass()))
            {
                return this;
            }
            operations.add(operation.getClass().getSimpleName());
            final String outer = current;
            current = operation.getClass().getName();
            operation.register(this);
            current = outer;
            return this;
        }

        /** Declares a record message encoded field by field ({@link RecordCodec}). */
        public <M extends Record> Builder message(final Class<M> type, final MessageHandler<M> handler)
        {
            return message(type, RecordCodec.of(type), handler);
        }

        /** Declares a message with a codec of its own. */
        public <M> Builder message(final Class<M> type, final MessageCodec<M> codec, final MessageHandler<M> handler)
        {
            for (final MessageType<?> t : types)
            {
                if (t.type() == type)
                {
                    throw new IllegalArgumentException("message type " + type.getName() + " registered twice (by " +
                        t.operation() + " and " + current + ")");
                }
            }
            if (types.size() >= Short.MAX_VALUE)
            {
                throw new IllegalStateException("too many monitor message types");
            }
            types.add(new MessageType<>((short)types.size(), current, type, codec, handler));
            return this;
        }

        public Protocol build()
        {
            return new Protocol(types, operations);
        }
    }
}
