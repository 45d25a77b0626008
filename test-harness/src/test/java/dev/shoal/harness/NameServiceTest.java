package dev.shoal.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.shoal.libos.Channel;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Service;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.NameServiceException;

class NameServiceTest
{
    record Request(int seq, String text)
    {
    }

    record Reply(int seq, String text, int servedBy, long servedAtCycle)
    {
    }

    @OnBootedMachine(cores = {2, 8, 64})
    void shouldBindToAServiceOnAnotherCoreAndExchangeTypedMessages(final Shoal shoal) throws Exception
    {
        final int server = shoal.cores() - 1;
        final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
        final CountDownLatch exported = new CountDownLatch(1);
        final Domain service = shoal.startDomain("upper", new int[] {server}, os ->
        {
            final Service s = os.export("upper");
            exported.countDown();
            final Channel client = s.accept();
            for (int i = 0; i < 100; i++)
            {
                final Request r = client.receive(Request.class);
                client.send(new Reply(r.seq(), r.text().toUpperCase(), os.coreId(), os.now()));
            }
        });
        assertTrue(exported.await(30, TimeUnit.SECONDS));
        final Domain user = shoal.startDomain("user", new int[] {0}, os ->
        {
            final Channel channel = os.bind("upper");
            seen.put("transport", channel.transport());
            seen.put("peer", channel.peerCore());
            for (int i = 0; i < 100; i++)
            {
                channel.send(new Request(i, "hello " + i));
                final Reply reply = channel.receive(Reply.class);
                assertEquals(i, reply.seq());
                assertEquals("HELLO " + i, reply.text());
                assertEquals(server, reply.servedBy());
                assertTrue(os.now() > reply.servedAtCycle(), "a reply arrives after it was sent, in cycles");
            }
            seen.put("done", true);
        });
        assertTrue(user.join(Duration.ofSeconds(60)));
        assertTrue(service.join(Duration.ofSeconds(60)));
        assertEquals("ump", seen.get("transport"));
        assertEquals(server, seen.get("peer"));
        assertEquals(true, seen.get("done"));
    }

    @OnBootedMachine(cores = {1, 4})
    void shouldBindOverLmpWhenTheServiceRunsOnTheSameCore(final Shoal shoal) throws Exception
    {
        final CountDownLatch exported = new CountDownLatch(1);
        final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
        final Domain app = shoal.startDomain("local", new int[] {0}, os ->
        {
            final Service s = os.export("local-echo");
            exported.countDown();
            os.spawnThread("server", () ->
            {
                final Channel c = s.accept();
                final String big = c.receiveString();
                c.sendString(big + "!");
            });
            final Channel c = os.bind("local-echo");
            seen.put("transport", c.transport());
            final String message = "x".repeat(1000);
            c.sendString(message);
            seen.put("reply", c.receiveString());
        });
        assertTrue(app.join(Duration.ofSeconds(30)));
        assertEquals("lmp", seen.get("transport"));
        assertEquals("x".repeat(1000) + "!", seen.get("reply"));
    }

    @OnBootedMachine(cores = {2, 8})
    void shouldNeverBindOneNameTwiceNorBindAnUnknownName(final Shoal shoal) throws Exception
    {
        final ConcurrentHashMap<String, Object> seen = new ConcurrentHashMap<>();
        final int last = shoal.cores() - 1;
        final Domain first = shoal.startDomain("first", new int[] {0}, os -> os.export("unique"));
        assertTrue(first.join(Duration.ofSeconds(30)));
        final Domain second = shoal.startDomain("second", new int[] {last}, os ->
        {
            // The name server (core 0) refuses across cores; the caller sees the code, not only a text.
            final NameServiceException taken = assertThrows(NameServiceException.class, () -> os.export("unique"));
            seen.put("duplicate", taken.error() + " " + taken.detail());
            final NameServiceException unknown = assertThrows(NameServiceException.class, () -> os.bind("nobody"));
            seen.put("unknown", unknown.error() + " " + unknown.detail());
        });
        assertTrue(second.join(Duration.ofSeconds(30)));
        assertEquals("NAME_TAKEN name 'unique' is already bound to core 0", seen.get("duplicate"));
        assertEquals("NAME_NOT_FOUND no service is bound to the name 'nobody'", seen.get("unknown"));
    }
}
