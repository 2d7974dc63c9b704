package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.Recipient;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/** RCPT TO (RFC 5321 §4.1.1.3) with DSN NOTIFY and ORCPT (RFC 3461 §4), and the relay control. */
final class RcptCommand extends InboundCommand {

    RcptCommand(InboundContext ctx) {
        super(ctx, "RCPT", "Add a recipient. Syntax: RCPT TO:<address> [parameters]");
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        Reply reply = add(argument, state);
        answer(session, state, reply, reply.code() == 554 ? "relay-denied" : "rcpt-" + reply.status());
    }

    private Reply add(String argument, SessionState state) {
        Transaction tx = state.transaction;
        if (tx == null) {
            return Reply.of(503, "5.5.1", "Send MAIL first");
        }
        MailPath.Result parsed = MailPath.parse(argument, "TO", "5.1.3");
        // RFC 5321 §4.5.1: <Postmaster> must be accepted, also from clients that may not relay.
        boolean postmaster = parsed instanceof MailPath.Parsed p && p.address().equals(MailPath.POSTMASTER);
        if (!postmaster && !ctx.mayRelay(state)) {
            return Reply.of(554, "5.7.1", "Relay access denied: authenticate first (AUTH"
                    + (ctx.tls() != null && !state.tls() ? " after STARTTLS" : "") + ")");
        }
        if (tx.recipients().size() >= ctx.options().maxRecipients()) {
            return Reply.of(452, "4.5.3", "Too many recipients; send the rest in another message");
        }
        if (parsed instanceof MailPath.Invalid invalid) {
            return invalid.reply();
        }
        MailPath.Parsed path = (MailPath.Parsed) parsed;
        if (path.nonAscii() && !tx.smtpUtf8()) {
            return Reply.of(553, "5.6.7", "Non-ASCII recipient address needs SMTPUTF8 on MAIL FROM (RFC 6531)");
        }
        Map<String, String> params = EsmtpParameters.parse(path.params());
        if (params == null) {
            return Reply.of(501, "5.5.4", "Malformed or repeated RCPT parameter");
        }
        Set<Notify> notify = EnumSet.noneOf(Notify.class);
        String orcpt = null;
        for (Map.Entry<String, String> p : params.entrySet()) {
            switch (p.getKey()) {
                case "NOTIFY" -> {
                    for (String v : p.getValue().toUpperCase(Locale.ROOT).split(",", -1)) {
                        try {
                            notify.add(Notify.valueOf(v));
                        } catch (IllegalArgumentException e) {
                            return Reply.of(501, "5.5.4", "NOTIFY must be NEVER or SUCCESS,FAILURE,DELAY");
                        }
                    }
                    if (notify.contains(Notify.NEVER) && notify.size() > 1) {
                        return Reply.of(501, "5.5.4", "NOTIFY=NEVER cannot be combined with other values");
                    }
                }
                case "ORCPT" -> {
                    String v = p.getValue();
                    int semi = v.indexOf(';');
                    if (semi <= 0 || v.length() > 500 || !v.substring(0, semi).matches("[A-Za-z0-9-]+")
                            || !Xtext.valid(v.substring(semi + 1), tx.smtpUtf8())) {
                        return Reply.of(501, "5.5.4", "ORCPT must be addr-type;xtext, like rfc822;user@example.com");
                    }
                    orcpt = v;
                }
                default -> {
                    return Reply.of(555, "5.5.4", "Unsupported RCPT parameter " + p.getKey());
                }
            }
        }
        if (!params.isEmpty() && !state.esmtp) {
            return Reply.of(555, "5.5.4", "RCPT parameters need EHLO, not HELO");
        }
        String address = postmaster
                ? MailPath.POSTMASTER + "@" + ctx.options().hostname().toLowerCase(Locale.ROOT) : path.address();
        tx.recipients().add(new Recipient(address, notify, orcpt));
        return Reply.of(250, "2.1.5", "Recipient ok");
    }
}
