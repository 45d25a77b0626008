package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.shoal.monitor.AgreementOperation;
import dev.shoal.monitor.MonitorSystem;

/**
 * Two-phase commit under faults in the middle of the protocol, over many seeds: in each run one core, drawn from
 * the seed (a package leader in half the runs), halts or has its monitor restart while it votes on one of three
 * agreements, after the Prepare has gone on to its subtree. Whatever the coordinator decided, no live core may
 * hold a proposal prepared afterwards, and every core that learnt an outcome learnt the coordinator's.
 */
class AgreementFaultSweepTest
{
    private static final long FIRST_SEED = 1;
    private static final int SEEDS = 300;
    private static final int[] LEADERS = {8, 16, 24};

    @Test
    void shouldLeaveNoLiveCorePreparedWhenLeadersAndLeavesHaltOrRestartBetweenThePhases()
    {
        final AtomicLong nextSeed = new AtomicLong(FIRST_SEED);
        final AtomicReference<AgreementOperation> operation = new AtomicReference<>();
        final List<String> faults = new ArrayList<>();
        final int runs = Simulation.of("numa:4x8").cores(32).seeds(FIRST_SEED, SEEDS)
            .operation(() ->
            {
                // One operation per run, made in seed order: the fault is drawn from the run's seed.
                final SplittableRandom random = new SplittableRandom(nextSeed.getAndIncrement() * 0x9E3779B97F4A7C15L);
                final int victim = random.nextBoolean() ? LEADERS[random.nextInt(LEADERS.length)] :
                    1 + random.nextInt(31);
                final long proposal = 1 + random.nextInt(3);
                final boolean halt = random.nextBoolean();
                faults.add((halt ? "halt " : "restart ") + victim + " at proposal " + proposal);
                final AgreementOperation op = new AgreementOperation((m, p) ->
                {
                    if (m.coreId() == victim && p == proposal)
                    {
                        if (halt)
                        {
                            m.core().halt();
                        }
                        else
                        {
                            m.restart();
                        }
                    }
                    return true;
                }, 100_000);
                operation.set(op);
                return op;
            })
            .run(shoal ->
            {
                final MonitorSystem system = shoal.system();
                final String fault = faults.get(faults.size() - 1);
                final List<AgreementOperation.Result> results = new ArrayList<>();
                for (long proposal = 1; proposal <= 3; proposal++)
                {
                    results.add(operation.get().startFromCoreZero(system, proposal).get(60, TimeUnit.SECONDS));
                }
                for (int c = 0; c < system.cores(); c++)
                {
                    if (system.machine().core(c).isHalted())
                    {
                        continue;
                    }
                    assertEquals(List.of(), system.onCore(c, AgreementOperation::prepared).get(30, TimeUnit.SECONDS),
                        "core " + c + " still holds a prepared proposal (" + fault + ")");
                    final Map<Long, AgreementOperation.Outcome> learnt =
                        system.onCore(c, AgreementOperation::outcomes).get(30, TimeUnit.SECONDS);
                    final boolean restarted = system.onCore(c, m -> m.restarts() > 0).get(30, TimeUnit.SECONDS);
                    for (int i = 0; i < results.size(); i++)
                    {
                        final AgreementOperation.Result r = results.get(i);
                        final AgreementOperation.Outcome outcome = learnt.get(r.agreement());
                        if (outcome != null || !restarted)
                        {
                            assertEquals(new AgreementOperation.Outcome(i + 1, r.committed()), outcome,
                                "core " + c + ", agreement " + r.agreement() + " (" + fault + ")");
                        }
                    }
                }
            });
        assertEquals(SEEDS, runs);
        assertTrue(faults.stream().anyMatch(f -> f.startsWith("halt 8") || f.startsWith("halt 16") ||
            f.startsWith("halt 24")), "some run halted a package leader: " + faults);
    }
}
