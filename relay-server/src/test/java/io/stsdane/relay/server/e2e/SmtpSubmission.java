package io.stsdane.relay.server.e2e;

import io.stsdane.relay.testkit.pki.TrustAnything;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * A minimal SMTP client that sends exact bytes, so tests can compare what arrives with what was sent.
 * One message per call; asserts nothing itself, returns the server's last reply.
 */
public final class SmtpSubmission {

    private SmtpSubmission() {
    }

    /**
     * Submits {@code message} (CRLF line endings, not dot-stuffed) and returns the reply to the final dot,
     * or the first reply that was not positive.
     */
    public static String send(int port, String from, List<String> to, String message) throws IOException {
        return send(port, from, to, message, "");
    }

    public static String send(int port, String from, List<String> to, String message, String mailParams)
            throws IOException {
        return send(port, from, to, message, mailParams, false);
    }

    /**
     * As {@link #send(int, String, List, String, String)}; with {@code startTls} the client first upgrades the
     * session with STARTTLS (trusting any certificate: the relay's inbound certificate is not what is tested).
     */
    static String send(int port, String from, List<String> to, String message, String mailParams, boolean startTls)
            throws IOException {
        return send(port, from, to, message, mailParams, "", startTls);
    }

    /** As above, with {@code rcptParams} (for example {@code NOTIFY=SUCCESS}) on every RCPT command. */
    static String send(int port, String from, List<String> to, String message, String mailParams, String rcptParams,
            boolean startTls) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            Socket s = plain;
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            List<String> replies = new ArrayList<>();
            String r = reply(in);
            if (!r.startsWith("220")) {
                return r;
            }
            if (startTls) {
                for (String cmd : List.of("EHLO client.test", "STARTTLS")) {
                    out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    r = reply(in);
                    if (!(r.startsWith("2"))) {
                        return r;
                    }
                }
                s = upgrade(plain);
                in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                out = s.getOutputStream();
            }
            for (String cmd : commands(from, to, mailParams, rcptParams)) {
                out.write((cmd + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                r = reply(in);
                replies.add(r);
                if (!(r.startsWith("2") || r.startsWith("3"))) {
                    return r;
                }
            }
            out.write(dotStuff(message).getBytes(StandardCharsets.UTF_8));
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String done = reply(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return done;
        }
    }

    /** The submitting client's view: any server certificate will do. */
    private static Socket upgrade(Socket plain) throws IOException {
        SSLSocket ssl = (SSLSocket) TrustAnything.clientContext().getSocketFactory()
                .createSocket(plain, "127.0.0.1", plain.getPort(), false);
        ssl.startHandshake();
        return ssl;
    }

    private static List<String> commands(String from, List<String> to, String mailParams, String rcptParams) {
        List<String> cmds = new ArrayList<>();
        cmds.add("EHLO client.test");
        cmds.add("MAIL FROM:<" + from + ">" + (mailParams.isEmpty() ? "" : " " + mailParams));
        to.forEach(t -> cmds.add("RCPT TO:<" + t + ">" + (rcptParams.isEmpty() ? "" : " " + rcptParams)));
        cmds.add("DATA");
        return cmds;
    }

    private static String dotStuff(String message) {
        String m = message.startsWith(".") ? "." + message : message;
        return m.replace("\r\n.", "\r\n..");
    }

    private static String reply(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            sb.append(line).append('\n');
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        return sb.toString().trim();
    }
}
