package io.stsdane.relay.dkim;

import io.stsdane.relay.core.queue.Submitter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the relay signs and how (the {@code dkim:} configuration, validated).
 *
 * @param domains the signing domains by canonical name; empty signs nothing
 * @param headers the header fields to sign when present, lower case (RFC 6376 §5.4); {@code from} is always
 *     signed, once more than it occurs, so that no From can be added later (§8.15 over-signing)
 * @param canonicalization the {@code c=} of every signature
 * @param expiration when set, signatures carry {@code x=} this long after {@code t=}
 *
 * <p>Immutable and thread-safe.
 */
public record DkimSettings(Map<String, DkimDomain> domains, List<String> headers, Canonicalization canonicalization,
        Optional<Duration> expiration) {

    /** RFC 6376 §5.4.1's recommended fields plus the MIME fields that decide how the body is read. */
    public static final List<String> DEFAULT_HEADERS = List.of("from", "reply-to", "subject", "date", "to", "cc",
            "resent-date", "resent-from", "resent-to", "resent-cc", "in-reply-to", "references", "list-id",
            "list-help", "list-unsubscribe", "list-unsubscribe-post", "list-subscribe", "list-post", "list-owner",
            "list-archive", "message-id", "mime-version", "content-type", "content-transfer-encoding",
            "content-id", "content-description", "sender");

    public DkimSettings {
        domains = Map.copyOf(domains);
        headers = headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).distinct().toList();
        if (!headers.contains("from")) {
            headers = Stream.concat(Stream.of("from"), headers.stream()).toList();
        }
        Objects.requireNonNull(canonicalization, "canonicalization");
        expiration = expiration == null ? Optional.empty() : expiration;
    }

    /** Signs nothing. */
    public static DkimSettings none() {
        return new DkimSettings(Map.of(), DEFAULT_HEADERS, Canonicalization.RELAXED, Optional.empty());
    }

    public boolean isEmpty() {
        return domains.isEmpty();
    }

    /**
     * The configured domain that signs mail whose author ({@code From:}) domain is {@code authorDomain}: the
     * domain itself, else its closest configured parent (a signature by the organisational domain aligns under
     * DMARC's relaxed alignment, RFC 7489 §3.1.1).
     */
    public Optional<DkimDomain> domainFor(String authorDomain) {
        String d = authorDomain.toLowerCase(Locale.ROOT);
        while (true) {
            DkimDomain found = domains.get(d);
            if (found != null) {
                return Optional.of(found);
            }
            int dot = d.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            d = d.substring(dot + 1);
        }
    }

    /**
     * Whether {@code submitter} may have mail signed as {@code domain}: a client of the allowed networks for any
     * configured domain, an authenticated user only for its own domains ({@link DkimDomain#allows}).
     */
    public static boolean mayUse(DkimDomain domain, Submitter submitter) {
        return submitter.allowedNetwork() || submitter.authenticatedUser().map(domain::allows).orElse(false);
    }
}
