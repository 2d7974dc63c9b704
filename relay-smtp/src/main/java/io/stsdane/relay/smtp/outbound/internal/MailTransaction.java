package io.stsdane.relay.smtp.outbound.internal;

import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.handler.codec.smtp.SmtpRequests;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.smtp.outbound.SmtpTimeouts;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * One mail transaction (MAIL, RCPT..., DATA, body) over an open session. When the server offers PIPELINING
 * (RFC 2920) MAIL, every RCPT and DATA go in one write, DATA last as §3.1 requires, and the replies are matched
 * to them in order; the session reaches here only after STARTTLS and the EHLO over TLS, so no group spans
 * STARTTLS. Per-recipient outcomes: RCPT 4xx deferred, 5xx bounced; the DATA and end-of-data replies apply to
 * every accepted recipient. A broken session completes the future exceptionally with an
 * {@link SmtpIoException}: the caller moves to the next host.
 *
 * <p>Runs on the connection's event loop; one instance per transaction.
 */
final class MailTransaction {

    /** How the transaction ended. */
    sealed interface Result {
        /**
         * Every recipient has an outcome.
         *
         * @param last the last reply that decided outcomes, or null when none was sent
         * @param reusable the session is clean and may carry another message
         */
        record Done(List<RecipientOutcome> outcomes, SmtpReply last, boolean reusable) implements Result {
        }

        /** This host cannot take the message at all (for example it lacks REQUIRETLS); try the next. */
        record Refused(HostFailure failure) implements Result {
        }
    }

    private final SmtpConnection c;
    private final DeliveryRequest request;
    private final SmtpTimeouts timeouts;
    private final String remote;

    MailTransaction(SmtpConnection c, DeliveryRequest request, SmtpTimeouts timeouts) {
        this.c = c;
        this.request = request;
        this.timeouts = timeouts;
        this.remote = c.route().host().name();
    }

    CompletableFuture<Result> run() {
        Result refusal = checkCapabilities();
        if (refusal != null) {
            return CompletableFuture.completedFuture(refusal);
        }
        InputStream body;
        try {
            body = request.content().open();
        } catch (IOException e) {
            List<RecipientOutcome> out = request.recipients().stream().map(r -> RecipientOutcome.deferred(r,
                    OutcomeScope.MESSAGE, "4.3.0", "cannot read the spooled message: " + e.getMessage(), ""))
                    .toList();
            return CompletableFuture.completedFuture(new Result.Done(out, null, true));
        }
        CompletableFuture<Result> r = c.capabilities().has("PIPELINING") ? pipelined(body) : lockstep(body);
        return r.whenComplete((x, e) -> closeQuietly(body));
    }

    private CompletableFuture<Result> pipelined(InputStream body) {
        List<SmtpRequest> batch = new ArrayList<>();
        List<Duration> waits = new ArrayList<>();
        batch.add(mail());
        waits.add(timeouts.mail());
        for (Recipient r : request.recipients()) {
            batch.add(rcpt(r));
            waits.add(timeouts.rcpt());
        }
        batch.add(SmtpRequests.data());
        waits.add(timeouts.data());
        int n = request.recipients().size();
        return c.pipeline(batch, waits).thenCompose(rs -> afterEnvelope(rs.get(0), rs.subList(1, n + 1),
                rs.get(n + 1), body));
    }

    private CompletableFuture<Result> lockstep(InputStream body) {
        return c.command(mail(), timeouts.mail()).thenCompose(m -> {
            if (!m.isPositive()) {
                return afterEnvelope(m, List.of(), null, body);
            }
            return rcpts(0, new ArrayList<>()).thenCompose(rs -> afterEnvelope(m, rs, null, body));
        });
    }

    private CompletableFuture<List<SmtpReply>> rcpts(int i, List<SmtpReply> acc) {
        if (i == request.recipients().size()) {
            return CompletableFuture.completedFuture(acc);
        }
        return c.command(rcpt(request.recipients().get(i)), timeouts.rcpt()).thenCompose(r -> {
            acc.add(r);
            return rcpts(i + 1, acc);
        });
    }

    /** {@code dataReply} is null when DATA was not sent yet (no pipelining). */
    private CompletableFuture<Result> afterEnvelope(SmtpReply mail, List<SmtpReply> rcpts, SmtpReply dataReply,
            InputStream body) {
        if (!mail.isPositive()) {
            List<RecipientOutcome> out = request.recipients().stream()
                    .map(r -> fromReply(r, mail, OutcomeScope.MESSAGE)).toList();
            return finish(out, mail, dataReply);
        }
        List<RecipientOutcome> out = new ArrayList<>();
        List<Recipient> accepted = new ArrayList<>();
        for (int i = 0; i < request.recipients().size(); i++) {
            Recipient r = request.recipients().get(i);
            SmtpReply reply = rcpts.get(i);
            if (reply.isPositive()) {
                accepted.add(r);
            } else {
                out.add(fromReply(r, reply, OutcomeScope.RECIPIENT));
            }
        }
        if (accepted.isEmpty()) {
            return finish(out, rcpts.get(rcpts.size() - 1), dataReply);
        }
        CompletableFuture<SmtpReply> data = dataReply != null ? CompletableFuture.completedFuture(dataReply)
                : c.command(SmtpRequests.data(), timeouts.data());
        return data.thenCompose(d -> {
            if (d.code() != 354) {
                accepted.forEach(r -> out.add(d.isPositive() ? RecipientOutcome.deferred(r, OutcomeScope.MESSAGE,
                        "4.5.0", "protocol error: DATA answered with " + d.diagnostic(), remote)
                        : fromReply(r, d, OutcomeScope.MESSAGE)));
                return finish(out, d, d);
            }
            return c.sendBody(body, request.content().size(), timeouts.dataBlock(), timeouts.dataEnd()).thenApply(end -> {
                accepted.forEach(r -> out.add(fromReply(r, end, OutcomeScope.MESSAGE)));
                c.countMessage();
                return new Result.Done(out, end, true);
            });
        });
    }

    /**
     * Ends a transaction that sends no body. RFC 2920 §3.1: a pipelining client checks the reply to DATA even
     * when every RCPT failed; a refused DATA is followed by RSET (which also makes the session, and Netty's
     * encoder, which waits for content after DATA, clean for the next message), an accepted one by a single
     * dot: the empty content ends the transaction without sending the message (RFC 5321 §3.3: data goes only
     * to accepted recipients, and there are none). Either way the session may carry the next message.
     */
    private CompletableFuture<Result> finish(List<RecipientOutcome> out, SmtpReply last, SmtpReply dataReply) {
        if (dataReply != null && dataReply.code() == 354) {
            return c.endEmptyData(timeouts.dataEnd()).thenApply(r -> new Result.Done(out, last, true));
        }
        return c.command(SmtpRequests.rset(), timeouts.command())
                .thenApply(r -> new Result.Done(out, last, r.code() == 250));
    }

    private Result checkCapabilities() {
        Envelope env = request.envelope();
        Capabilities caps = c.capabilities();
        // RFC 8689 §4.2.1: the next hop must itself promise to keep requiring TLS.
        if (env.requireTls() && !caps.has("REQUIRETLS")) {
            return new Result.Refused(HostFailure.permanent("5.7.30",
                    "REQUIRETLS support required: " + remote + " does not offer REQUIRETLS"));
        }
        if (caps.sizeLimit() > 0 && request.content().size() > caps.sizeLimit()) {
            return bounceAll("5.3.4", "message size " + request.content().size() + " exceeds the limit "
                    + caps.sizeLimit() + " of " + remote);
        }
        if (env.smtpUtf8() && !caps.has("SMTPUTF8")) {
            return bounceAll("5.6.7", remote + " does not support SMTPUTF8, which this message needs");
        }
        if (env.eightBitMime() && !caps.has("8BITMIME")) {
            return bounceAll("5.6.3", remote + " does not support 8BITMIME, which this message needs");
        }
        return null;
    }

    private Result bounceAll(String status, String why) {
        List<RecipientOutcome> out = request.recipients().stream()
                .map(r -> RecipientOutcome.bounced(r, OutcomeScope.MESSAGE, status, why, remote)).toList();
        return new Result.Done(out, null, true);
    }

    private SmtpRequest mail() {
        Envelope env = request.envelope();
        Capabilities caps = c.capabilities();
        List<CharSequence> params = new ArrayList<>();
        if (caps.has("SIZE")) {
            params.add("SIZE=" + request.content().size());
        }
        if (env.eightBitMime()) {
            params.add("BODY=8BITMIME");
        }
        if (env.smtpUtf8()) {
            params.add("SMTPUTF8");
        }
        if (env.requireTls()) {
            params.add("REQUIRETLS");
        }
        if (caps.has("DSN")) {
            if (env.ret() != null) {
                params.add("RET=" + env.ret().name());
            }
            if (env.envid() != null) {
                params.add("ENVID=" + env.envid());
            }
        }
        return SmtpRequests.mail(env.sender(), params.toArray(new CharSequence[0]));
    }

    private SmtpRequest rcpt(Recipient r) {
        List<CharSequence> params = new ArrayList<>();
        if (c.capabilities().has("DSN")) {
            if (!r.notifyOn().isEmpty()) {
                List<Notify> sorted = new ArrayList<>(r.notifyOn());
                Collections.sort(sorted);
                params.add("NOTIFY=" + sorted.stream().map(Notify::name).collect(Collectors.joining(",")));
            }
            if (r.orcpt() != null) {
                params.add("ORCPT=" + r.orcpt());
            }
        }
        return SmtpRequests.rcpt(r.address(), params.toArray(new CharSequence[0]));
    }

    /**
     * The outcome {@code reply} gives {@code r}; a failure concerns {@code scope} (the recipient for its RCPT
     * reply, the message for the others), or the host when it closes the session with 421 (RFC 5321 §3.8).
     */
    private RecipientOutcome fromReply(Recipient r, SmtpReply reply, OutcomeScope scope) {
        if (reply.isPositive()) {
            // RFC 3461 §5.2.1: a next hop that offers DSN got NOTIFY and ORCPT, and with them the success notice.
            return RecipientOutcome.delivered(r, reply.diagnostic(), remote, c.capabilities().has("DSN"));
        }
        if (reply.isPermanent()) {
            return RecipientOutcome.bounced(r, scope, reply.enhancedStatus(), reply.diagnostic(), remote);
        }
        return RecipientOutcome.deferred(r, reply.code() == 421 ? OutcomeScope.HOST : scope,
                reply.isTransient() ? reply.enhancedStatus() : "4.5.0", reply.diagnostic(), remote);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Nothing to do: the stream was only read.
        }
    }
}
