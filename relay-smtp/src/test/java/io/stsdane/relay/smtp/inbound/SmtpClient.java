package io.stsdane.relay.smtp.inbound;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A raw-socket SMTP client for tests: sends exactly the bytes it is given and reads whole replies. */
final class SmtpClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    SmtpClient(int port) throws IOException {
        this(port, "127.0.0.1");
    }

    /** Connects from {@code localAddress}, such as another loopback address like 127.0.0.2. */
    SmtpClient(int port, String localAddress) throws IOException {
        socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0);
        socket.setSoTimeout(20_000);
        streams();
    }

    /**
     * Sends {@code text} one byte at a time, {@code pause} apart, and stops when the server answers or closes.
     *
     * @return the server's reply or null when it closed without one; throws when all of it was sent
     */
    String trickle(String text, Duration pause) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout((int) pause.toMillis());
        try {
            for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException e) {
                    return null; // closed by the server
                }
                try {
                    return reply();
                } catch (SocketTimeoutException e) {
                    // No answer yet: the server is still waiting for more.
                } catch (IOException e) {
                    return null;
                }
            }
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout);
            }
        }
        throw new AssertionError("the server took all " + text.length() + " bytes, one at a time, without cutting");
    }

    private void streams() throws IOException {
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Reads one reply, all lines joined with \n. Returns null at end of stream. */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            if (line == null) {
                return lines.isEmpty() ? null : String.join("\n", lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return String.join("\n", lines);
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    /** Sends a command line (CRLF added) and reads its reply. */
    String cmd(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Greeting, EHLO, returns the EHLO reply. */
    String hello() throws IOException {
        String greeting = reply();
        if (!greeting.startsWith("220")) {
            throw new AssertionError("no greeting: " + greeting);
        }
        return cmd("EHLO client.test");
    }

    /** STARTTLS and handshake; returns the 220 reply. */
    String startTls(SSLContext client) throws IOException {
        String r = cmd("STARTTLS");
        if (!r.startsWith("220")) {
            return r;
        }
        SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(socket, "relay.test", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        socket = tls;
        streams();
        return r;
    }

    /** Whether the server closed the connection (end of stream or reset). */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
