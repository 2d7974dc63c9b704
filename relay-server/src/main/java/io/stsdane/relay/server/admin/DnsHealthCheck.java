package io.stsdane.relay.server.admin;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ready when the relay's resolver answers an MX query for a probe name with a usable answer. A BOGUS or
 * INDETERMINATE answer counts as down: with broken validation (a wrong clock, missing trust anchors) every
 * DANE domain would be deferred, which the operator must see. Thread-safe.
 */
public final class DnsHealthCheck implements HealthCheck {

    /** A signed zone run by IANA with a stable null MX (RFC 7505): a cheap, validatable answer. */
    public static final String DEFAULT_PROBE = "example.com";

    private final DnsResolver resolver;
    private final String probe;
    private final Duration timeout;

    public DnsHealthCheck(DnsResolver resolver, String probe, Duration timeout) {
        this.resolver = resolver;
        this.probe = probe;
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
            r = resolver.mx(probe).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Status.down("no answer for MX " + probe + " within " + timeout.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.down("interrupted");
        } catch (ExecutionException e) {
            return Status.down("MX " + probe + ": " + e.getCause());
        }
        if (r.status() == DnsStatus.ERROR || r.security().isFailure()) {
            return Status.down("MX " + probe + ": " + r.status() + " " + r.security() + " " + r.reason());
        }
        return Status.up("MX " + probe + ": " + r.status() + " " + r.security());
    }
}
