package dev.shoal.monitor;

/**
 * A rough measurement, not a test (no timing assertions anywhere): host ns per encode + decode of small records
 * through {@link RecordCodec}, called through {@link MessageCodec} as the monitor calls it. The loop sees three
 * record types and a hand-written codec, so its call site is as polymorphic as the monitor's. Run after
 * {@code test-compile}:
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *     -cp monitor/target/classes:monitor/target/test-classes:$(cat /tmp/monitor.cp) dev.shoal.monitor.RecordCodecLoop
 * </pre>
 *
 * with the class path from
 * {@code ./mvnw -q -pl monitor -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/monitor.cp}.
 */
public final class RecordCodecLoop
{
    record Small(int core, long round, boolean held)
    {
    }

    record Mixed(long id, Small small, byte[] descriptor, String name)
    {
    }

    record Wide(int a, int b, long c, long d, short e, byte f, double g, boolean h)
    {
    }

    /** What RecordCodec should cost: Small's codec written by hand. */
    private static final class SmallByHand implements MessageCodec<Small>
    {
        @Override
        public void encode(final Small message, final MessageWriter out)
        {
            out.putInt(message.core()).putLong(message.round()).putBoolean(message.held());
        }

        @Override
        public Small decode(final MessageReader in)
        {
            return new Small(in.getInt(), in.getLong(), in.getBoolean());
        }
    }

    private static long sink;

    private RecordCodecLoop()
    {
    }

    private static <M> double nsPerOp(final MessageCodec<M> codec, final M message, final Class<M> type, final int n)
    {
        final MessageWriter out = new MessageWriter();
        final MessageReader in = new MessageReader();
        long check = 0;
        final long start = System.nanoTime();
        for (int i = 0; i < n; i++)
        {
            codec.encode(message, out.reset());
            final M back = codec.decode(in.wrap(out.buffer(), 0, out.length(), type));
            check += back.hashCode();
        }
        final long elapsed = System.nanoTime() - start;
        sink += check;
        return (double)elapsed / n;
    }

    public static void main(final String[] args)
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final Small small = new Small(17, 123_456_789L, true);
        final Mixed mixed = new Mixed(99, small, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, "core-17");
        final Wide wide = new Wide(1, 2, 3, 4, (short)5, (byte)6, 7.5, false);
        final MessageCodec<Small> smallCodec = RecordCodec.of(Small.class);
        final MessageCodec<Mixed> mixedCodec = RecordCodec.of(Mixed.class);
        final MessageCodec<Wide> wideCodec = RecordCodec.of(Wide.class);
        for (int warm = 0; warm < 3; warm++)
        {
            nsPerOp(smallCodec, small, Small.class, n / 5);
            nsPerOp(mixedCodec, mixed, Mixed.class, n / 5);
            nsPerOp(wideCodec, wide, Wide.class, n / 5);
            nsPerOp(new SmallByHand(), small, Small.class, n / 5);
        }
        for (int round = 0; round < 3; round++)
        {
            System.out.printf("Small(int,long,boolean)            %6.1f ns/op%n",
                nsPerOp(smallCodec, small, Small.class, n));
            System.out.printf("Mixed(long,Small,byte[8],String)   %6.1f ns/op%n",
                nsPerOp(mixedCodec, mixed, Mixed.class, n));
            System.out.printf("Wide(8 primitive components)       %6.1f ns/op%n",
                nsPerOp(wideCodec, wide, Wide.class, n));
            System.out.printf("Small, codec written by hand       %6.1f ns/op%n",
                nsPerOp(new SmallByHand(), small, Small.class, n));
        }
        System.out.println("(checksum " + sink + ")");
    }
}
