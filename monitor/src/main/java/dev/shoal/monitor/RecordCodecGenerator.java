package dev.shoal.monitor;

import static java.lang.constant.ConstantDescs.BSM_CLASS_DATA_AT;
import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_Throwable;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.DEFAULT_NAME;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Opcode;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the {@link RecordCodec} of a record type: a hidden class whose {@code encode} and {@code decode} are
 * straight-line code for that type, the nested records' components written in place.
 *
 * <p>Why generate: a codec that loops over component handles invokes each through a non-constant
 * {@link MethodHandle}, which the JIT cannot inline; a profile of a 4,096-core run found ~9% of the time there. In
 * the generated code every accessor and the canonical constructor is a {@code MethodHandle} constant (class data
 * loaded by {@code ldc}), so {@code invokeExact} inlines to a direct call and a codec costs what a hand-written one
 * does. The handles come from {@link MethodHandles.Lookup#unreflect} of accessible-made members, so a record the
 * generated class could not name (private, or in another package) still works. The class extends
 * {@link RecordCodec} and overrides both erasures of each method (the {@link MessageCodec} one the monitor calls
 * and the {@code RecordCodec} one a {@code Channel} calls), so either caller reaches the code in one dispatch.
 */
final class RecordCodecGenerator
{
    /** The MessageWriter put and MessageReader get method of each supported type, by their shared suffix. */
    private static final Map<Class<?>, String> FIELDS = Map.of(boolean.class, "Boolean", byte.class, "Byte",
        short.class, "Short", int.class, "Int", long.class, "Long", double.class, "Double", String.class, "String",
        byte[].class, "Bytes", int[].class, "Ints", long[].class, "Longs");

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final ClassDesc CD_RECORD_CODEC = desc(RecordCodec.class);
    private static final ClassDesc CD_RECORD = desc(Record.class);
    private static final ClassDesc CD_WRITER = desc(MessageWriter.class);
    private static final ClassDesc CD_READER = desc(MessageReader.class);
    private static final ClassDesc CD_GENERATOR = desc(RecordCodecGenerator.class);
    private static final MethodTypeDesc NULL_COMPONENT =
        MethodTypeDesc.of(desc(IllegalArgumentException.class), CD_String);
    private static final MethodTypeDesc ENCODE_FAILED =
        MethodTypeDesc.of(desc(RuntimeException.class), CD_Throwable, CD_String);
    private static final MethodTypeDesc REJECTED =
        MethodTypeDesc.of(desc(MalformedMessageException.class), CD_Throwable, CD_String);

    /** A record type ready to generate: its constructor and accessors are indexes into {@link #handles}. */
    private record Layout(Class<?> type, int constructor, MethodTypeDesc constructorType, List<Component> components)
    {
    }

    /** {@code nested} is the layout of a record component, null for the other types. */
    private record Component(String name, Class<?> kind, int accessor, Layout nested)
    {
    }

    /** The generated class's class data: every handle it invokes, each loaded by index. */
    private final List<MethodHandle> handles = new ArrayList<>();

    private RecordCodecGenerator()
    {
    }

    static RecordCodec<?> generate(final Class<?> type)
    {
        final RecordCodecGenerator generator = new RecordCodecGenerator();
        final Layout layout = generator.layout(type, new HashSet<>());
        final byte[] bytes = ClassFile.of().build(
            ClassDesc.of(RecordCodec.class.getPackageName(), "RecordCodec$" + type.getSimpleName()),
            c -> c.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC)
                .withSuperclass(CD_RECORD_CODEC)
                .withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC,
                    code -> code.aload(0).invokespecial(CD_RECORD_CODEC, INIT_NAME, MTD_void).return_())
                .withMethodBody("encode", MethodTypeDesc.of(CD_void, CD_Object, CD_WRITER), ClassFile.ACC_PUBLIC,
                    code -> encode(code, layout))
                .withMethodBody("encode", MethodTypeDesc.of(CD_void, CD_RECORD, CD_WRITER), ClassFile.ACC_PUBLIC,
                    code -> encode(code, layout))
                .withMethodBody("decode", MethodTypeDesc.of(CD_Object, CD_READER), ClassFile.ACC_PUBLIC,
                    code -> decode(code, layout).areturn())
                .withMethodBody("decode", MethodTypeDesc.of(CD_RECORD, CD_READER), ClassFile.ACC_PUBLIC,
                    code -> decode(code, layout).checkcast(CD_RECORD).areturn()));
        try
        {
            final MethodHandles.Lookup codec =
                LOOKUP.defineHiddenClassWithClassData(bytes, List.copyOf(generator.handles), true);
            return (RecordCodec<?>)codec.findConstructor(codec.lookupClass(), MethodType.methodType(void.class))
                .invoke();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("cannot generate the codec of " + type.getName() + ": " + t, t);
        }
    }

    /** Resolves {@code type}'s components and handles; {@code enclosing} holds the records it is nested in. */
    private Layout layout(final Class<?> type, final Set<Class<?>> enclosing)
    {
        if (!type.isRecord())
        {
            throw new IllegalArgumentException(type.getName() + " is not a record");
        }
        if (!enclosing.add(type))
        {
            throw new IllegalArgumentException("record " + type.getName() + " contains itself");
        }
        final RecordComponent[] components = type.getRecordComponents();
        final List<Component> resolved = new ArrayList<>();
        final Class<?>[] erased = new Class<?>[components.length];
        try
        {
            for (int i = 0; i < components.length; i++)
            {
                final Class<?> kind = components[i].getType();
                if (!FIELDS.containsKey(kind) && !kind.isRecord())
                {
                    throw new IllegalArgumentException("record " + type.getName() + " component " +
                        components[i].getName() + " has unsupported type " + kind.getName());
                }
                erased[i] = kind.isRecord() ? Object.class : kind;
                final Method accessor = components[i].getAccessor();
                accessor.setAccessible(true);
                final int handle = constant(
                    LOOKUP.unreflect(accessor).asType(MethodType.methodType(erased[i], Object.class)));
                resolved.add(new Component(components[i].getName(), kind, handle,
                    kind.isRecord() ? layout(kind, enclosing) : null));
            }
            final var constructor = type.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            constructor.setAccessible(true);
            final MethodType constructorType = MethodType.methodType(Object.class, erased);
            final int handle = constant(LOOKUP.unreflectConstructor(constructor).asType(constructorType));
            enclosing.remove(type);
            return new Layout(type, handle, desc(constructorType), resolved);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("cannot encode record " + type.getName() + ": " + ex, ex);
        }
    }

    private int constant(final MethodHandle handle)
    {
        handles.add(handle);
        return handles.size() - 1;
    }

    private static DynamicConstantDesc<MethodHandle> handle(final int index)
    {
        return DynamicConstantDesc.ofNamed(BSM_CLASS_DATA_AT, DEFAULT_NAME, CD_MethodHandle, index);
    }

    /** {@code encode(message, out)}; an accessor's checked exception (sneaked past javac) becomes unchecked. */
    private static void encode(final CodeBuilder code, final Layout layout)
    {
        code.trying(
            body ->
            {
                put(body, layout, body.parameterSlot(0), body.parameterSlot(1));
                body.return_();
            },
            failed -> failed.catchingAll(handler -> handler
                .ldc(layout.type().getSimpleName())
                .invokestatic(CD_GENERATOR, "encodeFailed", ENCODE_FAILED)
                .athrow()));
    }

    /** Writes the components of the record in local {@code message} to the writer in local {@code out}. */
    private static void put(final CodeBuilder code, final Layout layout, final int message, final int out)
    {
        for (final Component component : layout.components())
        {
            if (component.nested() != null)
            {
                get(code, layout, component, message);
                final int nested = code.allocateLocal(TypeKind.REFERENCE);
                code.astore(nested);
                put(code, component.nested(), nested, out);
            }
            else
            {
                code.aload(out);
                get(code, layout, component, message);
                code.invokevirtual(CD_WRITER, "put" + FIELDS.get(component.kind()),
                    MethodTypeDesc.of(CD_WRITER, desc(component.kind())))
                    .pop();
            }
        }
    }

    /** Pushes a component of the record in local {@code message}; a null reference throws. */
    private static void get(final CodeBuilder code, final Layout layout, final Component component, final int message)
    {
        final ClassDesc erased = component.nested() != null ? CD_Object : desc(component.kind());
        code.ldc(handle(component.accessor()))
            .aload(message)
            .invokevirtual(CD_MethodHandle, "invokeExact", MethodTypeDesc.of(erased, CD_Object));
        if (!component.kind().isPrimitive())
        {
            final String problem = layout.type().getSimpleName() + "." + component.name() +
                " is null; messages carry no nulls";
            code.dup().ifThen(Opcode.IFNULL, isNull -> isNull
                .ldc(problem)
                .invokestatic(CD_GENERATOR, "nullComponent", NULL_COMPONENT)
                .athrow());
        }
    }

    /**
     * Pushes the record read from the reader in parameter 0: its components in order (nested records read in
     * place), then its constructor. Only the constructor call is guarded, so a short read stays the reader's
     * MalformedMessageException, and a record's rejection names that record, however deep it is nested.
     */
    private static CodeBuilder decode(final CodeBuilder code, final Layout layout)
    {
        code.ldc(handle(layout.constructor()));
        for (final Component component : layout.components())
        {
            if (component.nested() != null)
            {
                decode(code, component.nested());
            }
            else
            {
                code.aload(code.parameterSlot(0))
                    .invokevirtual(CD_READER, "get" + FIELDS.get(component.kind()),
                        MethodTypeDesc.of(desc(component.kind())));
            }
        }
        return code.trying(
            construct -> construct.invokevirtual(CD_MethodHandle, "invokeExact", layout.constructorType()),
            rejected -> rejected.catchingAll(handler -> handler
                .ldc(layout.type().getSimpleName())
                .invokestatic(CD_GENERATOR, "rejected", REJECTED)
                .athrow()));
    }

    // Called by generated code.

    static IllegalArgumentException nullComponent(final String problem)
    {
        return new IllegalArgumentException(problem);
    }

    static RuntimeException encodeFailed(final Throwable t, final String type)
    {
        if (t instanceof RuntimeException unchecked)
        {
            throw unchecked;
        }
        if (t instanceof Error error)
        {
            throw error;
        }
        return new IllegalStateException("cannot encode " + type + ": " + t, t);
    }

    static MalformedMessageException rejected(final Throwable t, final String type)
    {
        return new MalformedMessageException(type + ": decoded fields rejected: " + t.getMessage());
    }

    private static ClassDesc desc(final Class<?> type)
    {
        return type.describeConstable().orElseThrow();
    }

    private static MethodTypeDesc desc(final MethodType type)
    {
        return type.describeConstable().orElseThrow();
    }
}
