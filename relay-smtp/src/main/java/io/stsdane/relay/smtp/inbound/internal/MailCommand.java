package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.Ret;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/** MAIL FROM (RFC 5321 §4.1.1.2) with SIZE, BODY, SMTPUTF8, RET, ENVID and REQUIRETLS. */
final class MailCommand extends InboundCommand {

    MailCommand(InboundContext ctx) {
        super(ctx, "MAIL", "Start a mail transaction. Syntax: MAIL FROM:<address> [parameters]");
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        Reply reply = start(argument, state);
        answer(session, state, reply, "mail-" + reply.status());
    }

    private Reply start(String argument, SessionState state) {
        if (state.helo == null) {
            return Reply.of(503, "5.5.1", "Send EHLO first");
        }
        if (state.transaction != null) {
            return Reply.of(503, "5.5.1", "A transaction is already open; send RSET to start over");
        }
        MailPath.Result parsed = MailPath.parse(argument, "FROM", "5.1.7");
        if (parsed instanceof MailPath.Invalid invalid) {
            return invalid.reply();
        }
        MailPath.Parsed path = (MailPath.Parsed) parsed;
        Map<String, String> params = EsmtpParameters.parse(path.params());
        if (params == null) {
            return Reply.of(501, "5.5.4", "Malformed or repeated MAIL parameter");
        }
        if (!params.isEmpty() && !state.esmtp) {
            return Reply.of(555, "5.5.4", "MAIL parameters need EHLO, not HELO");
        }
        boolean smtpUtf8 = false;
        boolean eightBit = false;
        boolean requireTls = false;
        Ret ret = null;
        String envid = null;
        for (Map.Entry<String, String> p : params.entrySet()) {
            String value = p.getValue();
            switch (p.getKey()) {
                case "SIZE" -> {
                    if (!value.matches("[0-9]{1,18}")) {
                        return Reply.of(501, "5.5.4", "SIZE must be a number of octets");
                    }
                    if (Long.parseLong(value) > ctx.options().maxMessageSize()) {
                        return Reply.of(552, "5.3.4", "Message size exceeds the limit of "
                                + ctx.options().maxMessageSize() + " octets");
                    }
                }
                case "BODY" -> {
                    String body = value.toUpperCase(Locale.ROOT);
                    if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
                        return Reply.of(555, "5.5.4", "BODY must be 7BIT or 8BITMIME");
                    }
                    eightBit = body.equals("8BITMIME");
                }
                case "SMTPUTF8" -> {
                    if (!value.isEmpty()) {
                        return Reply.of(555, "5.5.4", "SMTPUTF8 takes no value");
                    }
                    smtpUtf8 = true;
                }
                case "RET" -> {
                    try {
                        ret = Ret.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        return Reply.of(555, "5.5.4", "RET must be FULL or HDRS");
                    }
                }
                case "ENVID" -> {
                    if (value.length() > 100 || !Xtext.valid(value, false)) {
                        return Reply.of(501, "5.5.4", "ENVID must be xtext of at most 100 characters (RFC 3461)");
                    }
                    envid = value;
                }
                case "REQUIRETLS" -> {
                    if (!value.isEmpty()) {
                        return Reply.of(555, "5.5.4", "REQUIRETLS takes no value");
                    }
                    if (!state.tls()) {
                        return Reply.of(530, "5.7.10", "REQUIRETLS needs a TLS session: send STARTTLS first");
                    }
                    requireTls = true;
                }
                default -> {
                    return Reply.of(555, "5.5.4", "Unsupported MAIL parameter " + p.getKey());
                }
            }
        }
        if (path.nonAscii() && !smtpUtf8) {
            return Reply.of(553, "5.6.7", "Non-ASCII sender address needs the SMTPUTF8 parameter (RFC 6531)");
        }
        try {
            ctx.intake().checkCapacity();
        } catch (IntakeException e) {
            return Reply.of(e.code(), e.enhancedStatus(), e.getMessage());
        }
        // Only for clients that may relay: strangers are refused at RCPT and must not make us query DNS.
        if (ctx.spf() != null && !path.address().isEmpty() && ctx.mayRelay(state)) {
            Reply spf = ctx.spf().check(path.address(), ctx.metrics());
            if (spf != null) {
                return spf;
            }
        }
        state.transaction = Transaction.start(path.address(), ret, envid, requireTls, smtpUtf8, eightBit);
        return Reply.of(250, "2.1.0", "Sender ok");
    }
}
