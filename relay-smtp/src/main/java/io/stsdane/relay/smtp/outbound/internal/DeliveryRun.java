package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.delivery.AttemptSecurity;
import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.util.Throwables;
import io.stsdane.relay.smtp.outbound.AddressSelection;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One {@code deliver} call: route, then for each host its policy, then each of its addresses, until one
 * session completes the transaction; otherwise the collected host failures decide the outcome. Immutable
 * inputs, one instance per call; its steps run on DNS and event-loop threads one after another, never at once.
 */
final class DeliveryRun {

    /**
     * What one address attempt produced: outcomes for every recipient, or why the host failed and under which
     * policy and TLS.
     */
    private sealed interface Attempt {
        record Done(List<RecipientOutcome> outcomes) implements Attempt {
        }

        record Failed(HostFailure failure, AttemptSecurity security) implements Attempt {
        }
    }

    private static final int MAX_DIAGNOSTIC = 900;
    /** The outcome kinds as the delivery log names them, in the order of those names. */
    private static final List<RecipientOutcome.Kind> KINDS_BY_NAME = Stream.of(RecipientOutcome.Kind.values())
            .sorted(Comparator.comparing(Enum::name)).toList();
    private static final String[] KIND_NAMES = Stream.of(RecipientOutcome.Kind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

    private final DeliveryParts m;
    private final DeliveryRequest req;
    private final List<Attempt.Failed> failures = new ArrayList<>();

    DeliveryRun(DeliveryParts m, DeliveryRequest req) {
        this.m = m;
        this.req = req;
    }

    CompletableFuture<List<RecipientOutcome>> run() {
        return m.planner().plan(req.domain()).toCompletableFuture().thenCompose(plan -> {
            if (plan instanceof RoutePlanner.Plan.Final f) {
                DeliveryAttempt a = m.log().attempt(req, "-", null, null, null,
                        f.kind().name().toLowerCase(java.util.Locale.ROOT), f.diagnostic(), System.nanoTime());
                return CompletableFuture.completedFuture(all(f.kind(), OutcomeScope.DESTINATION, f.status(),
                        f.diagnostic(), a.security()));
            }
            RoutePlanner.Plan.Hosts hosts = (RoutePlanner.Plan.Hosts) plan;
            List<MxHost> ordered = m.routes().postponeFailed(hosts.hosts(), MxHost::name);
            return tryHost(hosts.policyDomain(), ordered, 0);
        });
    }

    private CompletableFuture<List<RecipientOutcome>> tryHost(String policyDomain, List<MxHost> hosts, int i) {
        if (i == hosts.size()) {
            return CompletableFuture.completedFuture(conclude(policyDomain));
        }
        MxHost host = hosts.get(i);
        long start = System.nanoTime();
        PolicyRequest pr = new PolicyRequest(req.domain(), policyDomain, host.name(), host.mxSecurity(), host.port(),
                host.hostInDns());
        CompletionStage<HostPolicyResolver.Resolution> resolved = ReportPolicy.appliesTo(req, m.options())
                ? CompletableFuture.completedFuture(ReportPolicy.resolution(policyDomain, host.name()))
                : m.policies().resolve(pr);
        return resolved.toCompletableFuture().thenCompose(resolution -> {
            PolicyDecision decision = resolution.decision();
            if (decision instanceof PolicyDecision.TempFail tf) {
                fail(host, null, null, HostFailure.policy(tf.failure(), host.name() + ": " + tf.reason()), start);
                return tryHost(policyDomain, hosts, i + 1);
            }
            TlsPolicy applied = ((PolicyDecision.Apply) decision).policy();
            if (resolution.unreported() != null) {
                m.log().policyUnavailable(applied, host.name(), resolution.unreported());
            }
            RequireTlsRule.Verdict verdict = req.envelope().requireTls()
                    ? m.requireTls().apply(host, applied, resolution.answers())
                    : new RequireTlsRule.Verdict.Send(applied);
            if (verdict instanceof RequireTlsRule.Verdict.Refuse r) {
                fail(host, null, applied, r.failure(), start);
                return tryHost(policyDomain, hosts, i + 1);
            }
            TlsPolicy policy = ((RequireTlsRule.Verdict.Send) verdict).policy();
            return addresses(host, policy).thenCompose(addrs -> {
                if (addrs.isEmpty()) {
                    return tryHost(policyDomain, hosts, i + 1);
                }
                return tryAddress(host, policy, addrs, 0).thenCompose(done -> {
                    if (done != null) {
                        m.routes().succeeded(host.name());
                        return CompletableFuture.completedFuture(done);
                    }
                    m.routes().failed(host.name());
                    return tryHost(policyDomain, hosts, i + 1);
                });
            });
        });
    }

    /** Outcomes when an address completed the transaction, or null when every address failed. */
    private CompletableFuture<List<RecipientOutcome>> tryAddress(MxHost host, TlsPolicy policy,
            List<InetSocketAddress> addrs, int i) {
        if (i == addrs.size()) {
            return CompletableFuture.completedFuture(null);
        }
        Route route = Route.of(host, addrs.get(i), policy);
        return attempt(route).thenCompose(a -> {
            if (a instanceof Attempt.Failed f && f.failure().retryPlaintext()) {
                return attempt(route.plaintextRetry());
            }
            return CompletableFuture.completedFuture(a);
        }).thenCompose(a -> {
            if (a instanceof Attempt.Done d) {
                m.routes().succeeded(key(route));
                return CompletableFuture.completedFuture(d.outcomes());
            }
            failures.add((Attempt.Failed) a);
            m.routes().failed(key(route));
            return tryAddress(host, policy, addrs, i + 1);
        });
    }

    private CompletableFuture<Attempt> attempt(Route route) {
        long start = System.nanoTime();
        SmtpConnection pooled = takePooled(route);
        if (pooled != null) {
            return transaction(pooled, start).thenCompose(a -> {
                // A pooled session the server dropped while idle (a broken session is 4.4.2): once more, fresh.
                if (a instanceof Attempt.Failed f && !pooled.isUsable() && f.failure().status().equals("4.4.2")) {
                    return open(route, System.nanoTime());
                }
                return CompletableFuture.completedFuture(a);
            });
        }
        return open(route, start);
    }

    private CompletableFuture<Attempt> open(Route route, long start) {
        return m.connector().open(route).thenCompose(o -> {
            if (o instanceof SmtpConnector.Opened.Failed f) {
                m.log().tlsSession(route, f.tls(), f.failure().tlsFailure(), f.failure().diagnostic());
                DeliveryAttempt a = m.log().attempt(req, route.host().name(), route, route.policy(), f.tls(),
                        "failed", f.failure().diagnostic(), start);
                return CompletableFuture.completedFuture(new Attempt.Failed(f.failure(), a.security()));
            }
            SmtpConnection c = ((SmtpConnector.Opened.Ready) o).connection();
            m.log().tlsSession(route, c.tls(), null, null);
            return transaction(c, start);
        });
    }

    private CompletableFuture<Attempt> transaction(SmtpConnection c, long start) {
        Route route = c.route();
        return c.onLoop(() -> new MailTransaction(c, req, m.options().timeouts()).run()).handle((r, e) -> {
            if (e != null) {
                c.abort();
                HostFailure f = HostFailure.duringTransaction("4.4.2", SmtpConnector.describe(route) + ": "
                        + Throwables.rootMessage(e));
                return new Attempt.Failed(f, log(c, f.diagnostic(), "failed", start));
            }
            if (r instanceof MailTransaction.Result.Refused refused) {
                c.quit();
                return new Attempt.Failed(refused.failure(),
                        log(c, refused.failure().diagnostic(), "refused", start));
            }
            MailTransaction.Result.Done done = (MailTransaction.Result.Done) r;
            if (done.reusable()) {
                m.pool().offer(c);
            } else {
                c.quit();
            }
            String reply = done.last() != null ? done.last().diagnostic() : done.outcomes().get(0).diagnostic();
            AttemptSecurity security = log(c, reply, summary(done.outcomes()), start);
            return new Attempt.Done(done.outcomes().stream().map(o -> o.withSecurity(security)).toList());
        });
    }

    /** Logs one attempt on {@code c}; returns its policy and TLS. */
    private AttemptSecurity log(SmtpConnection c, String reply, String outcome, long start) {
        return m.log().attempt(req, c.route().host().name(), c.route(), c.route().policy(), c.tls(), outcome,
                reply, start).security();
    }

    /**
     * A pooled session for this route, after checking its peer chain against this message's policy once more
     * (a new TLSA RRset or MTA-STS policy must not be bypassed through an old session).
     */
    private SmtpConnection takePooled(Route route) {
        SmtpConnection c;
        while ((c = m.pool().take(route.poolKey())) != null) {
            TlsInfo tls = c.tls();
            if (tls == null) {
                return c;
            }
            var v = route.policy().verifier().verify(tls.peerChain());
            if (v.passed() || !route.policy().level().requiresAuthentication()) {
                c.tls(new TlsInfo(tls.protocol(), tls.cipher(), tls.peerChain(), v));
                return c;
            }
            c.quit();
        }
        return null;
    }

    /**
     * The host's addresses to try, IPv6 first, recently failed ones last, as {@link AddressSelection} decides;
     * each address left out as a loop or by {@code delivery.denied-networks} gets a log line; empty after
     * recording why the host cannot be used.
     */
    private CompletableFuture<List<InetSocketAddress>> addresses(MxHost host, TlsPolicy policy) {
        long start = System.nanoTime();
        CompletionStage<DnsResult<InetAddress>> answer = host.resolved() != null
                ? CompletableFuture.completedFuture(host.resolved()) : m.dns().addresses(host.name());
        return answer.toCompletableFuture().handle((r, e) -> {
            AddressSelection.Result selected = e != null
                    ? new AddressSelection.Result.Unusable("4.4.3", "address lookup for " + host.name()
                            + " failed: " + Throwables.rootMessage(e), false, false, List.of())
                    : m.addresses().select(req.domain(), host.name(), host.role(), host.port(), r);
            for (AddressSelection.Skipped s : selected.skipped()) {
                if (s.cause() == AddressSelection.Cause.FAMILY) {
                    continue; // routine with delivery.source-address, not worth a line per address
                }
                m.log().attempt(req, host.name(), Route.of(host, new InetSocketAddress(s.address(), host.port()),
                        policy), policy, null, "skipped", s.reason(), start);
            }
            if (selected instanceof AddressSelection.Result.Unusable u) {
                fail(host, null, policy, HostFailure.noAddress(u), start);
                return List.of();
            }
            return m.routes().postponeFailed(((AddressSelection.Result.Usable) selected).addresses(),
                    DeliveryRun::key);
        });
    }

    private void fail(MxHost host, Route route, TlsPolicy policy, HostFailure f, long start) {
        failures.add(new Attempt.Failed(f,
                m.log().attempt(req, host.name(), route, policy, null, "failed", f.diagnostic(), start).security()));
    }

    /**
     * The outcome when no host took the message; it carries the policy and TLS of the attempt whose failure gave
     * its status. Every host was tried: unless one failed for this message only, the destination failed.
     */
    private List<RecipientOutcome> conclude(String policyDomain) {
        OutcomeScope scope = failures.stream().anyMatch(f -> f.failure().messageOnly())
                ? OutcomeScope.MESSAGE : OutcomeScope.DESTINATION;
        String diag = failures.stream().map(f -> f.failure().diagnostic()).distinct()
                .collect(Collectors.joining("; "));
        if (diag.length() > MAX_DIAGNOSTIC) {
            diag = diag.substring(0, MAX_DIAGNOSTIC) + "...";
        }
        if (failures.stream().allMatch(f -> f.failure().permanent())) {
            Attempt.Failed first = failures.get(0);
            return all(RecipientOutcome.Kind.BOUNCED, scope, first.failure().status(), diag, first.security());
        }
        if (failures.stream().allMatch(f -> f.failure().policyFailure() || f.failure().permanent())) {
            // RFC 8461 §5.1: before deferring because of the policy, sources may refresh it.
            m.policies().destinationFailed(policyDomain);
            Attempt.Failed last = failures.get(failures.size() - 1);
            return all(RecipientOutcome.Kind.DEFERRED, scope, "4.7.5", diag, last.security());
        }
        Attempt.Failed last = failures.stream().filter(f -> !f.failure().permanent()).reduce((a, b) -> b)
                .orElseThrow();
        return all(RecipientOutcome.Kind.DEFERRED, scope, last.failure().status(), diag, last.security());
    }

    private List<RecipientOutcome> all(RecipientOutcome.Kind kind, OutcomeScope scope, String status, String diag,
            AttemptSecurity security) {
        return req.recipients().stream()
                .map(r -> new RecipientOutcome(r, kind, scope, status, diag, "", false, security)).toList();
    }

    private static String key(Route r) {
        return key(r.address());
    }

    private static String key(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + "/" + a.getPort();
    }

    /** Recipients per outcome kind, such as {@code deferred:1,delivered:2}. */
    private static String summary(List<RecipientOutcome> outcomes) {
        int[] counts = new int[KIND_NAMES.length];
        for (RecipientOutcome o : outcomes) {
            counts[o.kind().ordinal()]++;
        }
        StringBuilder sb = new StringBuilder(24);
        for (RecipientOutcome.Kind k : KINDS_BY_NAME) {
            if (counts[k.ordinal()] > 0) {
                sb.append(sb.isEmpty() ? "" : ",").append(KIND_NAMES[k.ordinal()]).append(':')
                        .append(counts[k.ordinal()]);
            }
        }
        return sb.toString();
    }

}
