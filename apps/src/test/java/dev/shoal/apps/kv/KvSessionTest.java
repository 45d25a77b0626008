package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection's session over TCP, on an appliance started with a password: AUTH and NOAUTH, HELLO 2 and 3 with
 * AUTH and SETNAME, RESP3 replies from the cores, CLIENT's names and lists, CONFIG SET requirepass.
 */
class KvSessionTest
{
    private static final String PASSWORD = "s3cret";
    private static final RespClient.Error NOAUTH = new RespClient.Error("NOAUTH Authentication required.");
    private static final RespClient.Error WRONGPASS =
        new RespClient.Error("WRONGPASS invalid username-password pair or user is disabled.");
    private static KvAppliance kv;

    @BeforeAll
    static void start() throws Exception
    {
        kv = KvAppliance.start(new KvAppliance.Settings(null, 2, 0, 8L << 20, PASSWORD));
    }

    @AfterAll
    static void stop()
    {
        kv.close();
    }

    private static RespClient client() throws Exception
    {
        return new RespClient(kv.port());
    }

    private static RespClient authenticated() throws Exception
    {
        final RespClient c = client();
        assertEquals("OK", c.call("AUTH", PASSWORD));
        return c;
    }

    @Test
    void shouldRefuseEverythingButAuthHelloAndQuitUntilAuthenticated() throws Exception
    {
        try (RespClient c = client())
        {
            assertEquals(NOAUTH, c.call("FLUSHALL"));
            assertEquals(NOAUTH, c.call("SET", "k", "v"));
            assertEquals(NOAUTH, c.call("CLIENT", "SETNAME", "x"));
            assertEquals(WRONGPASS, c.call("AUTH", "guess"));
            assertEquals(WRONGPASS, c.call("AUTH", "admin", PASSWORD));
            assertEquals(new RespClient.Error("ERR syntax error"), c.call("AUTH", "a", "b", "c"));
            // Pipelined: what follows a good AUTH runs, what precedes it does not.
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(RespClient.encode("SET", "before", "1"));
            b.writeBytes(RespClient.encode("AUTH", "default", PASSWORD));
            b.writeBytes(RespClient.encode("SET", "after", "1"));
            b.writeBytes(RespClient.encode("EXISTS", "before", "after"));
            c.send(b.toByteArray());
            assertEquals(NOAUTH, c.read());
            assertEquals("OK", c.read());
            assertEquals("OK", c.read());
            assertEquals(1L, c.read());
        }
        try (RespClient c = client())
        {
            assertEquals("OK", c.call("QUIT"));
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    void shouldHoldAClientThatHasNotAuthenticatedToRedisSmallerLimits() throws Exception
    {
        try (RespClient c = client())
        {
            c.send(RespClient.encode("SET", "k", "v".repeat(20_000)));
            assertEquals(new RespClient.Error("ERR Protocol error: unauthenticated bulk length"), c.read());
            assertTrue(c.isClosedByServer());
        }
        try (RespClient c = client())
        {
            c.send(RespClient.encode("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"));
            assertEquals(new RespClient.Error("ERR Protocol error: unauthenticated multibulk length"), c.read());
            assertTrue(c.isClosedByServer());
        }
        try (RespClient c = authenticated())
        {
            assertEquals("OK", c.call("SET", "k", "v".repeat(20_000)), "authenticated: the usual limits");
        }
    }

    @Test
    void shouldNegotiateTheProtocolAndAuthenticateWithHello() throws Exception
    {
        try (RespClient c = client())
        {
            assertInstanceOf(RespClient.Error.class, c.call("HELLO", "3"));
            assertEquals(new RespClient.Error("NOPROTO unsupported protocol version"), c.call("HELLO", "4"));
            assertEquals(new RespClient.Error("ERR Protocol version is not an integer or out of range"),
                c.call("HELLO", "three"));
            assertEquals(WRONGPASS, c.call("HELLO", "3", "AUTH", "default", "guess"));
            final Object hello = c.call("HELLO", "3", "AUTH", "default", PASSWORD, "SETNAME", "tester");
            assertEquals(java.util.Map.of("server", "redis", "version", NicSession.VERSION, "proto", 3L, "id",
                ((java.util.Map<?, ?>)hello).get("id"), "mode", "standalone", "role", "master", "modules", List.of()),
                hello);
            assertEquals("tester", c.call("CLIENT", "GETNAME"));
            // RESP3 from the cores: the null, maps, verbatim text.
            assertEquals(RespClient.NULL3, c.call("GET", "no-such-key"));
            assertEquals(java.util.Map.of("databases", "1"), c.call("CONFIG", "GET", "databases"));
            assertTrue(((String)c.call("INFO", "server")).startsWith("txt:# Server"));
            final Object back = c.call("HELLO", "2");
            assertEquals(14, ((List<?>)back).size(), "RESP2: the map as a flat array");
            assertEquals(null, c.call("GET", "no-such-key"));
        }
    }

    @Test
    void shouldKeepTheClientsNameAndListTheConnections() throws Exception
    {
        try (RespClient c = authenticated(); RespClient other = authenticated())
        {
            assertEquals(null, c.call("CLIENT", "GETNAME"));
            assertEquals("OK", c.call("CLIENT", "SETNAME", "first"));
            assertEquals("first", c.call("CLIENT", "GETNAME"));
            assertEquals(new RespClient.Error("ERR Client names cannot contain spaces, newlines or special " +
                "characters."), c.call("CLIENT", "SETNAME", "a b"));
            assertEquals("OK", other.call("CLIENT", "SETNAME", "second"));
            final long id = (Long)c.call("CLIENT", "ID");
            final String list = (String)c.call("CLIENT", "LIST");
            assertTrue(list.contains("id=" + id + " ") && list.contains("name=first ") &&
                list.contains("name=second "), list);
            assertTrue(((String)c.call("CLIENT", "INFO")).startsWith("id=" + id + " "));
            assertEquals("OK", c.call("CLIENT", "SETINFO", "LIB-NAME", "tests"));
            assertEquals("OK", c.call("CLIENT", "SETNAME", ""));
            assertEquals(null, c.call("CLIENT", "GETNAME"));
        }
    }

    @Test
    void shouldChangeThePasswordWithConfigSetForNewConnections() throws Exception
    {
        try (RespClient c = authenticated())
        {
            assertEquals(List.of("requirepass", PASSWORD), c.call("CONFIG", "GET", "requirepass"));
            assertEquals("OK", c.call("CONFIG", "SET", "requirepass", "other"));
            try
            {
                assertEquals("PONG", c.call("PING"), "a connection already authenticated stays so");
                try (RespClient d = client())
                {
                    assertEquals(NOAUTH, d.call("PING"));
                    assertEquals(WRONGPASS, d.call("AUTH", PASSWORD));
                    assertEquals("OK", d.call("AUTH", "other"));
                }
                assertEquals("OK", c.call("CONFIG", "SET", "requirepass", ""));
                try (RespClient d = client())
                {
                    assertEquals("PONG", d.call("PING"), "no password: no AUTH needed");
                    assertEquals(new RespClient.Error("ERR AUTH <password> called without any password configured " +
                        "for the default user. Are you sure your configuration is correct?"), d.call("AUTH", "x"));
                }
            }
            finally
            {
                assertEquals("OK", c.call("CONFIG", "SET", "requirepass", PASSWORD));
            }
        }
    }
}
