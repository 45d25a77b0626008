package dev.shoal.libos.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ConcurrentHashMap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.shoal.kernel.caps.ShoalError;
import dev.shoal.libos.Channel;
import dev.shoal.libos.Domain;
import dev.shoal.libos.Machines;
import dev.shoal.libos.Service;
import dev.shoal.libos.Shoal;
import dev.shoal.monitor.MessageReader;
import dev.shoal.monitor.MessageWriter;

/** Bytes that do not decode, in either direction, become errors for the caller; nobody crashes. */
class RpcMalformedMessageTest
{
    interface Adder
    {
        int add(int a, int b);
    }

    private static final RpcInterface<Adder> ADDER = RpcInterface.of(Adder.class);

    /** Decodes a reply into "RESULT id value" or "ERROR id code type: message". */
    private static String describe(final byte[] reply)
    {
        final MessageReader in = new MessageReader().wrap(new UnsafeBuffer(reply), 0, reply.length, "reply");
        final byte kind = in.getByte();
        final int callId = in.getInt();
        return kind == RpcWire.RESULT ?
            "RESULT " + callId + (in.remaining() > 0 ? " " + in.getInt() : "") :
            "ERROR " + callId + " " + ShoalError.fromCode(in.getInt()) + " " + in.getString() + ": " + in.getString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:4"})
    void shouldAnswerMalformedRequestsWithAnErrorAndKeepServing(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x4", 4))
        {
            final ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
            Machines.run(shoal, "server", new int[] {3}, os -> Rpc.export(os, "adder", Adder.class, Integer::sum));
            Machines.run(shoal, "raw", new int[] {0}, os ->
            {
                final MessageWriter out = new MessageWriter();
                final Channel garbled = os.bind("adder");
                garbled.sendBytes(new byte[] {RpcWire.HELLO, 1, 2});
                seen.put("bad hello", describe(garbled.receiveBytes()));

                final Channel raw = os.bind("adder");
                raw.sendBytes(RpcWire.hello(out, ADDER.name(), ADDER.fingerprint()));
                seen.put("hello", describe(raw.receiveBytes()));
                raw.sendBytes(new byte[] {RpcWire.CALL, 7, 0, 0, 0});
                seen.put("truncated", describe(raw.receiveBytes()));
                out.reset().putByte(RpcWire.CALL).putInt(8).putInt(99);
                raw.sendBytes(RpcWire.bytes(out));
                seen.put("unknown method", describe(raw.receiveBytes()));
                out.reset().putByte(RpcWire.CALL).putInt(9).putInt(0).putInt(1).putInt(2).putByte((byte)0);
                raw.sendBytes(RpcWire.bytes(out));
                seen.put("trailing", describe(raw.receiveBytes()));
                raw.sendBytes(new byte[] {42});
                seen.put("kind", describe(raw.receiveBytes()));
                out.reset().putByte(RpcWire.CALL).putInt(10).putInt(0).putInt(40).putInt(2);
                raw.sendBytes(RpcWire.bytes(out));
                seen.put("good", describe(raw.receiveBytes()));
            });
            assertEquals("ERROR 0 RPC_MALFORMED : malformed HELLO: HELLO to adder: truncated while reading an int " +
                "(needs 4 bytes, 2 left)", seen.get("bad hello"));
            assertEquals("RESULT 0", seen.get("hello"));
            assertEquals("ERROR 7 RPC_MALFORMED : malformed request to service 'adder': request to adder: truncated " +
                "while reading an int (needs 4 bytes, 0 left)", seen.get("truncated"));
            assertEquals("ERROR 8 RPC_MALFORMED : malformed request to service 'adder': no method has id 99 (1 methods)",
                seen.get("unknown method"));
            assertEquals("ERROR 9 RPC_MALFORMED : malformed request to service 'adder': request to adder: 1 " +
                "unexpected trailing bytes", seen.get("trailing"));
            assertEquals("ERROR 0 RPC_MALFORMED : malformed request to service 'adder': unexpected message kind 42",
                seen.get("kind"));
            assertEquals("RESULT 10 42", seen.get("good"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"live", "deterministic:9"})
    void shouldTurnAMalformedReplyIntoAnRpcException(final String mode) throws Exception
    {
        try (Shoal shoal = Machines.boot(mode, "numa:1x4", 4))
        {
            final ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
            // A fake server speaking raw bytes: garbles the first client's HELLO reply, the second's call reply.
            final Domain fake = Machines.start(shoal, "fake", new int[] {2}, os ->
            {
                final Service service = os.export("adder");
                final MessageWriter out = new MessageWriter();
                final Channel first = service.accept();
                first.receiveBytes();
                first.sendBytes(new byte[] {RpcWire.RESULT});
                final Channel second = service.accept();
                second.receiveBytes();
                second.sendBytes(RpcWire.emptyResult(out, RpcWire.HELLO_CALL_ID));
                second.receiveBytes();
                second.sendBytes(new byte[] {RpcWire.RESULT, 1, 0, 0, 0, 5});
                second.receiveBytes();
                second.sendBytes(RpcWire.emptyResult(out, 77));
                second.receiveBytes();
                second.sendBytes(RpcWire.emptyResult(out, 3));
            });
            Machines.run(shoal, "client", new int[] {1}, os ->
            {
                seen.put("hello", assertThrows(RpcException.class,
                    () -> Rpc.bindWhenExported(os, "adder", Adder.class)).detail());
                final Adder adder = Rpc.bind(os, "adder", Adder.class);
                seen.put("short", assertThrows(RpcException.class, () -> adder.add(1, 2)).detail());
                seen.put("wrong id", assertThrows(RpcException.class, () -> adder.add(1, 2)).detail());
                seen.put("no value", assertThrows(RpcException.class, () -> adder.add(1, 2)).detail());
            });
            Machines.join(fake);
            assertEquals("malformed reply from service 'adder': reply to HELLO: truncated while reading an int " +
                "(needs 4 bytes, 0 left)", seen.get("hello"));
            assertEquals("malformed reply from service 'adder': reply to add: truncated while reading an int " +
                "(needs 4 bytes, 1 left)", seen.get("short"));
            assertEquals("malformed reply from service 'adder': reply to call 77, expected call 2",
                seen.get("wrong id"));
            assertEquals("malformed reply from service 'adder': reply to add: truncated while reading an int " +
                "(needs 4 bytes, 0 left)", seen.get("no value"));
        }
    }
}
