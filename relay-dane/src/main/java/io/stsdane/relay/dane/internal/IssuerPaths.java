package io.stsdane.relay.dane.internal;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Certification paths from a leaf to trust anchors through the CA certificates a server sent, in any order and
 * ignoring the ones that do not fit (RFC 8446 §4.4.2, RFC 5246 §7.4.2 as practised): the server's list is a bag of
 * candidates, not a path. Bounded in length and in work, so a hostile list cannot make the search explode.
 * Stateless and thread-safe.
 */
public final class IssuerPaths {

    /** Longest path searched, leaf included. */
    private static final int MAX_LENGTH = 10;
    /** Most issuer checks (each one a signature verification) one search makes. */
    private static final int MAX_CHECKS = 256;

    /**
     * One path.
     *
     * @param certificates the leaf first, then each certificate's issuer, up to the one the anchor issued
     * @param anchor the trust anchor that issued the last certificate
     */
    public record Path(List<X509Certificate> certificates, Issuer anchor) {
        public Path {
            certificates = List.copyOf(certificates);
        }
    }

    private IssuerPaths() {
    }

    /**
     * Every path (within the bounds) from {@code leaf} through {@code sent} to one of {@code anchors}, shortest
     * first along each branch. A certificate that is itself an anchor ends the path there.
     */
    public static List<Path> find(X509Certificate leaf, List<X509Certificate> sent, List<Issuer> anchors) {
        List<Path> out = new ArrayList<>();
        new Search(sent, anchors, out).extend(new ArrayList<>(List.of(leaf)));
        return out;
    }

    private static final class Search {
        private final List<X509Certificate> sent;
        private final List<Issuer> anchors;
        private final List<Path> out;
        private int checks;

        Search(List<X509Certificate> sent, List<Issuer> anchors, List<Path> out) {
            this.sent = sent;
            this.anchors = anchors;
            this.out = out;
        }

        void extend(List<X509Certificate> path) {
            X509Certificate top = path.get(path.size() - 1);
            for (Issuer anchor : anchors) {
                if (check() && anchor.issued(top)) {
                    out.add(new Path(path, anchor));
                }
            }
            if (path.size() >= MAX_LENGTH) {
                return;
            }
            for (X509Certificate candidate : sent) {
                if (path.contains(candidate) || isAnchor(candidate)) {
                    continue;
                }
                if (check() && Issuer.of(candidate, "").map(i -> i.issued(top)).orElse(false)) {
                    path.add(candidate);
                    extend(path);
                    path.remove(path.size() - 1);
                }
            }
        }

        private boolean isAnchor(X509Certificate cert) {
            return anchors.stream().anyMatch(a -> a.isHeldBy(cert));
        }

        private boolean check() {
            return checks++ < MAX_CHECKS;
        }
    }
}
