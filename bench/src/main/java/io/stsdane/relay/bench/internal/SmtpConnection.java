package io.stsdane.relay.bench.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking SMTP client connection for the load generator: one per session thread, never shared (not
 * thread-safe). Plain sockets keep the client's own cost low and obvious; the relay is what is measured.
 */
public final class SmtpConnection implements Closeable {

    private static final byte[] END_OF_DATA = ".\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LINE = 4096;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private SmtpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** Connects, reads the greeting and says EHLO; fails unless both are positive. */
    public static SmtpConnection open(InetSocketAddress target, String heloName, int timeoutMillis)
            throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.connect(target, timeoutMillis);
            SmtpConnection c = new SmtpConnection(s);
            c.expect(c.readReply(), 2, "greeting");
            c.expect(c.command("EHLO " + heloName), 2, "EHLO");
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Sends one command line and reads its (possibly multi-line) reply; returns the reply code. */
    public int command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readReply();
    }

    /**
     * Sends the message content and the terminating dot, then waits for the reply.
     *
     * @param started receives {@link System#nanoTime()} right after the final dot was flushed: accept latency
     *     runs from there to the reply
     * @return the reply code
     */
    public int data(byte[] header, byte[] body, long[] started) throws IOException {
        out.write(header);
        out.write(body);
        out.write(END_OF_DATA);
        out.flush();
        started[0] = System.nanoTime();
        return readReply();
    }

    /** Fails with a message naming the step unless {@code code} is in the class {@code expectedClass}xx. */
    public void expect(int code, int expectedClass, String step) throws IOException {
        if (code / 100 != expectedClass) {
            throw new IOException(step + " answered " + code);
        }
    }

    /** Reads lines until one whose fourth character is not '-' (RFC 5321 §4.2.1); returns its code. */
    private int readReply() throws IOException {
        while (true) {
            String line = readLine();
            if (line.length() < 3) {
                throw new IOException("malformed reply line: " + line);
            }
            if (line.length() == 3 || line.charAt(3) != '-') {
                return Integer.parseInt(line.substring(0, 3));
            }
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed by server");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
            if (sb.length() > MAX_LINE) {
                throw new IOException("reply line too long");
            }
        }
        return sb.toString();
    }

    /** Says QUIT (best effort) and closes. */
    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException ignored) {
            // the server may already be gone; closing is all that is left to do
        } finally {
            socket.close();
        }
    }
}
