package io.stsdane.relay.dns.internal;

import io.stsdane.relay.core.util.Throwables;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Sits between dnsjava's {@code ValidatingResolver} and the servers ({@link ServerFailover}, which has tried
 * every server by then), and turns a response that answers nothing (SERVFAIL, REFUSED, FORMERR, NOTIMP...) into a
 * failed stage carrying a {@link ServerFailure}.
 *
 * <p>Why: the validator classifies every response that is neither an answer nor a denial as "subtype UNKNOWN",
 * which it reports as bogus (EDE 6), and a DS or DNSKEY query answered with SERVFAIL as a broken chain of trust
 * (EDE 6 or 9). Bogus means data that should be signed failed validation (RFC 4035 §4.3, RFC 4033 §5); a server
 * that failed sent no data at all. The validator sets CD on every query, so an upstream SERVFAIL is never the
 * upstream's own DNSSEC verdict either. A failed stage is what the validator already gets from a timeout: it
 * caches no key state from it, so a lookup after the server recovers validates again, and it mostly passes it on
 * as a failed lookup, which the relay reports as ERROR with INDETERMINATE security (deferred exactly like BOGUS).
 * Where the validator drops the failure instead (a key lookup while checking a negative answer), the failure
 * recorded in {@link QueryFailures} keeps the answer from reading as INSECURE: nothing becomes SECURE or INSECURE
 * this way.
 *
 * <p>Thread-safe if the wrapped resolver is; the setters configure the wrapped resolver.
 */
final class ServerFailureGuard implements Resolver {

    /** The server answered, but with an error instead of data or a denial. */
    static final class ServerFailure extends IOException {
        private static final long serialVersionUID = 1L;

        ServerFailure(String message) {
            super(message);
        }
    }

    private final Resolver servers;

    ServerFailureGuard(Resolver servers) {
        this.servers = servers;
    }

    /**
     * The default {@code sendAsync(Message)} lands here too, with the common pool. When {@code executor} is a
     * {@link QueryFailures}, every failure is recorded in it as well.
     */
    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        return servers.sendAsync(query, executor).handle((response, error) -> {
            Throwable failure = error != null ? error : check(response);
            if (failure == null) {
                return CompletableFuture.completedFuture(response);
            }
            if (executor instanceof QueryFailures failures) {
                failures.record(failure instanceof ServerFailure ? failure.getMessage()
                        : "no answer to " + describe(query.getQuestion()) + ": "
                                + Throwables.unwrap(failure).getMessage());
            }
            return CompletableFuture.<Message>failedFuture(failure);
        }).thenCompose(f -> f);
    }

    /** A ServerFailure for a response that answers nothing, else null. */
    private static ServerFailure check(Message response) {
        if (!ServerFailover.isServerFailure(response)) {
            return null;
        }
        // SecurityClassifier.reason lists the server's own Extended DNS Errors (RFC 8914), e.g. 22 No Reachable
        // Authority, which tell the operator where the failure comes from.
        return new ServerFailure("the DNS server failed to answer " + describe(response.getQuestion()) + ": "
                + SecurityClassifier.reason(response) + " (a server failure, not a DNSSEC validation failure)");
    }

    private static String describe(Record question) {
        return question == null ? "a query" : question.getName() + "/" + Type.string(question.getType());
    }

    @Override
    public void setPort(int port) {
        servers.setPort(port);
    }

    @Override
    public void setTCP(boolean flag) {
        servers.setTCP(flag);
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
        servers.setIgnoreTruncation(flag);
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        servers.setEDNS(version, payloadSize, flags, options);
    }

    @Override
    public void setTSIGKey(TSIG key) {
        servers.setTSIGKey(key);
    }

    @Override
    public void setTimeout(Duration timeout) {
        servers.setTimeout(timeout);
    }

    @Override
    public Duration getTimeout() {
        return servers.getTimeout();
    }

    @Override
    public String toString() {
        return "ServerFailureGuard(" + servers + ")";
    }
}
