package io.stsdane.relay.testkit.smtp;

import java.util.List;

/**
 * One mail transaction a {@link TestSmtpServer} completed (it answered the final dot or stalled on it).
 * Immutable.
 *
 * @param mailFrom the MAIL command's arguments as sent, for example {@code FROM:<a@b> SIZE=12 REQUIRETLS}
 * @param recipients the RCPT arguments the server accepted, in order
 * @param rawData the body exactly as on the wire (dot-stuffed), without the final {@code .CRLF}; empty when
 *     {@link SmtpBehavior#keepData()} is off
 * @param data the body after removing the dot-stuffing; empty when data is not kept
 * @param dataSize the length of {@code data}, also counted when data is not kept
 * @param dataSha256 hex SHA-256 of the unstuffed body
 * @param tls whether TLS was active
 * @param sni the server name the client sent in TLS, or null
 * @param connection the server's number for the connection (1 for the first)
 */
public record ReceivedTransaction(String mailFrom, List<String> recipients, byte[] rawData, byte[] data,
        long dataSize, String dataSha256, boolean tls, String sni, int connection) {

    public ReceivedTransaction {
        recipients = List.copyOf(recipients);
        rawData = rawData.clone();
        data = data.clone();
    }

    @Override
    public byte[] rawData() {
        return rawData.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }
}
