package io.stsdane.relay.dns.internal;

import io.stsdane.relay.core.util.Throwables;
import java.io.IOException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.Collection;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.WireParseException;

/**
 * No configured DNS server gave a usable answer to a query. The message is for the operator: it names each server
 * and what happened there, each combination once however often it was tried, for example
 * {@code no usable answer from 127.0.0.9:53: port unreachable; from 192.0.2.53:53: timeout}.
 */
final class NoAnswer extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param failures {@code server: what happened} entries, see {@link #at}, in the order they happened
     * @param last the last failure, kept as the cause
     */
    NoAnswer(Collection<String> failures, Throwable last) {
        super("no usable answer from " + String.join("; from ", failures), last);
    }

    /** One entry: {@code 127.0.0.9:53: port unreachable}. */
    static String at(String server, Throwable failure) {
        return server + ": " + what(failure);
    }

    /** What a transport failure means, in a few words, without Java class names where a phrase says it. */
    static String what(Throwable failure) {
        Throwable cause = Throwables.unwrap(failure);
        if (cause instanceof PortUnreachableException) {
            return "port unreachable";
        }
        if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        String message = cause.getMessage();
        if (cause instanceof WireParseException) {
            return "unreadable reply" + (message == null ? "" : " (" + message + ")");
        }
        return message == null ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + message;
    }
}
