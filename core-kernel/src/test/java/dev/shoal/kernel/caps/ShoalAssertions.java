package dev.shoal.kernel.caps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.function.Executable;

final class ShoalAssertions
{
    private ShoalAssertions()
    {
    }

    /** Runs {@code action}, expecting it to fail with {@code error} and to leave the mapping database unchanged. */
    static ShoalException assertFails(final ShoalError error, final CapOps ops, final Executable action)
    {
        final List<String> before = snapshot(ops);
        final ShoalException e = assertFails(error, action);
        assertEquals(before, snapshot(ops), "a failed operation changes nothing");
        ops.checkConsistency();
        return e;
    }

    static ShoalException assertFails(final ShoalError error, final Executable action)
    {
        final ShoalException e = assertThrows(ShoalException.class, action);
        assertEquals(error, e.error(), e.getMessage());
        return e;
    }

    /** Every entry of the mapping database with its slot identity, capability and flags. */
    static List<String> snapshot(final CapOps ops)
    {
        final List<String> out = new ArrayList<>();
        for (final Cte cte : ops.mdb().entries())
        {
            out.add(System.identityHashCode(cte) + " " + cte);
        }
        return out;
    }
}
