package io.stsdane.relay.dkim.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.queue.DkimSignature;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Submitter;
import io.stsdane.relay.dkim.DkimDomain;
import io.stsdane.relay.dkim.DkimIntake;
import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.dkim.DkimSettings;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a message on its way into the queue, so that every delivery attempt sends the same signed octets. The
 * header block is read and held (bounded); the body streams to an unlinked {@link SpillFile} while its hash is
 * computed; the signatures then go to the queue in front of the header block and the body read back from disk.
 * No body is ever held in memory. Messages of unconfigured domains, and of senders who may not use the domain,
 * pass through unchanged. Thread-safe: each call works on its own message, with the keys in force when it began
 * ({@link #reload} replaces them whole).
 */
public final class SigningIntake implements DkimIntake {

    private static final Logger LOG = LoggerFactory.getLogger(SigningIntake.class);
    /** The same bound the listener uses when it looks at the header block. */
    static final int MAX_HEADER = 256 * 1024;

    private final MessageIntake queue;
    private final Path spillDir;
    private final Clock clock;
    private final MeterRegistry registry;
    private final AtomicReference<Keys> keys = new AtomicReference<>();

    /** The settings in force and what is built from them, replaced together. */
    private record Keys(DkimSettings settings, Signer signer, DkimMetrics metrics) {
    }

    /**
     * @param queue where signed (and unsigned) messages go
     * @param spillDir where bodies wait while their hash is computed: on the spool's disk, not in a RAM file system
     */
    public SigningIntake(MessageIntake queue, DkimSettings settings, Path spillDir, Clock clock,
            MeterRegistry registry) {
        this.queue = queue;
        this.spillDir = spillDir;
        this.clock = clock;
        this.registry = registry;
        reload(settings);
        try {
            int left = SpillFile.removeLeftovers(spillDir);
            if (left > 0) {
                LOG.info("DKIM: removed {} spill file(s) left by an earlier crash in {}", left, spillDir);
            }
        } catch (IOException e) {
            LOG.warn("DKIM: cannot clean {} of spill files left by an earlier crash: {}", spillDir, e.toString());
        }
    }

    @Override
    public void reload(DkimSettings settings) {
        keys.set(new Keys(settings, new Signer(settings), new DkimMetrics(registry, settings)));
    }

    @Override
    public QueueId nextId() {
        return queue.nextId();
    }

    @Override
    public void checkCapacity() throws IntakeException {
        queue.checkCapacity();
    }

    /** Without a submitter (mail the relay makes itself): nothing is signed. */
    @Override
    public void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        accept(id, envelope, Submitter.UNKNOWN, content);
    }

    @Override
    public void accept(QueueId id, Envelope envelope, Submitter submitter, InputStream content)
            throws IntakeException {
        InputStream in = new BufferedInputStream(content, 64 * 1024);
        HeaderBlock header;
        try {
            header = HeaderBlock.read(in, MAX_HEADER);
        } catch (IOException e) {
            throw readFailure(e);
        }
        Keys k = keys.get();
        Optional<List<HeaderField>> fields = header.fields();
        Optional<DkimDomain> domain = fields.flatMap(AuthorDomain::of).flatMap(k.settings()::domainFor);
        if (domain.isPresent() && !DkimSettings.mayUse(domain.get(), submitter)) {
            LOG.info("message {}: not DKIM-signed for {}: {} may not send as it", id, domain.get().domain(),
                    describe(submitter));
            k.metrics().countFailure(domain.get().domain(), DkimMetrics.NOT_ALLOWED);
            domain = Optional.empty();
        }
        InputStream headerBytes = new ByteArrayInputStream(header.bytes());
        if (domain.isEmpty()) {
            queue.accept(id, envelope, submitter, new SequenceInputStream(headerBytes, in));
            return;
        }
        sign(k, id, envelope, submitter, domain.get(), fields.orElseThrow(), headerBytes, in);
    }

    private void sign(Keys k, QueueId id, Envelope envelope, Submitter submitter, DkimDomain domain,
            List<HeaderField> fields, InputStream headerBytes, InputStream body) throws IntakeException {
        try (SpillFile spill = SpillFile.create(spillDir)) {
            BodyHasher hasher = new BodyHasher(k.settings().canonicalization().relaxedBody());
            try {
                spill.write(body, hasher);
            } catch (IOException e) {
                // The client's stream failed (size limit, bare LF, gone) or the disk did: nothing kept.
                throw readFailure(e);
            }
            byte[] bodyHash = hasher.digest();
            Instant now = clock.instant();
            StringBuilder signatures = new StringBuilder();
            List<DkimSignature> names = new ArrayList<>();
            for (DkimKey key : domain.keys()) {
                signatures.append(k.signer().sign(domain.domain(), key, fields, bodyHash, now));
                names.add(new DkimSignature(domain.domain(), key.selector(), key.algorithm().tag()));
            }
            queue.accept(id, envelope.withDkimSignatures(names), submitter, new SequenceInputStream(
                    Collections.enumeration(List.of(
                            new ByteArrayInputStream(signatures.toString().getBytes(StandardCharsets.US_ASCII)),
                            headerBytes, spill.input()))));
            domain.keys().forEach(key -> k.metrics().countSigned(domain.domain(), key));
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("message {}: DKIM signing for {} failed, answering 451: {}", id, domain.domain(), e.toString());
            k.metrics().countFailure(domain.domain(), DkimMetrics.ERROR);
            throw new IntakeException(451, "4.3.0", "Local error in processing: signing failed", e);
        }
    }

    private static IntakeException readFailure(IOException e) {
        return new IntakeException(451, "4.3.0", "Local error in processing: " + e.getMessage(), e);
    }

    private static String describe(Submitter s) {
        return s.authenticatedUser().map(u -> "authenticated user " + u).orElse("a client outside the allowed"
                + " networks");
    }
}
