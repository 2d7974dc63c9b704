package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction, from MAIL to the end of DATA. Confined to its session's thread.
 *
 * @param sender the reverse-path, "" for the null sender
 * @param ret DSN RET, or null
 * @param envid DSN ENVID as given (xtext), or null
 * @param requireTls MAIL ... REQUIRETLS (RFC 8689)
 * @param smtpUtf8 MAIL ... SMTPUTF8 (RFC 6531)
 * @param eightBitMime MAIL ... BODY=8BITMIME
 * @param recipients accepted so far (mutable, grows with each RCPT)
 */
record Transaction(String sender, Ret ret, String envid, boolean requireTls, boolean smtpUtf8,
                   boolean eightBitMime, List<Recipient> recipients) {

    static Transaction start(String sender, Ret ret, String envid, boolean requireTls, boolean smtpUtf8,
                             boolean eightBitMime) {
        return new Transaction(sender, ret, envid, requireTls, smtpUtf8, eightBitMime, new ArrayList<>());
    }
}
