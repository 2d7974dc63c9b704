package io.stsdane.relay.junit.internal;

import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Passes a message a world's MX received on to a plain SMTP server (GreenMail) with the same envelope and the
 * same bytes: MAIL FROM and RCPT TO carry only the addresses (no ESMTP parameters: GreenMail need not know
 * them), and the body goes as it arrived, still dot-stuffed. GreenMail refuses the null reverse-path
 * {@code <>} of DSNs, so those go with {@value #NULL_SENDER_STAND_IN} instead. The target is looked up on each message, since
 * GreenMail may restart on another port between tests. Thread-safe.
 */
public final class SmtpHandOff {

    private static final int TIMEOUT_MILLIS = 30_000;

    /** The reverse-path used for a message that came with the null reverse-path (a DSN). */
    public static final String NULL_SENDER_STAND_IN = "<mailer-daemon@relay-world.invalid>";

    private final Supplier<String> host;
    private final IntSupplier port;

    public SmtpHandOff(Supplier<String> host, IntSupplier port) {
        this.host = host;
        this.port = port;
    }

    /** Hands {@code t} on; throws when the target refused it or could not be reached. */
    public void accept(ReceivedTransaction t) {
        try (Socket s = new Socket(host.get(), port.getAsInt())) {
            s.setSoTimeout(TIMEOUT_MILLIS);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            expect(in, "2");
            List<String> commands = new ArrayList<>();
            commands.add("EHLO relay-world.invalid");
            String sender = path(t.mailFrom());
            commands.add("MAIL FROM:" + (sender.equals("<>") ? NULL_SENDER_STAND_IN : sender));
            t.recipients().forEach(r -> commands.add("RCPT TO:" + path(r)));
            for (String c : commands) {
                send(out, c + "\r\n");
                expect(in, "2");
            }
            send(out, "DATA\r\n");
            expect(in, "3");
            out.write(t.rawData());
            send(out, ".\r\n");
            expect(in, "2");
            send(out, "QUIT\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException("handing the message on to " + host.get() + ":" + port.getAsInt() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The {@code <address>} of a MAIL or RCPT argument such as {@code FROM:<a@b> SIZE=12}. */
    private static String path(String argument) {
        int open = argument.indexOf('<');
        int close = argument.indexOf('>', open);
        if (open < 0 || close < 0) {
            throw new IllegalArgumentException("no <path> in " + argument);
        }
        return argument.substring(open, close + 1);
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one (possibly multi-line) reply and insists on its first digit. */
    private static void expect(BufferedReader in, String digit) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(digit)) {
            throw new IOException("refused: " + line);
        }
    }
}
