package io.stsdane.relay.smtp.inbound;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A UDP DNS responder serving TXT records, enough for the SPF self-check (the shared signed DNS fixture is
 * not in relay-testkit yet). Unknown names get NXDOMAIN, other types of known names an empty answer.
 */
final class TinyTxtDns implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<Name, String> txt = new ConcurrentHashMap<>();
    private final Thread thread;

    TinyTxtDns() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "tiny-dns");
        thread.setDaemon(true);
        thread.start();
    }

    TinyTxtDns txt(String name, String value) throws IOException {
        txt.put(Name.fromString(name, Name.root), value);
        return this;
    }

    SimpleResolver resolver() {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                socket.getLocalPort()));
        r.setTimeout(java.time.Duration.ofSeconds(2));
        return r;
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                Message query = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                byte[] answer = answer(query).toWire(512);
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a malformed query: keep serving until closed
            }
        }
    }

    private Message answer(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        org.xbill.DNS.Record q = query.getQuestion();
        response.addRecord(q, Section.QUESTION);
        String value = txt.get(q.getName());
        if (value == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (q.getType() == Type.TXT) {
            response.addRecord(new TXTRecord(q.getName(), DClass.IN, 60, value), Section.ANSWER);
        }
        return response;
    }

    @Override
    public void close() {
        socket.close();
    }
}
