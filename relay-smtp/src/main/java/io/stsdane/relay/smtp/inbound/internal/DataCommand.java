package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Submitter;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * DATA: streams the message through the checks straight into the queue, and answers 250 only once the queue
 * has it durably. A problem found mid-stream aborts the queue write; the rest of DATA is drained so that none
 * of it is read as commands, then the problem is answered.
 */
final class DataCommand extends InboundCommand {

    private static final Logger LOG = LoggerFactory.getLogger(DataCommand.class);
    /** Refusals for the message's content are the client's doing; any client can cause them at will. */
    private static final RateLimitedLog CLIENT_FAULTS = new RateLimitedLog(LOG, 20);

    private final TraceFields trace;

    DataCommand(InboundContext ctx) {
        super(ctx, "DATA", "Send the message, ending with <CRLF>.<CRLF>");
        this.trace = new TraceFields(ctx.options().hostname(), ctx.clock());
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        Transaction tx = state.transaction;
        if (!argument.isBlank()) {
            reply(session, state, Reply.of(501, "5.5.4", "DATA takes no parameters"));
            return;
        }
        if (tx == null) {
            reply(session, state, Reply.of(503, "5.5.1", "Send MAIL first"));
            return;
        }
        if (tx.recipients().isEmpty()) {
            // RFC 2920 §3.1: a pipelining client learns here that every RCPT failed.
            reply(session, state, Reply.of(554, "5.5.1", "No valid recipients"));
            return;
        }
        state.transaction = null;
        QueueId id = ctx.intake().nextId();
        Envelope envelope = new Envelope(tx.sender(), tx.recipients(), tx.ret(), tx.envid(), tx.requireTls(),
                tx.smtpUtf8(), tx.eightBitMime(), ctx.clock().instant(), state.describeClient());
        session.sendResponse("354 End data with <CR><LF>.<CR><LF>");
        Socket socket = session.getSocket();
        socket.setSoTimeout((int) ctx.options().dataTimeout().toMillis());
        DotTerminatedData data = new DotTerminatedData(new TransferDeadline(session.getRawInput(),
                state.activity, ctx.options().dataTimeout().toNanos(), ctx.options().dataMinRate()));
        MessageDataFilter filter = new MessageDataFilter(data, ctx.options().bareLineEndings(),
                ctx.options().maxMessageSize());
        InputStream content = new HeaderAugmenter(filter, trace.received(state, tx, id),
                present -> trace.missing(present, ctx.options().addMessageId(), ctx.options().addDate(), id));
        Submitter submitter = new Submitter(Optional.ofNullable(state.authUser), ctx.acl().contains(state.client));
        Reply reply = store(id, envelope, submitter, content, filter);
        drain(data, session);
        socket.setSoTimeout((int) ctx.options().commandTimeout().toMillis());
        if (reply.code() == 250) {
            ctx.metrics().received();
            LOG.info("queued {} from {} for {} recipient(s)", id, state.logClient(), tx.recipients().size());
        } else if (filter.problem() != null) {
            ctx.metrics().rejected(filter.problem().reason);
            CLIENT_FAULTS.info("client fault: refused message from {}: {}", state.logClient(), reply);
        } else {
            ctx.metrics().rejected("queue-" + reply.status());
            LOG.info("refused message from {}: {}", state.logClient(), reply);
        }
        reply(session, state, reply);
    }

    private Reply store(QueueId id, Envelope envelope, Submitter submitter, InputStream content,
            MessageDataFilter filter) {
        try {
            ctx.intake().accept(id, envelope, submitter, content);
            if (filter.problem() != null || !filter.complete()) {
                // The queue must read to the end and fail on a read error; one that does not may have kept a
                // refused or truncated message.
                LOG.error("queue accepted message {} without reading it completely and without error; "
                        + "it may hold a refused or truncated message", id);
            }
            return filter.problem() != null ? filter.problemReply()
                    : Reply.of(250, "2.0.0", "Ok: queued as " + id.value());
        } catch (IntakeException e) {
            return filter.problem() != null ? filter.problemReply()
                    : Reply.of(e.code(), e.enhancedStatus(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("queue failed on message {}", id, e);
            return filter.problem() != null ? filter.problemReply()
                    : Reply.of(451, "4.3.0", "Temporary queue failure, try again later");
        }
    }

    /** Reads what the queue left unread up to CRLF.CRLF, so none of it is taken for commands. */
    private static void drain(DotTerminatedData data, Session session) throws DropConnectionException {
        byte[] buf = new byte[8192];
        try {
            while (data.read(buf, 0, buf.length) >= 0) {
                // discard
            }
        } catch (SocketTimeoutException e) {
            throw new DropConnectionException(421, "4.4.2 Timeout waiting for message data, closing connection");
        } catch (IOException e) {
            // The client went away mid-DATA; the queue kept nothing. End the session quietly.
            session.quit();
            throw new DropConnectionException(421, "4.4.2 Connection lost during DATA");
        }
    }
}
