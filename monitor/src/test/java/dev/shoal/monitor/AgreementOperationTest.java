package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.shoal.kernel.DeterministicScheduler;
import dev.shoal.kernel.TraceRecorder;
import dev.shoal.skb.Skb;

class AgreementOperationTest
{
    private static final long PROPOSAL = 0x2bc;

    private static MonitorSystem boot(final String machine, final int cores, final AgreementOperation op,
        final Long seed)
    {
        final MonitorConfig.Builder config = MonitorConfig.builder(Skb.open(machine)).cores(cores).operation(op);
        if (seed != null)
        {
            config.runners(new DeterministicScheduler(seed, new TraceRecorder(null)));
        }
        return MonitorSystem.boot(config.build(), Duration.ofSeconds(60));
    }

    /** Every core's outcomes, read on each core. */
    private static List<Map<Long, AgreementOperation.Outcome>> outcomes(final MonitorSystem system) throws Exception
    {
        final List<Map<Long, AgreementOperation.Outcome>> all = new ArrayList<>();
        for (int c = 0; c < system.cores(); c++)
        {
            all.add(system.onCore(c, AgreementOperation::outcomes).get(30, TimeUnit.SECONDS));
        }
        return all;
    }

    @Test
    void shouldCommitOnEveryCoreWhenAllVoteYes() throws Exception
    {
        for (final int cores : new int[] {1, 2, 7, 64})
        {
            final AgreementOperation op = new AgreementOperation();
            try (MonitorSystem system = boot("numa:8x8", cores, op, null))
            {
                final AgreementOperation.Result r = op.startFromCoreZero(system, PROPOSAL).get(30, TimeUnit.SECONDS);
                assertTrue(r.committed(), "on " + cores + " cores");
                assertEquals(cores, r.cores());
                assertEquals(cores == 1, r.latencyCycles() == 0, "latency " + r.latencyCycles());
                for (final Map<Long, AgreementOperation.Outcome> learnt : outcomes(system))
                {
                    assertEquals(Map.of(r.agreement(), new AgreementOperation.Outcome(PROPOSAL, true)), learnt);
                }
                for (int c = 0; c < cores; c++)
                {
                    assertEquals(List.of(), system.onCore(c, AgreementOperation::prepared).get(30, TimeUnit.SECONDS),
                        "core " + c + " still holds a prepared proposal");
                }
            }
        }
    }

    @Test
    void shouldAbortEverywhereWhenOneCoreVotesNo() throws Exception
    {
        // Core 13 is a leaf inside the second package: its refusal must climb through its leader to the root.
        final AgreementOperation op = new AgreementOperation((m, proposal) -> m.coreId() != 13 || proposal != 2);
        try (MonitorSystem system = boot("numa:4x8", 32, op, null))
        {
            final AgreementOperation.Result first = op.startFromCoreZero(system, 1).get(30, TimeUnit.SECONDS);
            final AgreementOperation.Result refused = op.startFromCoreZero(system, 2).get(30, TimeUnit.SECONDS);
            final AgreementOperation.Result after = op.startFromCoreZero(system, 3).get(30, TimeUnit.SECONDS);
            assertTrue(first.committed());
            assertFalse(refused.committed());
            assertEquals(32, refused.cores(), "every core learnt the abort before the coordinator returned");
            assertTrue(after.committed(), "an abort leaves nothing behind that blocks the next agreement");
            for (final Map<Long, AgreementOperation.Outcome> learnt : outcomes(system))
            {
                assertEquals(Map.of(first.agreement(), new AgreementOperation.Outcome(1, true),
                    refused.agreement(), new AgreementOperation.Outcome(2, false),
                    after.agreement(), new AgreementOperation.Outcome(3, true)), learnt);
            }
        }
    }

    @Test
    void shouldAgreeOnConcurrentAgreementsIndependently() throws Exception
    {
        final AgreementOperation op = new AgreementOperation((m, proposal) -> proposal % 3 != 0);
        try (MonitorSystem system = boot("numa:4x4", 16, op, null))
        {
            final List<AgreementOperation.Result> results = system.onCore(0, m ->
            {
                final List<CompletableFuture<AgreementOperation.Result>> inFlight = new ArrayList<>();
                for (long p = 1; p <= 12; p++)
                {
                    inFlight.add(op.start(m, p));
                }
                return inFlight;
            }).get(30, TimeUnit.SECONDS).stream().map(CompletableFuture::join).toList();
            for (int i = 0; i < results.size(); i++)
            {
                assertEquals((i + 1) % 3 != 0, results.get(i).committed(), "proposal " + (i + 1));
                assertEquals(16, results.get(i).cores());
            }
            for (final Map<Long, AgreementOperation.Outcome> learnt : outcomes(system))
            {
                assertEquals(12, learnt.size());
                learnt.values().forEach(o -> assertEquals(o.proposal() % 3 != 0, o.committed(), o.toString()));
            }
        }
    }

    @Test
    void shouldGiveIdenticalCyclesOnEveryDeterministicRun() throws Exception
    {
        final List<Long> first = deterministicLatencies(11);
        assertTrue(first.get(3) > first.get(0), "64 cores take longer than 8: " + first);
        for (int i = 0; i < 2; i++)
        {
            assertEquals(first, deterministicLatencies(11));
        }
    }

    private static List<Long> deterministicLatencies(final long seed) throws Exception
    {
        final List<Long> latencies = new ArrayList<>();
        for (final int cores : new int[] {8, 64})
        {
            final AgreementOperation op = new AgreementOperation();
            try (MonitorSystem system = boot("numa:8x8", cores, op, seed))
            {
                for (int i = 0; i < 3; i++)
                {
                    latencies.add(op.startFromCoreZero(system, i).get(30, TimeUnit.SECONDS).latencyCycles());
                }
            }
        }
        return latencies;
    }

    @Test
    void shouldRefuseToCoordinateFromACoreBelowTheRoot() throws Exception
    {
        final AgreementOperation op = new AgreementOperation();
        try (MonitorSystem system = boot("numa:2x2", 4, op, null))
        {
            final CompletableFuture<CompletableFuture<AgreementOperation.Result>> f = system.onCore(1,
                m -> op.start(m, 1));
            final Exception ex = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> f.get(30, TimeUnit.SECONDS));
            assertTrue(String.valueOf(ex.getCause()).contains("routing tree's root"), String.valueOf(ex.getCause()));
        }
    }

    @Test
    void shouldAbortWhenACoreIsSilentAndFinishWithoutItsAcknowledgement() throws Exception
    {
        // Core 13 is a leaf inside the second package; it halts after boot and never votes.
        final AgreementOperation op = new AgreementOperation((m, proposal) -> true, 100_000);
        try (MonitorSystem system = boot("numa:4x8", 32, op, 5L))
        {
            final AgreementOperation.Result before = op.startFromCoreZero(system, 1).get(30, TimeUnit.SECONDS);
            assertTrue(before.committed());
            assertFalse(before.timedOut());
            system.machine().core(13).halt();
            final AgreementOperation.Result silent = op.startFromCoreZero(system, 2).get(30, TimeUnit.SECONDS);
            assertFalse(silent.committed(), "a missing vote counts as no");
            assertTrue(silent.timedOut());
            // Every core but 13 learns the abort (checked below), but 13's package leader waits for its
            // acknowledgement, so the coordinator hears from the other three packages' 24 cores only.
            assertEquals(24, silent.cores());
            assertTrue(silent.latencyCycles() >= 200_000, "both phases waited out: " + silent.latencyCycles());
            for (int c = 0; c < 32; c++)
            {
                if (c == 13)
                {
                    continue;
                }
                assertEquals(new AgreementOperation.Outcome(2, false),
                    system.onCore(c, AgreementOperation::outcomes).get(30, TimeUnit.SECONDS).get(silent.agreement()),
                    "core " + c);
                assertEquals(List.of(), system.onCore(c, AgreementOperation::prepared).get(30, TimeUnit.SECONDS),
                    "core " + c + " still holds a prepared proposal");
            }
        }
    }

    @Test
    void shouldStillDecideForTheSubtreeOfALeaderWhoseMonitorRestartedBetweenThePhases() throws Exception
    {
        // Core 8 leads the second package of numa:4x8; its monitor restarts while it votes on proposal 2, losing its
        // record of the agreement. Its children's votes then go nowhere, the coordinator times out and aborts, and
        // the abort must still reach cores 9..15 through the restarted leader.
        final AgreementOperation op = new AgreementOperation((m, proposal) ->
        {
            if (m.coreId() == 8 && proposal == 2)
            {
                m.restart();
            }
            return true;
        }, 100_000);
        try (MonitorSystem system = boot("numa:4x8", 32, op, 9L))
        {
            assertTrue(op.startFromCoreZero(system, 1).get(30, TimeUnit.SECONDS).committed());
            final AgreementOperation.Result r = op.startFromCoreZero(system, 2).get(30, TimeUnit.SECONDS);
            assertFalse(r.committed(), "the leader's subtree never voted: the coordinator aborts");
            assertTrue(r.timedOut());
            assertEquals(32, r.cores(), "every core learnt the abort, through the restarted leader too");
            for (int c = 0; c < 32; c++)
            {
                assertEquals(List.of(), system.onCore(c, AgreementOperation::prepared).get(30, TimeUnit.SECONDS),
                    "core " + c + " still holds a prepared proposal");
                assertEquals(new AgreementOperation.Outcome(2, false),
                    system.onCore(c, AgreementOperation::outcomes).get(30, TimeUnit.SECONDS).get(r.agreement()),
                    "core " + c);
            }
            assertTrue(op.startFromCoreZero(system, 3).get(30, TimeUnit.SECONDS).committed(), "and the next commits");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic"})
    void shouldStillDecideForThePackageOfALeaderThatHaltedBetweenThePhases(final String mode) throws Exception
    {
        // Core 8 leads the second package of numa:4x8. It votes on proposal 2, passes the Prepare on to cores 9..15
        // and halts: their votes stop at it, the coordinator times out and aborts, and the abort cannot pass the
        // halted leader. The coordinator, missing that subtree's acknowledgement, sends the decision to each of its
        // cores over channels opened around the tree.
        final AgreementOperation op = new AgreementOperation((m, proposal) ->
        {
            if (m.coreId() == 8 && proposal == 2)
            {
                m.core().halt();
            }
            return true;
        }, 100_000);
        try (MonitorSystem system = boot("numa:4x8", 32, op, mode.equals("live") ? null : 9L))
        {
            assertTrue(system.onCore(0, m -> m.children().contains(8)).get(30, TimeUnit.SECONDS),
                "core 8 leads a package below the root");
            assertTrue(op.startFromCoreZero(system, 1).get(30, TimeUnit.SECONDS).committed());
            final AgreementOperation.Result r = op.startFromCoreZero(system, 2).get(30, TimeUnit.SECONDS);
            assertFalse(r.committed(), "the leader's package never voted: the coordinator aborts");
            assertTrue(r.timedOut());
            assertEquals(24, r.cores(), "the acknowledgements counted are those that came along the tree");
            // The decisions sent around the tree are on their way when the result completes: in deterministic mode
            // a host request lands once the machine is quiet; live, they arrive soon after.
            final Runnable check = () ->
            {
                for (int c = 0; c < 32; c++)
                {
                    if (c != 8)
                    {
                        assertEquals(List.of(), system.onCore(c, AgreementOperation::prepared).join(),
                            "core " + c + " still holds a prepared proposal");
                        assertEquals(new AgreementOperation.Outcome(2, false),
                            system.onCore(c, AgreementOperation::outcomes).join().get(r.agreement()), "core " + c);
                    }
                }
            };
            if (mode.equals("live"))
            {
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(check::run);
            }
            else
            {
                check.run();
            }
        }
    }

    @Test
    void shouldRefuseANonPositiveTimeout()
    {
        assertThrows(IllegalArgumentException.class, () -> new AgreementOperation((m, p) -> true, 0));
    }
}
