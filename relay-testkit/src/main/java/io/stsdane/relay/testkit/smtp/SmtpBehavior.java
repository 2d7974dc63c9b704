package io.stsdane.relay.testkit.smtp;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * How a {@link TestSmtpServer} behaves, in the style of OkHttp's {@code SocketPolicy}: one immutable value per
 * scenario, built with {@link #builder()}.
 *
 * @param greeting the greeting line, for example {@code 220 test ESMTP} or {@code 421 4.3.2 busy}
 * @param startTls the server's TLS context; null means STARTTLS is not offered
 * @param injectAfterStartTls bytes sent in the same write right after the {@code 220} reply to STARTTLS (a
 *     STARTTLS injection, CVE-2011-0411 style), or null
 * @param pipelining advertise PIPELINING
 * @param eightBitMime advertise 8BITMIME
 * @param smtpUtf8 advertise SMTPUTF8
 * @param dsn advertise DSN
 * @param requireTls advertise REQUIRETLS (only after STARTTLS, as RFC 8689 says)
 * @param sizeLimit advertise {@code SIZE n}; 0 advertises no SIZE
 * @param authPlain {@code user:password} accepted by AUTH PLAIN (advertised after STARTTLS), or null
 * @param ehloRejected answer EHLO with 502, so clients must fall back to HELO
 * @param dataWithoutRecipients answer DATA with 354 after MAIL even when no RCPT was accepted (a server that
 *     leaves it to the client to check every reply, RFC 2920 §3.1); the final dot then gets a 554
 * @param stall where the server stops answering
 * @param mailReply the reply to MAIL
 * @param rcptReplies reply per recipient address (lower case, without angle brackets); others get
 *     {@code otherRcptReply}
 * @param otherRcptReply the reply to RCPT for an address not in {@code rcptReplies}; by default 250
 * @param dataEndReply the reply to the final dot
 * @param keepData keep the body bytes in {@link ReceivedTransaction}; turn off for very large messages
 * @param dataGate pause in the middle of a body, or null
 * @param handOff receives each completed transaction before the server answers the final dot (to pass the
 *     message on, for example to GreenMail); when it throws, the server answers {@code 451 4.3.0} instead of
 *     {@code dataEndReply}. Null for none. Called from the connection's thread.
 */
public record SmtpBehavior(
        String greeting,
        SSLContext startTls,
        String injectAfterStartTls,
        boolean pipelining,
        boolean eightBitMime,
        boolean smtpUtf8,
        boolean dsn,
        boolean requireTls,
        long sizeLimit,
        String authPlain,
        boolean ehloRejected,
        boolean dataWithoutRecipients,
        Stall stall,
        String mailReply,
        Map<String, String> rcptReplies,
        String otherRcptReply,
        String dataEndReply,
        boolean keepData,
        DataGate dataGate,
        Consumer<ReceivedTransaction> handOff) {

    public SmtpBehavior {
        Objects.requireNonNull(greeting, "greeting");
        Objects.requireNonNull(stall, "stall");
        Objects.requireNonNull(mailReply, "mailReply");
        rcptReplies = Map.copyOf(rcptReplies);
        Objects.requireNonNull(otherRcptReply, "otherRcptReply");
        Objects.requireNonNull(dataEndReply, "dataEndReply");
    }

    /** A plain, well-behaved server: no STARTTLS, no PIPELINING, 8BITMIME. */
    public static SmtpBehavior plain() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.greeting = greeting;
        b.startTls = startTls;
        b.injectAfterStartTls = injectAfterStartTls;
        b.pipelining = pipelining;
        b.eightBitMime = eightBitMime;
        b.smtpUtf8 = smtpUtf8;
        b.dsn = dsn;
        b.requireTls = requireTls;
        b.sizeLimit = sizeLimit;
        b.authPlain = authPlain;
        b.ehloRejected = ehloRejected;
        b.dataWithoutRecipients = dataWithoutRecipients;
        b.stall = stall;
        b.mailReply = mailReply;
        b.rcptReplies.putAll(rcptReplies);
        b.otherRcptReply = otherRcptReply;
        b.dataEndReply = dataEndReply;
        b.keepData = keepData;
        b.dataGate = dataGate;
        b.handOff = handOff;
        return b;
    }

    /** Not thread-safe. */
    public static final class Builder {
        private String greeting = "220 test.invalid ESMTP test server";
        private SSLContext startTls;
        private String injectAfterStartTls;
        private boolean pipelining;
        private boolean eightBitMime = true;
        private boolean smtpUtf8;
        private boolean dsn;
        private boolean requireTls;
        private long sizeLimit;
        private String authPlain;
        private boolean ehloRejected;
        private boolean dataWithoutRecipients;
        private Stall stall = Stall.NONE;
        private String mailReply = "250 2.1.0 sender ok";
        private final Map<String, String> rcptReplies = new TreeMap<>();
        private String otherRcptReply = "250 2.1.5 recipient ok";
        private String dataEndReply = "250 2.0.0 queued";
        private boolean keepData = true;
        private DataGate dataGate;
        private Consumer<ReceivedTransaction> handOff;

        public Builder greeting(String line) {
            this.greeting = line;
            return this;
        }

        public Builder startTls(SSLContext ctx) {
            this.startTls = ctx;
            return this;
        }

        public Builder injectAfterStartTls(String bytes) {
            this.injectAfterStartTls = bytes;
            return this;
        }

        public Builder pipelining(boolean on) {
            this.pipelining = on;
            return this;
        }

        public Builder eightBitMime(boolean on) {
            this.eightBitMime = on;
            return this;
        }

        public Builder smtpUtf8(boolean on) {
            this.smtpUtf8 = on;
            return this;
        }

        public Builder dsn(boolean on) {
            this.dsn = on;
            return this;
        }

        public Builder requireTls(boolean on) {
            this.requireTls = on;
            return this;
        }

        public Builder sizeLimit(long n) {
            this.sizeLimit = n;
            return this;
        }

        public Builder authPlain(String user, String password) {
            this.authPlain = user + ":" + password;
            return this;
        }

        public Builder ehloRejected(boolean on) {
            this.ehloRejected = on;
            return this;
        }

        public Builder dataWithoutRecipients(boolean on) {
            this.dataWithoutRecipients = on;
            return this;
        }

        public Builder stall(Stall s) {
            this.stall = s;
            return this;
        }

        public Builder mailReply(String line) {
            this.mailReply = line;
            return this;
        }

        public Builder rcptReply(String address, String line) {
            rcptReplies.put(address.toLowerCase(Locale.ROOT), line);
            return this;
        }

        /** The reply to RCPT for every address without a reply of its own. */
        public Builder otherRcptReply(String line) {
            this.otherRcptReply = line;
            return this;
        }

        public Builder dataEndReply(String line) {
            this.dataEndReply = line;
            return this;
        }

        public Builder keepData(boolean on) {
            this.keepData = on;
            return this;
        }

        public Builder dataGate(DataGate gate) {
            this.dataGate = gate;
            return this;
        }

        /** Passes each completed transaction on before the final dot is answered (see {@link SmtpBehavior}). */
        public Builder handOff(Consumer<ReceivedTransaction> receiver) {
            this.handOff = receiver;
            return this;
        }

        public SmtpBehavior build() {
            return new SmtpBehavior(greeting, startTls, injectAfterStartTls, pipelining, eightBitMime, smtpUtf8, dsn,
                    requireTls, sizeLimit, authPlain, ehloRejected, dataWithoutRecipients, stall, mailReply, rcptReplies, otherRcptReply,
                    dataEndReply, keepData, dataGate, handOff);
        }
    }
}
