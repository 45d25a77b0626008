package dev.shoal.harness;

import java.util.concurrent.CompletableFuture;

import dev.shoal.monitor.MonitorOperation;
import dev.shoal.monitor.Protocol;

/**
 * A monitor operation registered the other way: listed in this module's
 * {@code META-INF/services/dev.shoal.monitor.MonitorOperation}, so every machine booted here discovers it.
 */
public final class DiscoveredGreeting implements MonitorOperation
{
    public record Hello(String from)
    {
    }

    public record Welcome(String text)
    {
    }

    static final class Inbox
    {
        CompletableFuture<String> reply;
    }

    @Override
    public void register(final Protocol.Builder protocol)
    {
        protocol.message(Hello.class, (m, from, hello) -> m.send(from, new Welcome("welcome " + hello.from())));
        protocol.message(Welcome.class, (m, from, w) -> m.local(Inbox.class, Inbox::new).reply.complete(w.text()));
    }
}
