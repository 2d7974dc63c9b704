package io.stsdane.relay.server.admin;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.util.Futures;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Ready when the relay's resolver answers an MX query for a probe name with a usable answer: any answer counts,
 * a negative one (NXDOMAIN, NODATA) included, since the question is whether DNS answers, not what. A BOGUS or
 * INDETERMINATE answer counts as down: with broken validation (a wrong clock, missing trust anchors) every
 * DANE domain would be deferred, which the operator must see. Thread-safe.
 */
public final class DnsHealthCheck implements HealthCheck {

    /**
     * The root zone: every resolver can answer for it (a signed NODATA for MX), including one that serves only
     * an internal namespace or a test fixture, and validating it exercises the trust anchor itself.
     */
    public static final String DEFAULT_PROBE = "";

    private final DnsResolver resolver;
    private final String probe;
    private final String label;
    private final Duration timeout;

    /** @param probe the name to ask MX of; the empty string is the root zone */
    public DnsHealthCheck(DnsResolver resolver, String probe, Duration timeout) {
        this.resolver = resolver;
        this.probe = probe;
        this.label = probe.isEmpty() ? "." : probe;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public Status check() {
        DnsResult<MxRecord> r;
        try {
            r = Futures.await(resolver.mx(probe), timeout);
        } catch (TimeoutException e) {
            return Status.down("MX " + label + ": " + e.getMessage());
        } catch (CompletionException e) {
            return Status.down("MX " + label + ": " + e.getCause());
        }
        if (r.status() == DnsStatus.ERROR || r.security().isFailure()) {
            return Status.down("MX " + label + ": " + r.status() + " " + r.security() + " " + r.reason());
        }
        return Status.up("MX " + label + ": " + r.status() + " " + r.security());
    }
}
