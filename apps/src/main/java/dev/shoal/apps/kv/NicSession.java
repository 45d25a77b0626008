package dev.shoal.apps.kv;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * The connection-level commands, answered by the {@link Nic} itself because their state is the connection's:
 * HELLO (protocol version, AUTH, SETNAME), AUTH, and CLIENT ID/SETNAME/GETNAME/SETINFO/LIST/INFO; and the gate that
 * answers {@code -NOAUTH} to everything else until a client has authenticated when a password is required. The
 * NIC handles them in the order the client sent its requests, so a pipelined {@code AUTH} or {@code HELLO 3}
 * applies to exactly the requests after it, whichever cores run those.
 *
 * <p>Replies are Redis 7's, in the connection's protocol (RESP2 arrays or RESP3 maps). Used only by the NIC's
 * thread.
 */
final class NicSession
{
    static final String VERSION = "7.0.0";
    private static final byte[] OK = ascii("+OK\r\n");
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    private static final String NOAUTH = "NOAUTH Authentication required.";

    /** {@link #handle}'s answer for EXEC: the NIC sends the transaction ({@link #transaction}) to the cores. */
    static final byte[] ROUTE_TRANSACTION = new byte[0];
    private static final byte[] QUEUED = ascii("+QUEUED\r\n");

    private enum Session
    {
        HELLO, AUTH, CLIENT, QUIT, MULTI, EXEC, DISCARD, WATCH, UNWATCH
    }

    private static final NameTable<Session> COMMANDS = new NameTable<>(Map.of("HELLO", Session.HELLO, "AUTH",
        Session.AUTH, "CLIENT", Session.CLIENT, "QUIT", Session.QUIT, "MULTI", Session.MULTI, "EXEC", Session.EXEC,
        "DISCARD", Session.DISCARD, "WATCH", Session.WATCH, "UNWATCH", Session.UNWATCH));

    private final ClientLimits limits;
    private final int port;
    private final int maxFrame;

    /** @param maxFrame the most ring bytes a request may take: an EXEC's queued commands must fit it. */
    NicSession(final ClientLimits limits, final int port, final int maxFrame)
    {
        this.limits = limits;
        this.port = port;
        this.maxFrame = maxFrame;
    }

    /**
     * Answers the request the reader found if it is the session's to answer.
     *
     * @return the reply, or null when the request goes to the cores.
     */
    byte[] handle(final NicConnection c, final byte[] in, final RespReader r, final Collection<NicConnection> all,
        final long nowMillis)
    {
        final Session command = COMMANDS.get(in, r.argOffset[0], r.argLength[0]);
        c.lastRequestAt = nowMillis;
        if (command == Session.QUIT)
        {
            return null;
        }
        if (command == Session.HELLO || command == Session.AUTH)
        {
            return c.multi ? refuseInTransaction(c) : command == Session.HELLO ? hello(c, in, r) : auth(c, in, r);
        }
        if (mustAuthenticate(c))
        {
            if (c.multi)
            {
                c.multiDirty = true;
            }
            return error(NOAUTH);
        }
        if (c.multi)
        {
            return inTransaction(c, command, in, r);
        }
        if (command == null)
        {
            return null;
        }
        return switch (command)
        {
            case CLIENT -> client(c, in, r, all, nowMillis);
            case MULTI ->
            {
                if (r.argc != 1)
                {
                    yield error("ERR wrong number of arguments for 'multi' command");
                }
                c.multi = true;
                yield OK;
            }
            case EXEC -> error("ERR EXEC without MULTI");
            case DISCARD -> error("ERR DISCARD without MULTI");
            case WATCH ->
            {
                c.watching = true;
                yield null;
            }
            case UNWATCH ->
            {
                c.watching = false;
                yield null;
            }
            default -> null;
        };
    }

    /**
     * A request after MULTI: EXEC and DISCARD end the transaction, anything else is checked against the command
     * table and queued (+QUEUED), or refused with the error it would get, which makes EXEC abort, as in Redis.
     */
    private byte[] inTransaction(final NicConnection c, final Session session, final byte[] in, final RespReader r)
    {
        if (session == Session.EXEC || session == Session.DISCARD)
        {
            if (r.argc != 1)
            {
                c.multiDirty = true;
                return error("ERR wrong number of arguments for '" + session.name().toLowerCase(Locale.ROOT) +
                    "' command");
            }
            c.watching = false;
            if (session == Session.DISCARD)
            {
                c.endTransaction();
                return null;
            }
            return ROUTE_TRANSACTION;
        }
        if (session == Session.MULTI)
        {
            return error("ERR MULTI calls can not be nested");
        }
        if (session == Session.WATCH)
        {
            return error("ERR WATCH inside MULTI is not allowed");
        }
        final Command command = Command.of(in, r.argOffset[0], r.argLength[0]);
        if (command == null)
        {
            c.multiDirty = true;
            final byte[][] args = new byte[Math.min(r.argc, 8)][];
            for (int i = 0; i < args.length; i++)
            {
                args[i] = bytes(in, r, i);
            }
            return error(Command.unknown(args));
        }
        if (!command.arityAllows(r.argc))
        {
            c.multiDirty = true;
            return error(command.wrongArity());
        }
        if (command.notInTransaction())
        {
            return refuseInTransaction(c);
        }
        long ring = RespReader.ARGUMENT_OVERHEAD + 10;
        for (int i = 0; i < r.argc; i++)
        {
            ring += RespReader.ARGUMENT_OVERHEAD + r.argLength[i];
        }
        if (c.multiDirty || RespReader.REQUEST_OVERHEAD + 2L * (RespReader.ARGUMENT_OVERHEAD + 4) +
            c.queuedRingBytes + ring > maxFrame)
        {
            // Nothing more is kept once EXEC is bound to fail.
            if (!c.multiDirty)
            {
                c.multiDirty = true;
                c.queuedBytes.reset();
                return error("ERR transaction too large: its commands must fit one NIC ring message (" +
                    maxFrame + " bytes)");
            }
            return QUEUED;
        }
        c.queuedRingBytes += ring;
        c.queuedCounts.addInt(r.argc);
        for (int i = 0; i < r.argc; i++)
        {
            c.queuedLengths.addInt(r.argLength[i]);
            c.queuedBytes.write(in, r.argOffset[i], r.argLength[i]);
        }
        return QUEUED;
    }

    private static byte[] refuseInTransaction(final NicConnection c)
    {
        c.multiDirty = true;
        return error("ERR Command not allowed inside a transaction");
    }

    /** The transaction's arguments for the cores: {@code EXEC dirty {n, n arguments}...}; set in the reader's form. */
    byte[] transaction(final NicConnection c, final int[][] offsetsAndLengths)
    {
        final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        final int args = 2 + c.queuedCounts.size() + c.queuedLengths.size();
        final int[] offsets = new int[args];
        final int[] lengths = new int[args];
        int a = 0;
        a = put(b, ascii("EXEC"), offsets, lengths, a);
        a = put(b, ascii(c.multiDirty ? "1" : "0"), offsets, lengths, a);
        if (!c.multiDirty)
        {
            final byte[] queued = c.queuedBytes.toByteArray();
            int at = 0;
            int l = 0;
            for (int k = 0; k < c.queuedCounts.size(); k++)
            {
                final int n = c.queuedCounts.getInt(k);
                a = put(b, ascii(Integer.toString(n)), offsets, lengths, a);
                for (int i = 0; i < n; i++)
                {
                    final int len = c.queuedLengths.getInt(l++);
                    offsets[a] = b.size();
                    lengths[a++] = len;
                    b.write(queued, at, len);
                    at += len;
                }
            }
        }
        c.endTransaction();
        offsetsAndLengths[0] = java.util.Arrays.copyOf(offsets, a);
        offsetsAndLengths[1] = java.util.Arrays.copyOf(lengths, a);
        return b.toByteArray();
    }

    private static int put(final java.io.ByteArrayOutputStream b, final byte[] arg, final int[] offsets,
        final int[] lengths, final int a)
    {
        offsets[a] = b.size();
        lengths[a] = arg.length;
        b.writeBytes(arg);
        return a + 1;
    }

    private boolean mustAuthenticate(final NicConnection c)
    {
        return !c.authenticated && limits.passwordRequired();
    }

    private byte[] auth(final NicConnection c, final byte[] in, final RespReader r)
    {
        if (r.argc < 2)
        {
            return error("ERR wrong number of arguments for 'auth' command");
        }
        if (r.argc > 3)
        {
            return error("ERR syntax error");
        }
        if (r.argc == 2 && !limits.passwordRequired())
        {
            return error("ERR AUTH <password> called without any password configured for the default user. " +
                "Are you sure your configuration is correct?");
        }
        if (!authenticate(in, r, r.argc == 3 ? 1 : -1, r.argc - 1))
        {
            return error(WRONGPASS);
        }
        c.authenticated = true;
        return OK;
    }

    /** Checks user {@code userArg} (-1: "default") and password {@code passArg}; only the default user exists. */
    private boolean authenticate(final byte[] in, final RespReader r, final int userArg, final int passArg)
    {
        if (userArg >= 0 && !"default".equals(arg(in, r, userArg)))
        {
            return false;
        }
        return !limits.passwordRequired() ||
            limits.passwordMatches(in, r.argOffset[passArg], r.argLength[passArg]);
    }

    private byte[] hello(final NicConnection c, final byte[] in, final RespReader r)
    {
        int protocol = c.protocol;
        if (r.argc >= 2)
        {
            final long v = Commands.parseLong(bytes(in, r, 1));
            if (v == Long.MIN_VALUE)
            {
                return error("ERR Protocol version is not an integer or out of range");
            }
            if (v < 2 || v > 3)
            {
                return error("NOPROTO unsupported protocol version");
            }
            protocol = (int)v;
        }
        boolean authenticating = false;
        String name = null;
        for (int i = 2; i < r.argc; i++)
        {
            final String opt = arg(in, r, i).toUpperCase(Locale.ROOT);
            if (opt.equals("AUTH") && i + 2 < r.argc)
            {
                if (!authenticate(in, r, i + 1, i + 2))
                {
                    return error(WRONGPASS);
                }
                authenticating = true;
                i += 2;
            }
            else if (opt.equals("SETNAME") && i + 1 < r.argc)
            {
                name = arg(in, r, ++i);
                if (!validName(name))
                {
                    return error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
            }
            else
            {
                return error("ERR Syntax error in HELLO option '" + printable(arg(in, r, i)) + "'");
            }
        }
        if (!authenticating && mustAuthenticate(c))
        {
            return error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO " +
                "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP " +
                "protocol version at the same time");
        }
        c.authenticated |= authenticating;
        if (name != null)
        {
            c.name = name.isEmpty() ? null : name;
        }
        c.protocol = protocol;
        final Resp w = new Resp(protocol);
        w.map(7);
        w.bulk("server").bulk("redis");
        w.bulk("version").bulk(VERSION);
        w.bulk("proto").integer(protocol);
        w.bulk("id").integer(c.id);
        w.bulk("mode").bulk("standalone");
        w.bulk("role").bulk("master");
        w.bulk("modules").array(0);
        return w.bytes();
    }

    private byte[] client(final NicConnection c, final byte[] in, final RespReader r,
        final Collection<NicConnection> all, final long now)
    {
        if (r.argc < 2)
        {
            return error("ERR wrong number of arguments for 'client' command");
        }
        final String sub = arg(in, r, 1).toUpperCase(Locale.ROOT);
        final Resp w = new Resp(c.protocol);
        switch (sub)
        {
            case "ID" ->
            {
                return r.argc == 2 ? w.integer(c.id).bytes() : arity(sub);
            }
            case "GETNAME" ->
            {
                if (r.argc != 2)
                {
                    return arity(sub);
                }
                return c.name == null ? w.nullBulk().bytes() : w.bulk(c.name).bytes();
            }
            case "SETNAME" ->
            {
                if (r.argc != 3)
                {
                    return arity(sub);
                }
                final String name = arg(in, r, 2);
                if (!validName(name))
                {
                    return error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
                c.name = name.isEmpty() ? null : name;
                return OK;
            }
            case "SETINFO" ->
            {
                if (r.argc != 4)
                {
                    return arity(sub);
                }
                final String attr = arg(in, r, 2).toUpperCase(Locale.ROOT);
                final String value = arg(in, r, 3);
                if (!attr.equals("LIB-NAME") && !attr.equals("LIB-VER"))
                {
                    return error("ERR Unrecognized option '" + printable(arg(in, r, 2)) + "'");
                }
                if (!validName(value))
                {
                    return error("ERR " + attr + " cannot contain spaces, newlines or special characters.");
                }
                if (attr.equals("LIB-NAME"))
                {
                    c.libName = value;
                }
                else
                {
                    c.libVersion = value;
                }
                return OK;
            }
            case "INFO" ->
            {
                return r.argc == 2 ? w.verbatim(line(c, now)).bytes() : arity(sub);
            }
            case "LIST" ->
            {
                final StringBuilder sb = new StringBuilder();
                for (final NicConnection other : all)
                {
                    if (!other.closed)
                    {
                        sb.append(line(other, now));
                    }
                }
                return w.verbatim(sb.toString()).bytes();
            }
            default ->
            {
                return error("ERR unknown subcommand '" + printable(arg(in, r, 1)) + "'. Try CLIENT HELP.");
            }
        }
    }

    /** A CLIENT LIST line, with the fields of Redis's that the appliance has. */
    private String line(final NicConnection c, final long now)
    {
        return "id=" + c.id + " addr=" + c.remoteAddress + " laddr=127.0.0.1:" + port + " name=" +
            (c.name == null ? "" : c.name) + " age=" + (now - c.connectedAt) / 1000 + " idle=" +
            (now - c.lastRequestAt) / 1000 + " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=" +
            (c.inEnd - c.inStart) + " obl=" + c.out.position() + " omem=" + c.outputBytes() + " user=default lib-name=" + c.libName + " lib-ver=" + c.libVersion + " resp=" +
            c.protocol + "\n";
    }

    /** Redis's rule for client names: printable ASCII without spaces. */
    private static boolean validName(final String name)
    {
        for (int i = 0; i < name.length(); i++)
        {
            final char ch = name.charAt(i);
            if (ch < '!' || ch > '~')
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] arity(final String sub)
    {
        return error("ERR wrong number of arguments for 'client|" + sub.toLowerCase(Locale.ROOT) + "' command");
    }

    static byte[] error(final String message)
    {
        return ("-" + message.replace('\r', ' ').replace('\n', ' ') + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final byte[] in, final RespReader r, final int i)
    {
        return java.util.Arrays.copyOfRange(in, r.argOffset[i], r.argOffset[i] + r.argLength[i]);
    }

    private static String arg(final byte[] in, final RespReader r, final int i)
    {
        return new String(in, r.argOffset[i], r.argLength[i], StandardCharsets.UTF_8);
    }

    private static String printable(final String s)
    {
        return (s.length() > 128 ? s.substring(0, 128) : s).replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A small RESP2/RESP3 writer for the session's replies (not on the hot path). */
    private static final class Resp
    {
        private final StringBuilder sb = new StringBuilder();
        private final boolean resp3;

        Resp(final int protocol)
        {
            resp3 = protocol == 3;
        }

        Resp map(final int pairs)
        {
            sb.append(resp3 ? '%' : '*').append(resp3 ? pairs : pairs * 2).append("\r\n");
            return this;
        }

        Resp array(final int n)
        {
            sb.append('*').append(n).append("\r\n");
            return this;
        }

        Resp integer(final long v)
        {
            sb.append(':').append(v).append("\r\n");
            return this;
        }

        Resp bulk(final String s)
        {
            sb.append('$').append(s.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(s).append("\r\n");
            return this;
        }

        Resp verbatim(final String s)
        {
            if (!resp3)
            {
                return bulk(s);
            }
            sb.append('=').append(4 + s.getBytes(StandardCharsets.UTF_8).length).append("\r\ntxt:").append(s)
                .append("\r\n");
            return this;
        }

        Resp nullBulk()
        {
            sb.append(resp3 ? "_\r\n" : "$-1\r\n");
            return this;
        }

        byte[] bytes()
        {
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
