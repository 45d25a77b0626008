package dev.shoal.libos.rpc;

import org.agrona.concurrent.UnsafeBuffer;

import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.monitor.MalformedMessageException;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;

/**
 * The RPC wire format, in one place. Every message starts with a one-byte kind; fields follow little-endian with
 * no padding, strings as a 4-byte length plus UTF-8 bytes (see {@link MessageWriter}).
 * <pre>
 *   client → server   HELLO   kind=1  interface:String  fingerprint:long        first message on a binding
 *                     CALL    kind=2  callId:int  methodId:int  arguments...
 *                     BYE     kind=3                                             the client closed its stub
 *   server → client   RESULT  kind=4  callId:int  result (absent for void)       callId 0 accepts a HELLO
 *                     ERROR   kind=5  callId:int  error:int  remoteType:String  message:String
 * </pre>
 * Arguments and results are encoded by {@link WireType}. An ERROR's error is a {@link ShoalError} code; its
 * remoteType is the class name of the exception the server's method threw, or "" when the request itself was
 * refused (malformed, unknown method, wrong interface).
 */
final class RpcWire
{
    static final byte HELLO = 1;
    static final byte CALL = 2;
    static final byte BYE = 3;
    static final byte RESULT = 4;
    static final byte ERROR = 5;

    /** The call id of the reply to a HELLO. */
    static final int HELLO_CALL_ID = 0;

    private RpcWire()
    {
    }

    static byte[] bytes(final MessageWriter out)
    {
        final byte[] bytes = new byte[out.length()];
        out.buffer().getBytes(0, bytes);
        return bytes;
    }

    static MessageReader read(final MessageReader reader, final byte[] message, final String what)
    {
        return reader.wrap(new UnsafeBuffer(message), 0, message.length, what);
    }

    static byte[] hello(final MessageWriter out, final String interfaceName, final long fingerprint)
    {
        out.reset().putByte(HELLO).putString(interfaceName).putLong(fingerprint);
        return bytes(out);
    }

    static byte[] bye(final MessageWriter out)
    {
        out.reset().putByte(BYE);
        return bytes(out);
    }

    static byte[] error(final MessageWriter out, final int callId, final ShoalError error, final String remoteType,
        final String message)
    {
        out.reset().putByte(ERROR).putInt(callId).putInt(error.code()).putString(remoteType)
            .putString(message == null ? "" : message);
        return bytes(out);
    }

    /** Reads an ERROR's fields after its call id: the exception the caller sees. */
    static RpcException readError(final MessageReader in, final String context)
    {
        final int code = in.getInt();
        final String remoteType = in.getString();
        final String message = in.getString();
        in.expectEnd();
        final ShoalError error = ShoalError.fromCode(code);
        final String detail = context.isEmpty() ? message : context + ": " + message;
        return error == null ? new RpcException(ShoalError.REMOTE_FAILURE, remoteType, "error code " + code + ": " +
            detail) : new RpcException(error, remoteType, detail);
    }

    static byte[] emptyResult(final MessageWriter out, final int callId)
    {
        out.reset().putByte(RESULT).putInt(callId);
        return bytes(out);
    }

    /** Reads a kind byte and fails unless it is one of {@code expected}. */
    static byte kind(final MessageReader in, final byte... expected)
    {
        final byte kind = in.getByte();
        for (final byte e : expected)
        {
            if (kind == e)
            {
                return kind;
            }
        }
        throw new MalformedMessageException("unexpected message kind " + kind);
    }
}
