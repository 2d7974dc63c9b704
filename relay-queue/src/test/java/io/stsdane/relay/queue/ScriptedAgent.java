package io.stsdane.relay.queue;

import io.stsdane.relay.core.delivery.DeliveryAgent;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Recipient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A real delivery agent for tests: reads the whole content stream like an SMTP client would, keeps the
 * content (or, for big messages, its SHA-256) of each delivery, and answers with scripted outcomes.
 */
public final class ScriptedAgent implements DeliveryAgent {

    /** One call of {@link #deliver}. */
    public record Delivery(DeliveryRequest request, byte[] content, String sha256, long length) {
        public String text() {
            return new String(content, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final BiFunction<DeliveryRequest, Recipient, RecipientOutcome> script;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final int keepUpTo;

    public ScriptedAgent(BiFunction<DeliveryRequest, Recipient, RecipientOutcome> script) {
        this(script, 1 << 20);
    }

    public ScriptedAgent(BiFunction<DeliveryRequest, Recipient, RecipientOutcome> script, int keepUpTo) {
        this.script = script;
        this.keepUpTo = keepUpTo;
    }

    public static ScriptedAgent deliveringAll() {
        return new ScriptedAgent((req, r) -> RecipientOutcome.delivered(r, "250 2.0.0 ok", "mx." + r.domain()));
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(DeliveryRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            deliveries.add(read(request));
            return request.recipients().stream().map(r -> script.apply(request, r)).toList();
        });
    }

    private Delivery read(DeliveryRequest request) {
        try (InputStream in = request.content().open()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buf = new byte[16 * 1024];
            long length = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
                if (length + n <= keepUpTo) {
                    kept.write(buf, 0, n);
                }
                length += n;
            }
            return new Delivery(request, kept.toByteArray(), HexFormat.of().formatHex(sha.digest()), length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** Deliveries whose envelope sender is {@code <>}: the DSNs the queue sent. */
    public List<Delivery> dsns() {
        return deliveries.stream().filter(d -> d.request().envelope().isBounce()).toList();
    }
}
