package dev.shoal.harness;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

import dev.shoal.kernel.CoreRunner;
import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.RunnerFactory;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MonitorConfig;
import dev.shoal.monitor.MonitorOperation;
import dev.shoal.skb.Skb;

/** The engine behind {@link OnBootedMachine}: one invocation per core count, each with its own machine. */
public final class BootedMachineExtension implements TestTemplateInvocationContextProvider
{
    @Override
    public boolean supportsTestTemplate(final ExtensionContext context)
    {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(OnBootedMachine.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(final ExtensionContext context)
    {
        final Method method = context.getRequiredTestMethod();
        final OnBootedMachine spec = method.getAnnotation(OnBootedMachine.class);
        return Arrays.stream(spec.cores()).mapToObj(cores -> invocation(spec, cores));
    }

    private static TestTemplateInvocationContext invocation(final OnBootedMachine spec, final int cores)
    {
        final String machine = spec.machine().isEmpty() ? Shoal.defaultMachine(cores) : spec.machine();
        final boolean deterministic = switch (spec.mode())
        {
            case "live" -> false;
            case "deterministic" -> true;
            default -> throw new IllegalArgumentException("@OnBootedMachine mode must be live or deterministic: " +
                spec.mode());
        };
        return new TestTemplateInvocationContext()
        {
            @Override
            public String getDisplayName(final int invocationIndex)
            {
                return cores + " cores of " + machine + (deterministic ? ", deterministic seed " + spec.seed() : "");
            }

            @Override
            public List<Extension> getAdditionalExtensions()
            {
                return List.of(new MachineLifecycle(machine, cores, spec.operations(),
                    deterministic ? () -> new DeterministicScheduler(spec.seed(), new TraceRecorder(null)) :
                        () -> CoreRunner::newCarrier));
            }
        };
    }

    /** Boots before each invocation, resolves the {@link Shoal} parameter, shuts down after. */
    private static final class MachineLifecycle implements BeforeEachCallback, AfterEachCallback, ParameterResolver
    {
        private final String machine;
        private final int cores;
        private final Class<? extends MonitorOperation>[] operations;
        private final java.util.function.Supplier<RunnerFactory> runners;
        private Shoal shoal;

        MachineLifecycle(final String machine, final int cores, final Class<? extends MonitorOperation>[] operations,
            final java.util.function.Supplier<RunnerFactory> runners)
        {
            this.machine = machine;
            this.cores = cores;
            this.operations = operations;
            this.runners = runners;
        }

        @Override
        public void beforeEach(final ExtensionContext context) throws Exception
        {
            final MonitorConfig.Builder config = MonitorConfig.builder(Skb.open(machine)).cores(cores)
                .runners(runners.get());
            for (final Class<? extends MonitorOperation> op : operations)
            {
                config.operation(op.getDeclaredConstructor().newInstance());
            }
            shoal = Shoal.boot(config.build());
        }

        @Override
        public void afterEach(final ExtensionContext context)
        {
            if (shoal != null)
            {
                shoal.close();
                shoal = null;
            }
        }

        @Override
        public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context)
        {
            return parameter.getParameter().getType() == Shoal.class;
        }

        @Override
        public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context)
        {
            return shoal;
        }
    }
}
