package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.dkim.DkimDomain;
import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.dkim.DkimRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * For {@code relay dkim check}: the key record of each configured selector, looked up through the relay's own
 * resolver, compared with the configured key. Stateless apart from its resolver; used from one thread.
 */
final class DkimKeyCheck {

    /**
     * One selector's verdict.
     *
     * @param dnssec the DNSSEC state of the TXT answer ({@code secure}, {@code insecure}, {@code bogus},
     *     {@code indeterminate})
     * @param status {@code match}, {@code different-key}, {@code different-type}, {@code revoked}, {@code invalid},
     *     {@code missing} or {@code lookup-failed}
     */
    record Selector(String selector, String algorithm, String name, String dnssec, String status, String detail) {

        boolean matches() {
            return status.equals("match");
        }
    }

    private final DnsResolver resolver;
    private final StepTimeout step;

    DkimKeyCheck(DnsResolver resolver, StepTimeout step) {
        this.resolver = resolver;
        this.step = step;
    }

    List<Selector> run(DkimDomain domain) {
        List<Selector> out = new ArrayList<>();
        for (DkimKey key : domain.keys()) {
            String name = DkimRecord.name(key.selector(), domain.domain());
            DnsResult<String> answer = step.await(resolver.txt(name),
                    () -> DnsResult.error(name, DnsSecurity.INDETERMINATE, step.late()));
            out.add(judge(key, name, answer));
        }
        return out;
    }

    private static Selector judge(DkimKey key, String name, DnsResult<String> answer) {
        String dnssec = answer.security().name().toLowerCase(Locale.ROOT);
        String algorithm = key.algorithm().tag();
        if (!answer.isUsable()) {
            return new Selector(key.selector(), algorithm, name, dnssec, "lookup-failed", answer.reason());
        }
        if (answer.status() != DnsStatus.NOERROR) {
            return new Selector(key.selector(), algorithm, name, dnssec, "missing", "publish: " + key.record());
        }
        // RFC 6376 §3.6.2.2: with several records a verifier may use any one; the best verdict is reported.
        DkimRecord.Match best = answer.records().stream().map(txt -> compare(txt, key))
                .min(Comparator.naturalOrder()).orElse(DkimRecord.Match.INVALID);
        String status = best.name().toLowerCase(Locale.ROOT).replace('_', '-');
        String detail = switch (best) {
            case MATCH -> answer.records().size() == 1 ? "" : answer.records().size() + " TXT records, one matches";
            case REVOKED -> "p= is empty: the key is revoked";
            default -> "publish: " + key.record();
        };
        return new Selector(key.selector(), algorithm, name, dnssec, status, detail);
    }

    private static DkimRecord.Match compare(String txt, DkimKey key) {
        try {
            return DkimRecord.parse(txt).compare(key);
        } catch (IllegalArgumentException e) {
            return DkimRecord.Match.INVALID;
        }
    }
}
