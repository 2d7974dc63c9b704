package io.stsdane.relay.junit;

import com.icegreen.greenmail.base.GreenMailOperations;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.util.Require;
import io.stsdane.relay.junit.internal.DeliveryRecords;
import io.stsdane.relay.junit.internal.Destinations;
import io.stsdane.relay.junit.internal.SmtpHandOff;
import io.stsdane.relay.junit.internal.TempDirectory;
import io.stsdane.relay.server.RelayApplication;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.server.wiring.ModuleComponents;
import io.stsdane.relay.testkit.config.RelayConfigYaml;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.world.TestInternet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The real relay, wired as {@code relay run} wires it, running in this JVM inside a small world of its own: a
 * DNSSEC-signed DNS server that is the relay's only resolver, a web PKI root that is the relay's only trusted CA,
 * an MTA-STS policy host, and for every destination domain an MX server behaving as its {@link Posture} says.
 * Every MX accepts mail over STARTTLS where its posture offers it and hands each accepted message on (to
 * GreenMail, see {@link Builder#deliverTo(GreenMailOperations)}) before it acknowledges it.
 *
 * <p>How each message left is read from the relay's own delivery records ({@link #awaitDelivered},
 * {@link #awaitDeferred}, {@link #awaitBounced}, {@link #awaitDsn}), not from its logs. Everything listens on
 * free loopback ports and everything written goes to a temporary directory removed by {@link #close()}, so
 * worlds in parallel test classes do not meet.
 *
 * <pre>{@code
 * try (RelayWorld world = RelayWorld.builder()
 *         .destination("dane.example", Posture.DANE)
 *         .deliverTo(greenMail)
 *         .start()) {
 *     app.sendWelcomeMail("alice@dane.example", world.smtpHost(), world.smtpPort());
 *     world.awaitDelivered("alice@dane.example").assertPolicy(PolicyOrigin.DANE).assertVerifiedTls();
 * }
 * }</pre>
 *
 * <p>Thread-safe: the awaits may be called from any thread. Needs Linux (MX hosts listen on
 * {@code 127.0.x.y} addresses besides {@code 127.0.0.1}).
 */
public final class RelayWorld implements AutoCloseable {

    private final TempDirectory dir;
    private final TestInternet internet;
    private final DeliveryRecords records;
    private final RelayApplication relay;
    private final Duration patience;

    private RelayWorld(TempDirectory dir, TestInternet internet, DeliveryRecords records, RelayApplication relay,
            Duration patience) {
        this.dir = dir;
        this.internet = internet;
        this.records = records;
        this.relay = relay;
        this.patience = patience;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the relay accepts mail (SMTP, no authentication, from loopback): {@code 127.0.0.1}. */
    public String smtpHost() {
        return relay.smtpAddress().getAddress().getHostAddress();
    }

    /** The port of the relay's SMTP listener. */
    public int smtpPort() {
        return relay.smtpAddress().getPort();
    }

    /** The world's temporary directory (the relay's spool and configuration are in it). */
    public Path directory() {
        return dir.path();
    }

    /**
     * Waits for the relay to deliver a message to {@code recipient} (the next delivery not returned before) and
     * returns how. Fails when the relay bounces it instead, or when nothing is delivered in time.
     */
    public Delivery awaitDelivered(String recipient) {
        return await(recipient, RecipientOutcome.Kind.DELIVERED);
    }

    /** Waits for the relay to defer a message to {@code recipient} (to retry it later) and returns how. */
    public Delivery awaitDeferred(String recipient) {
        return await(recipient, RecipientOutcome.Kind.DEFERRED);
    }

    /** Waits for the relay to bounce a message to {@code recipient} (fail it for good) and returns how. */
    public Delivery awaitBounced(String recipient) {
        return await(recipient, RecipientOutcome.Kind.BOUNCED);
    }

    /**
     * Waits for a DSN about {@code recipient}: {@code failed} after a bounce, {@code delayed} once a deferred
     * message has waited one retry interval. The DSN goes to the sender's domain; declare that domain as a
     * destination too and the DSN also arrives where the rest of the mail does.
     */
    public Dsn awaitDsn(String recipient) {
        try {
            return records.awaitDsn(recipient, patience);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a DSN about " + recipient, e);
        }
    }

    /** Every delivery run's outcome for {@code recipient} so far, oldest first. */
    public List<Delivery> deliveries(String recipient) {
        return records.deliveries(recipient);
    }

    /**
     * Drops every queued message (without DSNs) and forgets what was recorded: what one test left behind does not
     * reach the next. A delivery already under way may still finish. {@link RelayExtension} calls it after each
     * test when the world is shared by a class.
     */
    public void reset() {
        QueueAdminPort queue = relay.queueAdmin();
        queue.list().forEach(m -> queue.delete(new QueueId(m.id())));
        records.clear();
    }

    private Delivery await(String recipient, RecipientOutcome.Kind kind) {
        try {
            return records.await(recipient, d -> d.kind() == kind, kind.name().toLowerCase(Locale.ROOT), patience);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + recipient, e);
        }
    }

    /** Stops the relay and every server of the world, then removes the temporary directory. */
    @Override
    public void close() {
        relay.close();
        internet.close();
        dir.close();
    }

    /** Describes a world; {@link #start()} builds and starts it. Not thread-safe. */
    public static final class Builder {

        private final Map<String, Posture> destinations = new LinkedHashMap<>();
        private Consumer<ReceivedTransaction> handOff = t -> { };
        private Duration patience = Duration.ofSeconds(30);
        private Duration retry = Duration.ofMillis(500);

        private Builder() {
        }

        /**
         * A destination domain (two labels or more, for example {@code dane.example}) with its posture; its one
         * MX host is {@code mx.<domain>}.
         */
        public Builder destination(String domain, Posture posture) {
            String d = domain.toLowerCase(Locale.ROOT);
            if (destinations.putIfAbsent(d, Objects.requireNonNull(posture, "posture")) != null) {
                throw new IllegalArgumentException(domain + " is already a destination");
            }
            return this;
        }

        /**
         * Every message an MX of the world accepts is handed on to {@code greenMail}'s SMTP server, before the MX
         * acknowledges it to the relay; so when the relay records a delivery, GreenMail already has the message.
         * GreenMail's port is looked up per message, so a GreenMail restarted per test is fine.
         */
        public Builder deliverTo(GreenMailOperations greenMail) {
            return deliverTo(() -> greenMail.getSmtp().getBindTo(), () -> greenMail.getSmtp().getPort());
        }

        /** As {@link #deliverTo(GreenMailOperations)}, to any plain SMTP server. */
        public Builder deliverTo(Supplier<String> host, IntSupplier port) {
            this.handOff = new SmtpHandOff(host, port)::accept;
            return this;
        }

        /** How long an await waits before it fails; 30 seconds unless set. */
        public Builder patience(Duration wait) {
            this.patience = Require.positive(wait, "patience");
            return this;
        }

        /**
         * The relay's wait before each retry ({@code delivery.retry-schedule}), which is also when it sends a
         * {@code delayed} DSN ({@code delivery.delay-warning}); 500 ms unless set.
         */
        public Builder retryEvery(Duration wait) {
            this.retry = Require.positive(wait, "retryEvery");
            return this;
        }

        /** Builds the world and starts the relay in it; close the world when done. */
        public RelayWorld start() {
            TempDirectory dir = TempDirectory.create();
            TestInternet internet = null;
            try {
                internet = TestInternet.start(stsDomains());
                Destinations published = new Destinations(internet, handOff);
                destinations.forEach(published::publish);
                String retryText = retry.toMillis() + "ms";
                String yaml = RelayConfigYaml.onLoopback(freePort(), dir.path().resolve("spool"), freePort())
                        .append(internet.relayYaml(dir.path()))
                        .key("delivery", "retry-schedule", "[" + retryText + "]")
                        .key("delivery", "delay-warning", retryText)
                        .key("delivery", "connect-timeout", "5s")
                        .key("tls-reporting", "enabled", "false")
                        .text();
                Path config = Files.writeString(dir.path().resolve("relay.yaml"), yaml);
                DeliveryRecords records = new DeliveryRecords();
                // The relay as relay run assembles it, with every delivery attempt told to the records.
                RelayApplication relay = RelayApplication.start(config, new ModuleComponents(records));
                return new RelayWorld(dir, internet, records, relay, patience);
            } catch (Exception e) {
                if (internet != null) {
                    internet.close();
                }
                dir.close();
                throw e instanceof RuntimeException r ? r
                        : new IllegalStateException("the relay world did not start: " + e.getMessage(), e);
            }
        }

        /** The MTA-STS destinations: the policy host's certificate names {@code mta-sts.<domain>} of each. */
        private List<String> stsDomains() {
            return destinations.entrySet().stream().filter(e -> Destinations.usesMtaSts(e.getValue()))
                    .map(Map.Entry::getKey).toList();
        }

        private static int freePort() {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
