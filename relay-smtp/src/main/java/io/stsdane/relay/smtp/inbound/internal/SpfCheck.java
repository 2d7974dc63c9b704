package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.util.LogText;
import io.stsdane.relay.smtp.inbound.SpfMode;
import java.net.InetAddress;
import org.apache.james.jspf.impl.SPF;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks whether the relay's own egress address may send for the MAIL FROM domain (RFC 7208), so that
 * applications learn at submission that their mail would fail SPF, and with it DMARC, at the recipient.
 * The lookups go through the relay's resolver ({@link SpfDns}). Thread-safe.
 */
public final class SpfCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SpfCheck.class);

    private final SpfMode mode;
    private final String egressIp;
    private final String hostname;
    private final SPF spf;

    public SpfCheck(SpfMode mode, InetAddress egressIp, String hostname, DnsResolver resolver) {
        this.mode = mode;
        this.egressIp = egressIp.getHostAddress();
        this.hostname = hostname;
        this.spf = new SPF(new SpfDns(resolver, hostname));
    }

    /**
     * @return the refusal ({@code 550 5.7.23}) when the mode is reject and the result is {@code fail}, else null
     */
    Reply check(String sender, InboundMetrics metrics) {
        String result = spf.checkSPF(egressIp, sender, hostname).getResult();
        metrics.spf(result);
        if ("pass".equals(result)) {
            return null;
        }
        String domain = sender.substring(sender.lastIndexOf('@') + 1);
        LOG.warn("SPF self-check for {} from egress {}: {} (mail from this domain will not pass SPF at the "
                + "recipient; add {} to the SPF record of {})", LogText.escape(sender), egressIp, result, egressIp,
                LogText.escape(domain));
        if (mode == SpfMode.REJECT && "fail".equals(result)) {
            return Reply.of(550, "5.7.23", "SPF of " + domain + " does not allow this relay (" + egressIp
                    + ") to send for it; add the relay to the SPF record");
        }
        return null;
    }
}
