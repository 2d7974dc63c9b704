package io.stsdane.relay.junit;

import com.icegreen.greenmail.base.GreenMailOperations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RelayWorld} as a JUnit 5 extension. In a {@code static} field it starts once before the class's
 * tests and stops after them, and {@link RelayWorld#reset() resets} after each test (queue emptied, records
 * forgotten); in an instance field it starts and stops around each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static GreenMailExtension mailboxes = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());
 *
 * @RegisterExtension
 * static RelayExtension relay = RelayExtension.create()
 *         .destination("dane.example", Posture.DANE)
 *         .destination("broken.example", Posture.MTA_STS_ENFORCE_WRONG_CERT)
 *         .deliverTo(mailboxes);
 *
 * @Test
 * void welcomeMailLeavesOverDane() {
 *     app.sendWelcomeMail("alice@dane.example", relay.smtpHost(), relay.smtpPort());
 *     relay.awaitDelivered("alice@dane.example").assertPolicy(PolicyOrigin.DANE).assertVerifiedTls();
 *     assertThat(mailboxes.getReceivedMessagesForDomain("dane.example")).hasSize(1);
 * }
 * }</pre>
 *
 * <p>The world's methods are available while it runs (from the first callback to the last). Not for
 * concurrent test methods within one class when the world is shared; test classes in parallel are fine.
 */
public final class RelayExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    private final RelayWorld.Builder builder = RelayWorld.builder();
    private RelayWorld world;
    private boolean perClass;

    private RelayExtension() {
    }

    public static RelayExtension create() {
        return new RelayExtension();
    }

    /** See {@link RelayWorld.Builder#destination}. */
    public RelayExtension destination(String domain, Posture posture) {
        builder.destination(domain, posture);
        return this;
    }

    /** See {@link RelayWorld.Builder#deliverTo(GreenMailOperations)}. */
    public RelayExtension deliverTo(GreenMailOperations greenMail) {
        builder.deliverTo(greenMail);
        return this;
    }

    /** See {@link RelayWorld.Builder#deliverTo(Supplier, IntSupplier)}. */
    public RelayExtension deliverTo(Supplier<String> host, IntSupplier port) {
        builder.deliverTo(host, port);
        return this;
    }

    /** See {@link RelayWorld.Builder#patience}. */
    public RelayExtension patience(Duration wait) {
        builder.patience(wait);
        return this;
    }

    /** See {@link RelayWorld.Builder#retryEvery}. */
    public RelayExtension retryEvery(Duration wait) {
        builder.retryEvery(wait);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        world = builder.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (world == null) {
            world = builder.start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perClass) {
            world.reset();
        } else {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void close() {
        if (world != null) {
            world.close();
            world = null;
        }
    }

    /** The running world. */
    public RelayWorld world() {
        return Objects.requireNonNull(world, "the relay world runs only while the tests do");
    }

    /** See {@link RelayWorld#smtpHost()}. */
    public String smtpHost() {
        return world().smtpHost();
    }

    /** See {@link RelayWorld#smtpPort()}. */
    public int smtpPort() {
        return world().smtpPort();
    }

    /** See {@link RelayWorld#awaitDelivered}. */
    public Delivery awaitDelivered(String recipient) {
        return world().awaitDelivered(recipient);
    }

    /** See {@link RelayWorld#awaitDeferred}. */
    public Delivery awaitDeferred(String recipient) {
        return world().awaitDeferred(recipient);
    }

    /** See {@link RelayWorld#awaitBounced}. */
    public Delivery awaitBounced(String recipient) {
        return world().awaitBounced(recipient);
    }

    /** See {@link RelayWorld#awaitDsn}. */
    public Dsn awaitDsn(String recipient) {
        return world().awaitDsn(recipient);
    }

    /** See {@link RelayWorld#deliveries}. */
    public List<Delivery> deliveries(String recipient) {
        return world().deliveries(recipient);
    }
}
