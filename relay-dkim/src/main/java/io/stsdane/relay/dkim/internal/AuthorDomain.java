package io.stsdane.relay.dkim.internal;

import io.stsdane.relay.core.util.DomainNames;
import java.util.List;
import java.util.Optional;

/**
 * The author domain of a message: the domain of the single address in its single From field (RFC 5322 §3.6.2),
 * the domain DMARC aligns a signature with (RFC 7489 §3.1). Stateless.
 */
final class AuthorDomain {

    private AuthorDomain() {
    }

    /** Empty when there is no From field or more than one, or its address has no usable domain. */
    static Optional<String> of(List<HeaderField> fields) {
        List<HeaderField> from = fields.stream().filter(f -> f.name().equals("from")).toList();
        if (from.size() != 1) {
            return Optional.empty();
        }
        String value = withoutQuotedStrings(from.get(0).value()).replaceAll("\\([^)]*\\)", "");
        if (value.indexOf(',') >= 0) {
            return Optional.empty(); // several mailboxes: no single author domain to sign for
        }
        int open = value.lastIndexOf('<');
        String address = open >= 0 && value.indexOf('>', open) > open
                ? value.substring(open + 1, value.indexOf('>', open)) : value;
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(DomainNames.canonical(address.substring(at + 1).strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A display name in quotes may hold anything, an {@code @} or {@code <} included. */
    private static String withoutQuotedStrings(String s) {
        return s.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    }
}
