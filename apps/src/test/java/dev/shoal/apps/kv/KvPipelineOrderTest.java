package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection's commands run in the order it sent them, as in Redis, even when they go to different cores: a
 * pipelined write to one shard followed by a multi-key read that starts on another shard sees the write. Each
 * single-key command goes to its key's core and each core keeps its ring's order, but two cores' rings are not
 * ordered against each other, so the NIC holds a multi-key command until the connection's earlier ones are answered.
 */
class KvPipelineOrderTest
{
    private static final int CORES = 4;
    private static final int ROUNDS = 2_000;
    @RegisterExtension
    static final KvServer SERVER = new KvServer(new KvAppliance.Settings(null, CORES, 0, 64L << 20));

    /** A key of shard {@code shard}, the {@code n}-th such. */
    private static String keyOf(final int shard, final int n)
    {
        int found = 0;
        for (int i = 0; ; i++)
        {
            final String k = "o" + shard + ":" + i;
            if (KeyHash.shardOf(KeyHash.fnv1a(k.getBytes(StandardCharsets.UTF_8)), CORES) == shard && found++ == n)
            {
                return k;
            }
        }
    }

    @Test
    void shouldLetAPipelinedMultiKeyReadSeeTheWritesSentBeforeIt() throws Exception
    {
        final String first = keyOf(0, 0);
        final List<String> written = new ArrayList<>();
        for (int i = 0; i < 64; i++)
        {
            written.add(keyOf(1 + i % (CORES - 1), i / (CORES - 1)));
        }
        try (RespClient c = SERVER.client())
        {
            final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int r = 0; r < ROUNDS; r++)
            {
                final String key = written.get(r % written.size());
                pipeline.writeBytes(RespClient.encode("SET", key, Integer.toString(r)));
                // Routed by its first key, on shard 0: the write above is on another shard's ring.
                pipeline.writeBytes(RespClient.encode("MGET", first, key));
            }
            c.send(pipeline.toByteArray());
            int stale = 0;
            for (int r = 0; r < ROUNDS; r++)
            {
                assertEquals("OK", c.read());
                final List<?> values = (List<?>)c.read();
                if (!Integer.toString(r).equals(values.get(1)))
                {
                    stale++;
                }
            }
            assertEquals(0, stale, "MGETs that missed the SET sent just before them, of " + ROUNDS);
            assertNotEquals(null, c.call("PING"));
        }
    }
}
