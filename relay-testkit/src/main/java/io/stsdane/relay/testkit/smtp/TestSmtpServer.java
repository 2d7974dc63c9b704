package io.stsdane.relay.testkit.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server on a loopback port that behaves as its {@link SmtpBehavior} says, well or badly, and
 * records what clients did: transactions, commands (and which arrived in one network read), connections, TLS and
 * SNI, pipelined commands.
 *
 * <p>Plain blocking sockets, one daemon thread per connection. Thread-safe; close it after the test.
 *
 * <pre>{@code
 * try (TestSmtpServer mx = TestSmtpServer.start(SmtpBehavior.builder().startTls(cert.serverContext()).build())) {
 *     ... deliver to 127.0.0.1:mx.port() ...
 *     assertThat(mx.transactions()).singleElement().matches(ReceivedTransaction::tls);
 * }
 * }</pre>
 */
public final class TestSmtpServer implements AutoCloseable {

    private static final int MAX_COMMAND = 4096;
    private static final int MAX_DATA_LINE = 1 << 20;

    private final ServerSocket listener;
    private final SmtpBehavior behavior;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-smtp-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<ReceivedTransaction> transactions = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<List<String>> commandsByRead = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger pipelined = new AtomicInteger();
    private volatile boolean closed;

    private TestSmtpServer(ServerSocket listener, SmtpBehavior behavior) {
        this.listener = listener;
        this.behavior = behavior;
    }

    /** Starts on 127.0.0.1 and an ephemeral port. */
    public static TestSmtpServer start(SmtpBehavior behavior) {
        return start(InetAddress.getLoopbackAddress(), behavior);
    }

    public static TestSmtpServer start(InetAddress bind, SmtpBehavior behavior) {
        return start(bind, 0, behavior);
    }

    /**
     * Starts on {@code bind:port} ({@code 0} for an ephemeral port). Several servers on different loopback
     * addresses and one port stand for several MX hosts of a client that always uses the same port.
     */
    public static TestSmtpServer start(InetAddress bind, int port, SmtpBehavior behavior) {
        try {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(bind, port));
            TestSmtpServer s = new TestSmtpServer(ss, behavior);
            s.threads.execute(s::acceptLoop);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    public InetAddress address() {
        return listener.getInetAddress();
    }

    /** Completed transactions, in order. */
    public List<ReceivedTransaction> transactions() {
        return List.copyOf(transactions);
    }

    /** Every command line received, in order (AUTH lines included verbatim). */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /**
     * Every command line received, grouped by the network read that completed it: one group per read of the
     * socket (of the TLS stream after STARTTLS), in order. A client that pipelines (RFC 2920) writes a whole
     * group of commands at once, and on loopback one read takes it whole; a client that waits for each reply
     * shows one command per group.
     */
    public List<List<String>> commandsByRead() {
        return List.copyOf(commandsByRead);
    }

    /** Whether any command with this verb (MAIL, RCPT, DATA, STARTTLS...) was received. */
    public boolean received(String verb) {
        String v = verb.toUpperCase(Locale.ROOT);
        return commands.stream().anyMatch(c -> c.toUpperCase(Locale.ROOT).startsWith(v));
    }

    /** How many TCP connections were accepted. */
    public int connections() {
        return connections.get();
    }

    /**
     * How many MAIL, RCPT or DATA commands arrived while the next command was already buffered, that is, sent
     * before this one was answered (RFC 2920 pipelining). Zero for a client that waits for each reply.
     */
    public int pipelinedCommands() {
        return pipelined.get();
    }

    /** Waits until {@code n} transactions completed. */
    public boolean awaitTransactions(int n, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (transactions.size() < n) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                int n = connections.incrementAndGet();
                open.add(s);
                threads.execute(() -> {
                    try {
                        new Session(s, n).run();
                    } catch (IOException | InterruptedException e) {
                        // The client went away or the test ended: nothing to record.
                    } finally {
                        open.remove(s);
                        closeQuietly(s);
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One connection. Confined to its thread. */
    private final class Session {
        private Socket socket;
        private ReadCounter reads;
        private InputStream in;
        private OutputStream out;
        private final int number;
        private boolean tls;
        private String sni;
        private String mailFrom;
        private final List<String> accepted = new ArrayList<>();

        Session(Socket s, int number) throws IOException {
            this.socket = s;
            this.reads = new ReadCounter(s.getInputStream());
            this.in = new BufferedInputStream(reads);
            this.out = s.getOutputStream();
            this.number = number;
        }

        void run() throws IOException, InterruptedException {
            if (behavior.stall() == Stall.GREETING) {
                stallUntilClosed();
                return;
            }
            reply(behavior.greeting());
            if (!behavior.greeting().startsWith("2")) {
                return;
            }
            while (true) {
                byte[] raw = readLine(in, MAX_COMMAND);
                if (raw == null) {
                    return;
                }
                String line = new String(raw, StandardCharsets.UTF_8).replaceAll("\r?\n$", "");
                commands.add(line);
                recordRead(line);
                String verb = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line)
                        .toUpperCase(Locale.ROOT);
                if ((verb.equals("MAIL") || verb.equals("RCPT") || verb.equals("DATA")) && in.available() > 0) {
                    pipelined.incrementAndGet();
                }
                if (!handle(verb, line)) {
                    return;
                }
            }
        }

        private List<String> lastReadGroup;
        private int lastRead = -1;

        /** Adds {@code line} to the group of the read that completed it (a new group for a new read). */
        private void recordRead(String line) {
            if (reads.count() != lastRead || lastReadGroup == null) {
                lastRead = reads.count();
                lastReadGroup = new CopyOnWriteArrayList<>();
                commandsByRead.add(lastReadGroup);
            }
            lastReadGroup.add(line);
        }

        /** Returns false when the session is over. */
        private boolean handle(String verb, String line) throws IOException, InterruptedException {
            switch (verb) {
                case "EHLO" -> {
                    if (behavior.ehloRejected()) {
                        reply("502 5.5.1 EHLO not implemented");
                    } else {
                        reply(ehloReply());
                    }
                }
                case "HELO" -> reply("250 test.invalid");
                case "STARTTLS" -> {
                    if (behavior.startTls() == null || tls) {
                        reply("502 5.5.1 STARTTLS not available");
                    } else {
                        return startTls();
                    }
                }
                case "AUTH" -> reply(auth(line));
                case "MAIL" -> {
                    if (behavior.stall() == Stall.MAIL) {
                        stallUntilClosed();
                        return false;
                    }
                    reply(behavior.mailReply());
                    if (behavior.mailReply().startsWith("2")) {
                        mailFrom = line.substring(5);
                        accepted.clear();
                    }
                }
                case "RCPT" -> {
                    String args = line.substring(5);
                    String r = behavior.rcptReplies().getOrDefault(address(args), behavior.otherRcptReply());
                    reply(r);
                    if (r.startsWith("2") && mailFrom != null) {
                        accepted.add(args);
                    }
                }
                case "DATA" -> {
                    if (behavior.dataWithoutRecipients() && mailFrom != null) {
                        reply("354 end data with <CRLF>.<CRLF>");
                        return readData();
                    }
                    if (mailFrom == null || accepted.isEmpty()) {
                        reply("554 5.5.1 no valid recipients");
                    } else {
                        reply("354 end data with <CRLF>.<CRLF>");
                        return readData();
                    }
                }
                case "RSET" -> {
                    mailFrom = null;
                    accepted.clear();
                    reply("250 2.0.0 reset");
                }
                case "NOOP" -> reply("250 2.0.0 ok");
                case "QUIT" -> {
                    reply("221 2.0.0 bye");
                    return false;
                }
                default -> reply("500 5.5.2 unknown command");
            }
            return true;
        }

        private String ehloReply() {
            List<String> ext = new ArrayList<>();
            ext.add("test.invalid greets you");
            if (behavior.pipelining()) {
                ext.add("PIPELINING");
            }
            if (behavior.sizeLimit() > 0) {
                ext.add("SIZE " + behavior.sizeLimit());
            }
            if (behavior.eightBitMime()) {
                ext.add("8BITMIME");
            }
            if (behavior.smtpUtf8()) {
                ext.add("SMTPUTF8");
            }
            if (behavior.dsn()) {
                ext.add("DSN");
            }
            if (behavior.startTls() != null && !tls) {
                ext.add("STARTTLS");
            }
            if (tls && behavior.requireTls()) {
                ext.add("REQUIRETLS");
            }
            if (tls && behavior.authPlain() != null) {
                ext.add("AUTH PLAIN");
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < ext.size(); i++) {
                sb.append("250").append(i == ext.size() - 1 ? ' ' : '-').append(ext.get(i));
                if (i < ext.size() - 1) {
                    sb.append("\r\n");
                }
            }
            return sb.toString();
        }

        private boolean startTls() throws IOException {
            String inject = behavior.injectAfterStartTls();
            out.write(("220 2.0.0 ready to start TLS\r\n" + (inject == null ? "" : inject))
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SSLSocket ssl = (SSLSocket) behavior.startTls().getSocketFactory().createSocket(socket, null, true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            socket = ssl;
            reads = new ReadCounter(ssl.getInputStream());
            in = new BufferedInputStream(reads);
            lastReadGroup = null;
            out = ssl.getOutputStream();
            tls = true;
            for (SNIServerName n : ((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    sni = h.getAsciiName();
                }
            }
            mailFrom = null;
            accepted.clear();
            return true;
        }

        private String auth(String line) {
            String[] w = line.split(" ");
            if (!tls || behavior.authPlain() == null || w.length < 3 || !w[1].equalsIgnoreCase("PLAIN")) {
                return "504 5.5.4 unsupported";
            }
            String decoded = new String(Base64.getDecoder().decode(w[2]), StandardCharsets.UTF_8);
            String[] parts = decoded.split("\0", -1);
            boolean ok = parts.length == 3 && (parts[1] + ":" + parts[2]).equals(behavior.authPlain());
            return ok ? "235 2.7.0 authenticated" : "535 5.7.8 bad credentials";
        }

        private boolean readData() throws IOException, InterruptedException {
            if (behavior.stall() == Stall.DATA_BODY) {
                stallUntilClosed();
                return false;
            }
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            MessageDigest sha = sha256();
            long size = 0;
            long read = 0;
            DataGate gate = behavior.dataGate();
            while (true) {
                byte[] l = readLine(in, MAX_DATA_LINE);
                if (l == null) {
                    return false;
                }
                read += l.length;
                if (gate != null && read >= gate.afterBytes() && read - l.length < gate.afterBytes()) {
                    gate.pause();
                }
                if (l.length == 3 && l[0] == '.' && l[1] == '\r' && l[2] == '\n') {
                    break;
                }
                int skip = l[0] == '.' ? 1 : 0;
                sha.update(l, skip, l.length - skip);
                size += l.length - skip;
                if (behavior.keepData()) {
                    raw.write(l);
                    data.write(l, skip, l.length - skip);
                }
            }
            if (behavior.stall() == Stall.DATA_END) {
                record(raw, data, size, sha);
                stallUntilClosed();
                return false;
            }
            // Recorded (and handed on) before the reply, so a client that saw the reply finds it recorded.
            ReceivedTransaction t = record(raw, data, size, sha);
            reply(accepted.isEmpty() ? "554 5.5.1 no valid recipients, nothing delivered" : handOff(t));
            mailFrom = null;
            accepted.clear();
            return true;
        }

        private ReceivedTransaction record(ByteArrayOutputStream raw, ByteArrayOutputStream data, long size,
                MessageDigest sha) {
            ReceivedTransaction t = new ReceivedTransaction(mailFrom, accepted, raw.toByteArray(), data.toByteArray(),
                    size, HexFormat.of().formatHex(sha.digest()), tls, sni, number);
            transactions.add(t);
            return t;
        }

        /** The reply to the final dot: {@code dataEndReply}, or 451 when the hand-off failed. */
        private String handOff(ReceivedTransaction t) {
            if (behavior.handOff() == null) {
                return behavior.dataEndReply();
            }
            try {
                behavior.handOff().accept(t);
                return behavior.dataEndReply();
            } catch (RuntimeException e) {
                return "451 4.3.0 could not pass the message on: " + String.valueOf(e.getMessage()).replaceAll("[\\r\\n]", " ");
            }
        }

        private void reply(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private void stallUntilClosed() throws InterruptedException {
            while (!closed && !socket.isClosed()) {
                Thread.sleep(20);
            }
        }
    }

    /** Counts the reads that returned data from the stream it wraps. Confined to its session's thread. */
    private static final class ReadCounter extends FilterInputStream {
        private int count;

        ReadCounter(InputStream in) {
            super(in);
        }

        int count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count++;
            }
            return n;
        }
    }

    /** One line including its LF, or null at end of stream; fails past {@code max} octets. */
    private static byte[] readLine(InputStream in, int max) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (c == '\n') {
                return b.toByteArray();
            }
            if (b.size() > max) {
                throw new IOException("line longer than " + max);
            }
        }
        return null;
    }

    private static String address(String rcptArgs) {
        int lt = rcptArgs.indexOf('<');
        int gt = rcptArgs.indexOf('>');
        return lt >= 0 && gt > lt ? rcptArgs.substring(lt + 1, gt).toLowerCase(Locale.ROOT) : rcptArgs;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }
}
