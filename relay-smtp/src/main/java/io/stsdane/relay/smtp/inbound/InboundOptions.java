package io.stsdane.relay.smtp.inbound;

import io.stsdane.relay.core.net.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Everything the submission listener needs to know: a plain value, its parts parsed and checked where they came
 * from (the configuration loader); construction checks only what no single field can say (nulls, the TLS files
 * as a pair, the SPF address). Immutable; build it with {@link #builder()} whose defaults are listed on each
 * setter.
 *
 * @param listen address and port to bind (port 0 picks a free port; see {@link InboundServer#port()})
 * @param hostname the name the listener greets with and writes into Received headers
 * @param allowedNetworks the networks that may relay without AUTH
 * @param maxMessageSize the largest message accepted, in octets, as received (before the relay adds headers);
 *     at most {@link Integer#MAX_VALUE}
 * @param maxRecipients the most RCPT commands accepted per message
 * @param tlsContext the server TLS context for STARTTLS, or null (then see {@code tlsCertificate})
 * @param tlsCertificate PEM certificate chain file, leaf first, or null; used when {@code tlsContext} is null
 * @param tlsKey PEM PKCS#8 private key file ({@code BEGIN PRIVATE KEY}), or null
 * @param usersFile {@code user:bcrypt-hash} lines as {@code htpasswd -B} writes them, or null for no AUTH
 * @param authRequireTls offer and accept AUTH only after STARTTLS
 * @param maxSessions concurrent SMTP sessions; the next one is answered {@code 421 4.7.0}
 * @param maxSessionsPerIp concurrent SMTP sessions from one client address, beyond which it is answered
 *     {@code 421 4.7.0}, so that one address cannot take every session
 * @param perIpLimitExceptions the networks exempt from {@code maxSessionsPerIp} (by default the allowed networks,
 *     as Postfix exempts {@code $mynetworks} from its anvil limits)
 * @param commandTimeout the deadline for a whole command line (and for each exchange inside a command, such as
 *     an AUTH response), from the moment the listener waits for it; a client sending one byte at a time is cut
 *     off at the deadline as surely as an idle one; like every duration here, below 24 days (the listener
 *     counts in int milliseconds)
 * @param dataTimeout how long to wait for the next block of message data, and the base of the DATA deadline
 * @param dataMinRate octets per second: a DATA transfer must end within {@code dataTimeout} plus its size
 *     divided by this rate (Postfix's {@code smtpd_min_data_rate})
 * @param drainTimeout how long {@link InboundServer#stop()} waits for sessions in the middle of a command (a
 *     DATA being received or queued) to finish and get their reply before cutting them; zero cuts at once
 * @param maxBadCommands erroneous commands tolerated per session before {@code 421} and close
 * @param maxAuthFailures failed AUTH attempts per client address within {@code authFailureWindow} before
 *     AUTH answers {@code 454 4.7.0}
 * @param authFailureWindow the window of {@code maxAuthFailures}
 * @param authFailureDelay how long a failed AUTH waits before its {@code 535}, holding one of
 *     {@code authParallelChecks} slots, so that guessing is slow from one address and from all of them together
 * @param authParallelChecks password checks running at once in the whole listener (further AUTH commands wait)
 * @param bareLineEndings reject or normalize bare CR / LF in DATA
 * @param addMessageId add a Message-ID header when the message has none
 * @param addDate add a Date header when the message has none
 * @param spfMode SPF self-check at MAIL FROM
 * @param spfEgressIp the address the relay sends from, checked against the sender domain's SPF record (the
 *     check asks the relay's resolver, given to {@link InboundServer})
 */
public record InboundOptions(
        InetSocketAddress listen,
        String hostname,
        List<Cidr> allowedNetworks,
        long maxMessageSize,
        int maxRecipients,
        SSLContext tlsContext,
        Path tlsCertificate,
        Path tlsKey,
        Path usersFile,
        boolean authRequireTls,
        int maxSessions,
        int maxSessionsPerIp,
        List<Cidr> perIpLimitExceptions,
        Duration commandTimeout,
        Duration dataTimeout,
        long dataMinRate,
        Duration drainTimeout,
        int maxBadCommands,
        int maxAuthFailures,
        Duration authFailureWindow,
        Duration authFailureDelay,
        int authParallelChecks,
        BareLineEndings bareLineEndings,
        boolean addMessageId,
        boolean addDate,
        SpfMode spfMode,
        InetAddress spfEgressIp) {

    public InboundOptions {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(hostname, "hostname");
        allowedNetworks = List.copyOf(allowedNetworks);
        perIpLimitExceptions = List.copyOf(perIpLimitExceptions);
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(dataTimeout, "dataTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(authFailureWindow, "authFailureWindow");
        Objects.requireNonNull(authFailureDelay, "authFailureDelay");
        Objects.requireNonNull(bareLineEndings, "bareLineEndings");
        Objects.requireNonNull(spfMode, "spfMode");
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tlsCertificate and tlsKey must be given together");
        }
        if (tlsContext != null && tlsCertificate != null) {
            throw new IllegalArgumentException("give either tlsContext or tlsCertificate and tlsKey, not both");
        }
        if (spfMode != SpfMode.OFF && spfEgressIp == null) {
            throw new IllegalArgumentException("spfEgressIp is required when spfMode is " + spfMode);
        }
    }

    /** Whether STARTTLS is offered. */
    public boolean tlsConfigured() {
        return tlsContext != null || tlsCertificate != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects options; every setter may be called at most usefully once (the last call wins). */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 587);
        private String hostname;
        private final List<Cidr> allowedNetworks = new ArrayList<>();
        private long maxMessageSize = 35L * 1024 * 1024;
        private int maxRecipients = 100;
        private SSLContext tlsContext;
        private Path tlsCertificate;
        private Path tlsKey;
        private Path usersFile;
        private boolean authRequireTls = true;
        private int maxSessions = 500;
        private int maxSessionsPerIp = 50;
        private List<Cidr> perIpLimitExceptions;
        private Duration commandTimeout = Duration.ofMinutes(5);
        private Duration dataTimeout = Duration.ofMinutes(3);
        private long dataMinRate = 1024;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private int maxBadCommands = 10;
        private int maxAuthFailures = 5;
        private Duration authFailureWindow = Duration.ofMinutes(15);
        private Duration authFailureDelay = Duration.ofSeconds(1);
        private int authParallelChecks = 4;
        private BareLineEndings bareLineEndings = BareLineEndings.REJECT;
        private boolean addMessageId = true;
        private boolean addDate = true;
        private SpfMode spfMode = SpfMode.OFF;
        private InetAddress spfEgressIp;

        /** Default: loopback, port 587. */
        public Builder listen(InetSocketAddress listen) {
            this.listen = listen;
            return this;
        }

        /** Required: the name the listener greets with. */
        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /** Default: none (every client must AUTH). */
        public Builder allowedNetworks(List<Cidr> networks) {
            allowedNetworks.clear();
            allowedNetworks.addAll(networks);
            return this;
        }

        /** Default: 35 MiB. */
        public Builder maxMessageSize(long octets) {
            this.maxMessageSize = octets;
            return this;
        }

        /** Default: 100. */
        public Builder maxRecipients(int maxRecipients) {
            this.maxRecipients = maxRecipients;
            return this;
        }

        /** Default: no STARTTLS. */
        public Builder tls(SSLContext context) {
            this.tlsContext = context;
            return this;
        }

        /** PEM chain and PKCS#8 key files; default: no STARTTLS. */
        public Builder tls(Path certificateChain, Path privateKey) {
            this.tlsCertificate = certificateChain;
            this.tlsKey = privateKey;
            return this;
        }

        /** Default: no AUTH. */
        public Builder usersFile(Path usersFile) {
            this.usersFile = usersFile;
            return this;
        }

        /** Default: true. */
        public Builder authRequireTls(boolean requireTls) {
            this.authRequireTls = requireTls;
            return this;
        }

        /** Default: 500. */
        public Builder maxSessions(int maxSessions) {
            this.maxSessions = maxSessions;
            return this;
        }

        /** Default: 50 (an application server's 50 parallel sessions are never refused). */
        public Builder maxSessionsPerIp(int maxSessionsPerIp) {
            this.maxSessionsPerIp = maxSessionsPerIp;
            return this;
        }

        /** Default: the allowed networks. */
        public Builder perIpLimitExceptions(List<Cidr> networks) {
            this.perIpLimitExceptions = List.copyOf(networks);
            return this;
        }

        /** Default: 5 minutes (RFC 5321 §4.5.3.2.7 server timeout), as a deadline for the whole line. */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = timeout;
            return this;
        }

        /** Default: 3 minutes per data block (RFC 5321 §4.5.3.2.5). */
        public Builder dataTimeout(Duration timeout) {
            this.dataTimeout = timeout;
            return this;
        }

        /** Default: 1024 octets per second. */
        public Builder dataMinRate(long octetsPerSecond) {
            this.dataMinRate = octetsPerSecond;
            return this;
        }

        /** Default: 10 seconds. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        /** Default: 10. */
        public Builder maxBadCommands(int maxBadCommands) {
            this.maxBadCommands = maxBadCommands;
            return this;
        }

        /** Default: 5 failures per 15 minutes. */
        public Builder authFailureLimit(int maxFailures, Duration window) {
            this.maxAuthFailures = maxFailures;
            this.authFailureWindow = window;
            return this;
        }

        /** Default: 1 second, 4 checks at once. */
        public Builder authFailureDelay(Duration delay, int parallelChecks) {
            this.authFailureDelay = delay;
            this.authParallelChecks = parallelChecks;
            return this;
        }

        /** Default: {@link BareLineEndings#REJECT}. */
        public Builder bareLineEndings(BareLineEndings policy) {
            this.bareLineEndings = policy;
            return this;
        }

        /** Default: true. */
        public Builder addMessageId(boolean add) {
            this.addMessageId = add;
            return this;
        }

        /** Default: true. */
        public Builder addDate(boolean add) {
            this.addDate = add;
            return this;
        }

        /** Default: {@link SpfMode#OFF}; {@code egressIp} is required otherwise. */
        public Builder spfCheck(SpfMode mode, InetAddress egressIp) {
            this.spfMode = mode;
            this.spfEgressIp = egressIp;
            return this;
        }

        public InboundOptions build() {
            return new InboundOptions(listen, hostname, allowedNetworks, maxMessageSize, maxRecipients, tlsContext,
                    tlsCertificate, tlsKey, usersFile, authRequireTls, maxSessions, maxSessionsPerIp,
                    perIpLimitExceptions == null ? allowedNetworks : perIpLimitExceptions, commandTimeout,
                    dataTimeout, dataMinRate, drainTimeout, maxBadCommands, maxAuthFailures, authFailureWindow,
                    authFailureDelay, authParallelChecks, bareLineEndings, addMessageId, addDate, spfMode, spfEgressIp);
        }
    }
}
