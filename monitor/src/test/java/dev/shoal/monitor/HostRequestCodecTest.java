package dev.shoal.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

/** The bytes of a host request that crosses JVMs, and of its answer (docs/partitions.md). */
class HostRequestCodecTest
{
    @Test
    void shouldCarryASerializableRequestAndWhatItCaptures() throws Exception
    {
        final int core = 31;
        final MonitorSystem.Request<long[]> request = monitor -> CompletableFuture.completedFuture(new long[] {core});
        @SuppressWarnings("unchecked")
        final MonitorSystem.Request<long[]> copy =
            (MonitorSystem.Request<long[]>)HostRequestCodec.decode(HostRequestCodec.encode(request), 0);
        assertArrayEquals(new long[] {31}, copy.apply(null).toCompletableFuture().get());
    }

    @Test
    void shouldRefuseARequestThatCapturesWhatCannotTravel()
    {
        final Object lock = new Object();
        final MonitorSystem.Request<String> request = monitor -> CompletableFuture.completedFuture(lock.toString());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> HostRequestCodec.encode(request));
        assertTrue(ex.getMessage().contains("java.lang.Object"), ex.getMessage());
    }

    @Test
    void shouldRefuseToDecodeAClassOutsideTheAllowedPackages()
    {
        final byte[] bytes = HostRequestCodec.encode(new java.io.File("x"));
        assertThrows(IllegalStateException.class, () -> HostRequestCodec.decode(bytes, 0));
    }

    @Test
    void shouldCompleteTheHostsFutureWithTheAnswerOrItsFailure() throws Exception
    {
        final CompletableFuture<Object> value = new CompletableFuture<>();
        HostRequestCodec.complete(value, HostRequestCodec.reply(42L, null), 3);
        assertEquals(42L, value.get());
        final CompletableFuture<Object> failed = new CompletableFuture<>();
        HostRequestCodec.complete(failed, HostRequestCodec.reply(null, new IllegalStateException("no")), 3);
        final ExecutionException ex = assertThrows(ExecutionException.class, failed::get);
        assertTrue(ex.getCause().getMessage().contains("core 3") && ex.getCause().getMessage().contains("no"),
            ex.getCause().getMessage());
        final CompletableFuture<Object> unsendable = new CompletableFuture<>();
        HostRequestCodec.complete(unsendable, HostRequestCodec.reply(new Object(), null), 3);
        assertThrows(ExecutionException.class, unsendable::get);
    }
}
