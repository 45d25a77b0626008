package dev.shoal.monitor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inter-monitor protocol: every message type, its id, its codec and its handler, in one immutable table shared
 * (read-only) by all monitors of a machine — the role of Barrelfish's {@code if/intermon.if}; {@code shoal protocol}
 * prints it.
 *
 * <p>A message type's id is derived from its name, not from the order in which operations registered: the
 * 32-bit FNV-1a hash of {@code operation-name "." message-simple-name} ({@link #idOf}), where the operation's name
 * is {@link MonitorOperation#name()} (its class name unless it declares one). So adding, removing or reordering
 * operations — ServiceLoader discovery included — never renumbers another operation's messages, and two processes
 * that know the same operations agree on every id. Two types whose ids clash are refused, naming both.
 */
public final class Protocol
{
    /**
     * One message type of the protocol. {@code operation} is the declaring operation's {@link MonitorOperation#name()}.
     * A {@code coherence} message stands for a coherence transaction of the hardware, not for software: the
     * monitor charges neither slot writes, line fetches, receive software nor dispatch for it
     * ({@link Monitor#sendCoherence}).
     */
    public record MessageType<M>(int id, String operation, Class<M> type, MessageCodec<M> codec,
        MessageHandler<M> handler, boolean coherence)
    {
        /** The message's name: its class's simple name. */
        public String name()
        {
            return type.getSimpleName();
        }

        /** Whether the message travels field by field ({@link RecordCodec}) rather than in a codec of its own. */
        public boolean recordCodec()
        {
            return codec instanceof RecordCodec;
        }

        /** The fields of a record message, in declaration order; empty for a type that is not a record. */
        public List<Field> fields()
        {
            if (!type.isRecord())
            {
                return List.of();
            }
            final List<Field> out = new ArrayList<>();
            for (final var component : type.getRecordComponents())
            {
                out.add(new Field(component.getName(), component.getType().getSimpleName()));
            }
            return out;
        }
    }

    /** One field of a record message: its name and its Java type's simple name. */
    public record Field(String name, String type)
    {
    }

    private final List<MessageType<?>> types;
    /**
     * Open addressing by id, which is already a hash (FNV-1a): slot {@code id & mask}, then the next ones. At most a
     * quarter full, so a lookup on the receive path of every message is one or two probes and no further hashing.
     */
    private final int[] idTable;
    private final MessageType<?>[] typeTable;
    private final int idMask;
    /** Whether any type is a coherence message: when none is, the receive path need not look for one. */
    private final boolean anyCoherence;
    /** Open addressing by the class's identity hash: the send path's lookup of a message's type. */
    private final Class<?>[] classTable;
    private final MessageType<?>[] classTypes;
    private final List<String> operations;

    private Protocol(final List<MessageType<?>> types, final List<String> operations)
    {
        this.types = List.copyOf(types);
        final int size = Integer.highestOneBit(Math.max(4, types.size()) * 4 - 1) << 1;
        idTable = new int[size];
        typeTable = new MessageType<?>[size];
        idMask = size - 1;
        for (final MessageType<?> t : types)
        {
            int slot = t.id() & idMask;
            while (typeTable[slot] != null)
            {
                slot = (slot + 1) & idMask;
            }
            idTable[slot] = t.id();
            typeTable[slot] = t;
        }
        anyCoherence = types.stream().anyMatch(MessageType::coherence);
        classTable = new Class<?>[size];
        classTypes = new MessageType<?>[size];
        for (final MessageType<?> t : types)
        {
            int slot = System.identityHashCode(t.type()) & idMask;
            while (classTable[slot] != null)
            {
                slot = (slot + 1) & idMask;
            }
            classTable[slot] = t.type();
            classTypes[slot] = t;
        }
        this.operations = List.copyOf(operations);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The id of message {@code message} (a simple class name) of operation {@code operation} (its
     * {@link MonitorOperation#name()}): the 32-bit FNV-1a hash of their UTF-8 bytes joined by a dot. Never 0.
     */
    public static int idOf(final String operation, final String message)
    {
        int hash = 0x811c9dc5;
        for (final byte b : (operation + "." + message).getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= 0x01000193;
        }
        // 0 stays free, so that a zeroed envelope is never a message.
        return hash == 0 ? 1 : hash;
    }

    /** Whether any message type of the protocol is a coherence message ({@link Builder#coherenceMessage}). */
    public boolean hasCoherenceMessages()
    {
        return anyCoherence;
    }

    /** The message type with {@code id}, or null when no operation declared it. Any thread: the table is immutable. */
    public MessageType<?> byId(final int id)
    {
        for (int slot = id & idMask; ; slot = (slot + 1) & idMask)
        {
            final MessageType<?> t = typeTable[slot];
            if (t == null || idTable[slot] == id)
            {
                return t;
            }
        }
    }

    /** The message type of {@code message}'s class; fails with the class name when it was never registered. */
    @SuppressWarnings("unchecked")
    public <M> MessageType<M> typeOf(final M message)
    {
        final Class<?> type = message.getClass();
        MessageType<?> t = null;
        for (int slot = System.identityHashCode(type) & idMask; ; slot = (slot + 1) & idMask)
        {
            final Class<?> c = classTable[slot];
            if (c == type)
            {
                t = classTypes[slot];
                break;
            }
            if (c == null)
            {
                break;
            }
        }
        if (t == null)
        {
            throw new IllegalArgumentException("message type " + message.getClass().getName() +
                " is not registered with the monitor protocol");
        }
        return (MessageType<M>)t;
    }

    public int messageTypes()
    {
        return types.size();
    }

    /** Every message type, in registration order (operation by operation). */
    public List<MessageType<?>> types()
    {
        return types;
    }

    /** Simple names of the registered operations, in registration order. */
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
        private final Map<Integer, MessageType<?>> ids = new HashMap<>();
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
            final String name = operation.name();
            if (name == null || name.isBlank())
            {
                throw new IllegalArgumentException("operation " + operation.getClass().getName() + " has no name");
            }
            operations.add(operation.getClass().getSimpleName());
            final String outer = current;
            current = name;
            try
            {
                operation.register(this);
            }
            finally
            {
                current = outer;
            }
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
            return declare(type, codec, handler, false);
        }

        /**
         * Declares a coherence message: a leg of a cache-coherence transaction that the operation prices itself
         * ({@link Monitor#sendCoherence}); it costs its sender and receiver no cycles of software.
         */
        public <M> Builder coherenceMessage(final Class<M> type, final MessageCodec<M> codec,
            final MessageHandler<M> handler)
        {
            return declare(type, codec, handler, true);
        }

        private <M> Builder declare(final Class<M> type, final MessageCodec<M> codec, final MessageHandler<M> handler,
            final boolean coherence)
        {
            for (final MessageType<?> t : types)
            {
                if (t.type() == type)
                {
                    throw new IllegalArgumentException("message type " + type.getName() + " registered twice (by " +
                        t.operation() + " and " + current + ")");
                }
            }
            final int id = idOf(current, type.getSimpleName());
            final MessageType<?> clash = ids.get(id);
            if (clash != null)
            {
                throw new IllegalArgumentException(String.format("message id 0x%08x of %s.%s clashes with %s.%s: " +
                    "rename one of the messages, or declare another name for its operation (MonitorOperation.name())",
                    id, current, type.getSimpleName(), clash.operation(), clash.name()));
            }
            final MessageType<M> t = new MessageType<>(id, current, type, codec, handler, coherence);
            ids.put(id, t);
            types.add(t);
            return this;
        }

        public Protocol build()
        {
            return new Protocol(types, operations);
        }
    }
}
