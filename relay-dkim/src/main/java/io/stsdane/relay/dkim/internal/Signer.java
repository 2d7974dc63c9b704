package io.stsdane.relay.dkim.internal;

import io.stsdane.relay.dkim.DkimAlgorithm;
import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.dkim.DkimSettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Composes and signs one DKIM-Signature field (RFC 6376 §3.5, §3.7, §5) over header fields read earlier and a
 * body hash computed while the body streamed. Stateless apart from its settings; thread-safe.
 */
final class Signer {

    private static final int LINE = 76;

    private final DkimSettings settings;

    Signer(DkimSettings settings) {
        this.settings = settings;
    }

    /**
     * The complete field, CRLF-terminated, to put at the top of the message.
     *
     * @param domain {@code d=}
     * @param key {@code s=}, {@code a=} and the private key
     * @param fields the message's header fields in order
     * @param bodyHash {@code bh=} under {@code settings.canonicalization()}
     * @param now {@code t=}
     */
    String sign(String domain, DkimKey key, List<HeaderField> fields, byte[] bodyHash, Instant now)
            throws GeneralSecurityException {
        List<String> signed = signedNames(fields);
        Folder f = new Folder("DKIM-Signature:");
        f.add(" v=1;").add(" a=" + key.algorithm().tag() + ";")
                .add(" c=" + settings.canonicalization().tag() + ";")
                .add(" d=" + domain + ";").add(" s=" + key.selector() + ";")
                .add(" t=" + now.getEpochSecond() + ";");
        settings.expiration().ifPresent(x -> f.add(" x=" + now.plus(x).getEpochSecond() + ";"));
        f.add(" h=" + signed.get(0));
        for (String name : signed.subList(1, signed.size())) {
            f.add(":" + name);
        }
        f.add(";").add(" bh=" + Base64.getEncoder().encodeToString(bodyHash) + ";");
        // b= always starts a line, so the field hashed with b= empty folds exactly as the one sent (§3.5 b=).
        f.newLine().add("b=");
        String unsigned = f.toString();

        ByteArrayOutputStream data = new ByteArrayOutputStream();
        hashedFields(fields, signed).forEach(data::writeBytes);
        String own = settings.canonicalization().relaxedHeader() ? HeaderField.relaxed(unsigned + "\r\n") : unsigned;
        // §3.7: the signature field itself goes in without its final CRLF.
        data.writeBytes(own.replaceAll("\r\n$", "").getBytes(StandardCharsets.ISO_8859_1));
        String b = Base64.getEncoder().encodeToString(signature(key, data.toByteArray()));

        StringBuilder out = new StringBuilder(unsigned);
        // What is left of the b= line, then whole continuation lines (FWS inside b= is ignored, §3.5).
        int column = LINE - unsigned.length() + unsigned.lastIndexOf('\n') + 1;
        for (int i = 0; i < b.length(); ) {
            int n = Math.min(Math.max(column, 1), b.length() - i);
            out.append(b, i, i + n);
            i += n;
            if (i < b.length()) {
                out.append("\r\n\t");
                column = LINE - 1;
            }
        }
        return out.append("\r\n").toString();
    }

    private static byte[] signature(DkimKey key, byte[] data) throws GeneralSecurityException {
        if (key.algorithm() == DkimAlgorithm.ED25519_SHA256) {
            // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data, not the data.
            Signature ed = Signature.getInstance("Ed25519");
            ed.initSign(key.privateKey());
            ed.update(MessageDigest.getInstance("SHA-256").digest(data));
            return ed.sign();
        }
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key.privateKey());
        rsa.update(data);
        return rsa.sign();
    }

    /**
     * {@code h=}: each configured field as often as the message has it, From once more (over-signing, RFC 6376
     * §8.15: a From added downstream breaks the signature).
     */
    private List<String> signedNames(List<HeaderField> fields) {
        Map<String, Integer> counts = new HashMap<>();
        fields.forEach(f -> counts.merge(f.name(), 1, Integer::sum));
        List<String> names = new ArrayList<>();
        for (String name : settings.headers()) {
            int n = counts.getOrDefault(name, 0) + (name.equals("from") ? 1 : 0);
            for (int i = 0; i < n; i++) {
                names.add(name);
            }
        }
        return names;
    }

    /** §5.4.2: the instances of a name repeated in h= are taken from the bottom of the header up. */
    private List<byte[]> hashedFields(List<HeaderField> fields, List<String> signed) {
        Map<String, Integer> used = new HashMap<>();
        List<byte[]> out = new ArrayList<>();
        for (String name : signed) {
            int skip = used.merge(name, 1, Integer::sum);
            for (int i = fields.size() - 1; i >= 0; i--) {
                if (fields.get(i).name().equals(name) && --skip == 0) {
                    out.add(fields.get(i).canonical(settings.canonicalization().relaxedHeader()));
                    break;
                }
            }
        }
        return out;
    }

    /** Builds a field, starting a continuation line before a part that would pass the line length. */
    private static final class Folder {

        private final StringBuilder sb;
        private int column;

        Folder(String start) {
            sb = new StringBuilder(start);
            column = start.length();
        }

        Folder add(String part) {
            if (column + part.length() > LINE) {
                newLine();
                part = part.startsWith(" ") ? part.substring(1) : part;
            }
            sb.append(part);
            column += part.length();
            return this;
        }

        /** A continuation line: CRLF and one TAB (the TAB counted as one column). */
        Folder newLine() {
            sb.append("\r\n\t");
            column = 1;
            return this;
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
