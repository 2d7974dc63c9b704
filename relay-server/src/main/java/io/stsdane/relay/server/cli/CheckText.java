package io.stsdane.relay.server.cli;

import io.stsdane.relay.server.cli.CheckReport.Decision;
import io.stsdane.relay.server.cli.CheckReport.Host;
import java.io.PrintWriter;
import java.util.Locale;

/** The human-readable form of a {@link CheckReport}. Stateless. */
final class CheckText {

    private CheckText() {
    }

    static void print(PrintWriter out, CheckReport r) {
        out.printf("Domain %s%n", r.domain());
        CheckReport.SmartHostRoute smart = r.smartHost();
        if (smart != null) {
            out.printf("Route: smart host %s (delivery.smarthost) takes all mail; the MX, MTA-STS, TLS-RPT and DANE"
                    + " facts of %s below are information only, not used for delivery%n", smart.smartHost(),
                    r.domain());
        }
        CheckReport.Mx mx = r.mx();
        out.printf("MX: %s, DNSSEC %s%s%n", mx.status(), lower(mx.security()),
                mx.cnameChain().isEmpty() ? "" : " (via CNAME " + String.join(" -> ", mx.cnameChain()) + ")");
        mx.records().forEach(e -> out.printf("  %5d %s%n", e.preference(), e.host()));
        if (!mx.reason().isEmpty()) {
            out.printf("  %s%n", mx.reason());
        }
        printMtaSts(out, r.mtaSts());
        printTlsRpt(out, r.domain(), r.tlsRpt());
        for (Host h : r.hosts()) {
            out.printf("MX host %s%s%s%n", h.host(), h.preference() == null ? " (implicit MX)" : " (preference "
                    + h.preference() + ")", h.used() ? "" : ", information only: mail goes to the smart host");
            printHost(out, h);
        }
        if (smart != null) {
            out.printf("Smart host %s%s, MTA-STS policy domain %s%n", smart.smartHost(),
                    smart.auth() ? " with AUTH (delivery.smarthost-auth)" : "", smart.policyDomain());
            if (smart.mtaSts() != null) {
                printMtaSts(out, smart.mtaSts());
                printTlsRpt(out, smart.policyDomain(), smart.tlsRpt());
            }
            printHost(out, smart.host());
        }
        r.notes().forEach(n -> out.printf("Note: %s%n", n));
        out.printf("%s: %s%n", r.secure() ? "SECURE" : "NOT SECURE", r.verdict());
    }

    private static void printTlsRpt(PrintWriter out, String domain, CheckReport.TlsRpt t) {
        out.printf("TLS-RPT (_smtp._tls.%s): %s%s%n", domain, t.detail(),
                t.rua().isEmpty() ? "" : " " + String.join(", ", t.rua()));
    }

    private static void printMtaSts(PrintWriter out, CheckReport.MtaSts s) {
        if (!s.enabled()) {
            out.printf("MTA-STS: %s%n", s.detail());
            return;
        }
        out.printf("MTA-STS: %s%s: %s%n", lower(s.origin()), s.mode() == null ? "" : ", mode " + s.mode(), s.detail());
        s.txtRecords().forEach(txt -> out.printf("  TXT %s%n", txt));
        if (s.mode() != null) {
            out.printf("  policy id %s, max_age %ds, mx %s, fetched %s%n", s.announcedId(), s.maxAgeSeconds(),
                    String.join(" ", s.mx()), s.fetchedAt());
        }
        if (s.failure() != null) {
            out.printf("  fetch failed (%s)%n", s.failure());
        }
    }

    private static void printHost(PrintWriter out, Host h) {
        CheckReport.Addresses a = h.addresses();
        out.printf("  addresses: %s, DNSSEC %s%s%n", a.addresses().isEmpty() ? a.status() : String.join(" ",
                a.addresses()), lower(a.security()), a.reason().isEmpty() ? "" : " (" + a.reason() + ")");
        a.skipped().forEach(skipped -> out.printf("    not connected to: %s%n", skipped));
        if (a.unusable() != null) {
            out.printf("  no usable address: %s%s%n", a.unusable(), a.permanent() ? " (final)" : "");
        }
        CheckReport.Dane d = h.dane();
        out.printf("  DANE: %s: %s%n", lower(d.kind()).replace('_', '-'), d.reason());
        d.records().forEach(rec -> out.printf("    TLSA %s%s%n", rec, d.usableRecords().contains(rec) ? ""
                : " (unusable for SMTP)"));
        for (Decision dec : h.decisions()) {
            out.printf("  %-8s %s: %s%n", dec.source(), dec.decision(), dec.detail());
        }
        if (!h.used()) {
            return;
        }
        if (h.effective() != null) {
            CheckReport.Policy p = h.effective();
            out.printf("  effective policy: %s/%s, SNI %s%s: %s%n", p.source(), p.level(), p.sni(),
                    p.authenticated() ? ", authenticated" : ", NOT authenticated", p.description());
        } else {
            out.printf("  effective policy: none, delivery to this host would be deferred: %s%n", h.tempFail());
        }
        for (StartTlsProbe.Result c : h.connections()) {
            if (!c.handshakeDone()) {
                out.printf("  connect %s: FAILED: %s%n", c.address(), c.error());
                continue;
            }
            out.printf("  connect %s: %s %s, certificate %s: %s%n", c.address(), c.protocol(), c.cipher(),
                    c.verified() ? "passes the policy" : "FAILS the policy", c.verification());
            for (StartTlsProbe.CertificateInfo cert : c.chain()) {
                out.printf("    %s%n      issuer %s, valid %s to %s, SPKI SHA-256 %s%n", cert.subject(), cert.issuer(),
                        cert.notBefore(), cert.notAfter(), cert.spkiSha256());
            }
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
