package dev.shoal.apps.kv;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal RESP2/RESP3 client for the tests: commands as arrays of bulk strings, replies decoded to Java values. */
final class RespClient implements AutoCloseable
{
    /** An error reply. */
    record Error(String message)
    {
    }

    /** RESP3's null ({@code _}), told apart from RESP2's null bulk string (Java null). */
    static final Object NULL3 = new Object()
    {
        @Override
        public String toString()
        {
            return "RESP3 null";
        }
    };

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static byte[] encode(final String... args)
    {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (final String a : args)
        {
            final byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    /** Sends one command and reads its reply. */
    Object call(final String... args) throws IOException
    {
        send(encode(args));
        return read();
    }

    void send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads one reply: a String for +simple and $bulk, a Long for :integer, an {@link Error}, a List for arrays,
     * null for a null bulk or array.
     */
    Object read() throws IOException
    {
        final int type = in.read();
        if (type < 0)
        {
            throw new IOException("connection closed");
        }
        final String line = line();
        return switch (type)
        {
            case '+' -> line;
            case '-' -> new Error(line);
            case ':' -> Long.parseLong(line);
            case '$' ->
            {
                final int n = Integer.parseInt(line);
                if (n < 0)
                {
                    yield null;
                }
                final byte[] data = in.readNBytes(n + 2);
                yield new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*' ->
            {
                final int n = Integer.parseInt(line);
                if (n < 0)
                {
                    yield null;
                }
                final List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++)
                {
                    items.add(read());
                }
                yield items;
            }
            case '_' -> NULL3;
            case ',' -> Double.parseDouble(line);
            case '#' -> line.equals("t");
            case '=' ->
            {
                final int n = Integer.parseInt(line);
                final byte[] data = in.readNBytes(n + 2);
                yield new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '%' ->
            {
                final int n = Integer.parseInt(line);
                final java.util.Map<Object, Object> map = new java.util.LinkedHashMap<>();
                for (int i = 0; i < n; i++)
                {
                    map.put(read(), read());
                }
                yield map;
            }
            default -> throw new IOException("not a RESP reply type: " + (char)type + line);
        };
    }

    /** Reads until the server closes the connection (end of stream or reset); returns the bytes read. */
    long drain() throws IOException
    {
        final byte[] buf = new byte[64 << 10];
        long total = 0;
        try
        {
            int n;
            while ((n = in.read(buf)) >= 0)
            {
                total += n;
            }
        }
        catch (final java.net.SocketException ex)
        {
            // Reset: the server closed with our requests unread.
        }
        return total;
    }

    /** True when the server closed the connection (the next read sees end of stream). */
    boolean isClosedByServer() throws IOException
    {
        return in.read() < 0;
    }

    private String line() throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r')
        {
            if (c < 0)
            {
                throw new IOException("connection closed mid-line");
            }
            sb.append((char)c);
        }
        if (in.read() != '\n')
        {
            throw new IOException("CR without LF");
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
