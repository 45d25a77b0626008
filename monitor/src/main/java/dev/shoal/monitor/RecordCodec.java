package dev.shoal.monitor;

/**
 * Encodes a record's components in declaration order, little-endian, with no framing: each component as the
 * {@link MessageWriter} {@code put} method of its type writes it, a nested record as its own components in place.
 * Supported component types: {@code boolean, byte, short, int, long, double, String, byte[], int[], long[]} and
 * nested records of those. Messages carry no nulls: encoding a null {@code String}, array or record component
 * fails with an {@link IllegalArgumentException} naming it. Decoding fails with a {@link MalformedMessageException}
 * when the bytes run short or hold a bad value (from {@link MessageReader}), or when the record's constructor
 * rejects the decoded values.
 *
 * <p>Each record type gets one codec, made on first use and shared: a class generated for it (by
 * {@link RecordCodecGenerator}) that reads and writes its components as a hand-written codec would. Codecs hold no
 * state, so any core may use one at any time.
 */
public abstract class RecordCodec<R extends Record> implements MessageCodec<R>
{
    private static final ClassValue<RecordCodec<?>> CODECS = new ClassValue<>()
    {
        @Override
        protected RecordCodec<?> computeValue(final Class<?> type)
        {
            return RecordCodecGenerator.generate(type);
        }
    };

    /** Subclassed only by {@link RecordCodecGenerator}'s classes. */
    RecordCodec()
    {
    }

    /**
     * The codec of {@code type}.
     *
     * @throws IllegalArgumentException when a component's type is not supported.
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> RecordCodec<R> of(final Class<R> type)
    {
        return (RecordCodec<R>)CODECS.get(type);
    }

    @Override
    public abstract void encode(R message, MessageWriter out);

    @Override
    public abstract R decode(MessageReader in);
}
