package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A kv appliance for a test class: started before its tests, flushed before each, stopped after the last.
 * Register it as a static field with {@code @RegisterExtension}.
 */
final class KvServer implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback
{
    private final KvAppliance.Settings settings;
    private KvAppliance kv;

    KvServer(final KvAppliance.Settings settings)
    {
        this.settings = settings;
    }

    @Override
    public void beforeAll(final ExtensionContext context) throws Exception
    {
        kv = KvAppliance.start(settings);
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("FLUSHALL"));
        }
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        kv.close();
    }

    /** A new connection to the appliance. */
    RespClient client() throws Exception
    {
        return new RespClient(kv.port());
    }
}
