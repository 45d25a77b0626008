package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.kernel.caps.ShoalException;

/** A reply's error code and detail become the ShoalException the answering core refused with. */
class CapabilityOperationRefusalTest
{
    @Test
    void shouldRebuildTheRefusalOfEveryErrorFromItsCode()
    {
        for (final ShoalError error : ShoalError.values())
        {
            final ShoalException ex = CapabilityOperation.refusal(error.code(), "cptr 7");
            assertEquals(error, ex.error());
            assertEquals("cptr 7", ex.detail());
            assertEquals(error.exception("cptr 7").getMessage(), ex.getMessage());
        }
    }

    @Test
    void shouldReportACodeThisBuildDoesNotKnowAsARemoteFailure()
    {
        final ShoalException ex = CapabilityOperation.refusal(ShoalError.values().length, "cptr 7");
        assertEquals(ShoalError.REMOTE_FAILURE, ex.error());
        assertTrue(ex.detail().contains("cptr 7"), ex.detail());
    }
}
