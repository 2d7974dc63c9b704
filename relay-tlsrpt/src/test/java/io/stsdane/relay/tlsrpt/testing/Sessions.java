package io.stsdane.relay.tlsrpt.testing;

import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsSessionResult;
import java.util.List;

/** Session results as the delivery engine reports them. */
public final class Sessions {

    private Sessions() {
    }

    /** The TLSA record every {@link #dane} policy carries, in presentation format. */
    public static final String TLSA = "3 1 1 " + "ab".repeat(32);

    /** The MTA-STS policy text, one line per element, that every {@link #sts} policy carries. */
    public static List<String> stsLines(String domain) {
        return List.of("version: STSv1", "mode: enforce", "mx: mx1." + domain, "mx  :  *.Backup." + domain,
                "max_age: 86400");
    }

    public static TlsPolicy sts(String domain) {
        return new TlsPolicy(TlsLevel.VERIFY, PolicyOrigin.MTA_STS, domain, "mx1." + domain, PeerVerifier.ACCEPT_ANY,
                "mta-sts enforce: mx *." + domain, stsLines(domain));
    }

    public static TlsPolicy dane(String domain, String mx) {
        return new TlsPolicy(TlsLevel.DANE, PolicyOrigin.DANE, domain, mx, PeerVerifier.ACCEPT_ANY,
                "dane: " + TLSA + " at _25._tcp." + mx, List.of(TLSA));
    }

    public static TlsSessionResult ok(TlsPolicy policy, String mx) {
        return new TlsSessionResult(policy, mx, "192.0.2.10", null, "");
    }

    public static TlsSessionResult failed(TlsPolicy policy, String mx, TlsFailure failure) {
        return new TlsSessionResult(policy, mx, "192.0.2.20", failure, failure.resultType() + " at " + mx);
    }
}
