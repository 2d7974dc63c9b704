package io.stsdane.relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import io.stsdane.relay.server.config.AdminToken;
import io.stsdane.relay.core.net.IpLiterals;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one gate every request that changes something (any method but GET and HEAD) passes before its handler.
 * It refuses what a web browser can be made to send on an attacker's behalf, and what lacks the token:
 * <ul>
 *   <li>a {@code Host} other than the address the request arrived on ({@code localhost} too, on loopback): a
 *       page whose name was rebound in DNS to this address sends its own name (DNS rebinding);</li>
 *   <li>an {@code Origin} other than this server, or {@code null}: a cross-origin page (CSRF);</li>
 *   <li>a body typed as a form ({@code application/x-www-form-urlencoded}, {@code multipart/form-data},
 *       {@code text/plain}): the types a page may send cross-origin without asking first;</li>
 *   <li>with {@code admin.token-file}, no {@code Authorization: Bearer} with the token.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class MutationGuard {

    /** Why a request was refused: HTTP status and a message for the JSON body. */
    record Refusal(int status, String message) {
    }

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");
    private static final Set<String> FORM_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data",
            "text/plain");

    private final Optional<AdminToken> token;

    MutationGuard(Optional<AdminToken> token) {
        this.token = token;
    }

    /** Null when {@code ex} may proceed. */
    Refusal check(HttpExchange ex) {
        if (SAFE_METHODS.contains(ex.getRequestMethod())) {
            return null;
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || !isThisServer(host, ex.getLocalAddress())) {
            return new Refusal(403, "Host " + (host == null ? "missing" : "'" + host + "'")
                    + " is not this server's address: requests that change something must name it");
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !origin.equalsIgnoreCase("http://" + host)) {
            return new Refusal(403, "cross-origin request refused (Origin " + origin + ")");
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null && FORM_TYPES.contains(mediaType(type))) {
            return new Refusal(415, "form content types are refused; send no body or JSON");
        }
        if (token.isPresent() && !token.get().accepts(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"relay-admin\"");
            return new Refusal(401, "this request needs Authorization: Bearer <the token of admin.token-file>");
        }
        return null;
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** {@code host[:port]} naming the local address and port of the connection (port 80 may be left out). */
    static boolean isThisServer(String hostHeader, InetSocketAddress local) {
        String host;
        String port;
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = hostHeader.substring(1, close);
            port = hostHeader.substring(close + 1);
        } else {
            int colon = hostHeader.indexOf(':');
            host = colon < 0 ? hostHeader : hostHeader.substring(0, colon);
            port = colon < 0 ? "" : hostHeader.substring(colon);
        }
        boolean portMatches = port.isEmpty() ? local.getPort() == 80 : port.equals(":" + local.getPort());
        InetAddress address = local.getAddress();
        boolean hostMatches = (address.isLoopbackAddress() && host.equalsIgnoreCase("localhost"))
                || sameAddress(host, address);
        return portMatches && hostMatches;
    }

    /** Whether {@code literal} is an IP literal for {@code address}; never resolves a name. */
    private static boolean sameAddress(String literal, InetAddress address) {
        try {
            return IpLiterals.parse(literal).equals(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
