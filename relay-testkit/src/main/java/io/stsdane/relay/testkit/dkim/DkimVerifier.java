package io.stsdane.relay.testkit.dkim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * A DKIM verifier written for the tests from RFC 6376 §6.1 and RFC 8463, on Bouncy Castle's low-level crypto,
 * sharing no code with the relay's signer: whole messages in memory, canonicalization by regular expressions,
 * tags parsed on their own. Checked against RFC 8463 Appendix A (a test does). Supports rsa-sha256 and
 * ed25519-sha256, simple and relaxed, no {@code l=}. Stateless; thread-safe.
 */
public final class DkimVerifier {

    /**
     * The outcome for one DKIM-Signature field.
     *
     * @param failure why it does not verify, empty when it passes
     */
    public record Result(String domain, String selector, String algorithm, List<String> signedHeaders,
            Map<String, String> tags, Optional<String> failure) {

        public boolean passed() {
            return failure.isEmpty();
        }
    }

    private static final Pattern FIELD_START = Pattern.compile("(?m)^(?=[^ \t\r\n])");
    private static final Pattern B_VALUE = Pattern.compile("(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*?(?=;|\r\n\\z)");

    private final Function<String, Optional<String>> txt;
    private final Instant now;

    /**
     * @param txt the TXT record at a name ({@code selector._domainkey.domain}), concatenated, or empty
     * @param now for {@code x=}
     */
    public DkimVerifier(Function<String, Optional<String>> txt, Instant now) {
        this.txt = txt;
        this.now = now;
    }

    /** Every DKIM-Signature of {@code message} (CRLF line endings), in the order they appear. */
    public List<Result> verify(byte[] message) {
        String m = new String(message, StandardCharsets.ISO_8859_1);
        int end = m.indexOf("\r\n\r\n");
        String header = end < 0 ? m : m.substring(0, end + 2);
        String body = end < 0 ? "" : m.substring(end + 4);
        List<String> fields = new ArrayList<>();
        for (String f : FIELD_START.split(header)) {
            if (!f.isEmpty()) {
                fields.add(f);
            }
        }
        List<Result> out = new ArrayList<>();
        for (String f : fields) {
            if (name(f).equals("dkim-signature")) {
                out.add(check(f, fields, body));
            }
        }
        return out;
    }

    private Result check(String sigField, List<String> fields, String body) {
        Map<String, String> tags = tags(sigField.substring(sigField.indexOf(':') + 1));
        String d = tags.getOrDefault("d", "");
        String s = tags.getOrDefault("s", "");
        String a = tags.getOrDefault("a", "");
        List<String> h = List.of(tags.getOrDefault("h", "").toLowerCase(Locale.ROOT).split(":"));
        Function<String, Result> fail = why -> new Result(d, s, a, h, tags, Optional.of(why));
        if (!"1".equals(tags.get("v"))) {
            return fail.apply("v= is not 1");
        }
        if (!h.contains("from")) {
            return fail.apply("From is not signed (RFC 6376 5.4)");
        }
        if (tags.containsKey("l")) {
            return fail.apply("l= is not supported here");
        }
        if (tags.containsKey("x") && Long.parseLong(tags.get("x")) < now.getEpochSecond()) {
            return fail.apply("signature expired");
        }
        String[] c = tags.getOrDefault("c", "simple/simple").split("/");
        boolean relaxedHeader = c[0].equals("relaxed");
        boolean relaxedBody = c.length > 1 && c[1].equals("relaxed");

        byte[] bodyHash = sha256(canonicalBody(body, relaxedBody).getBytes(StandardCharsets.ISO_8859_1));
        if (!Base64.getEncoder().encodeToString(bodyHash).equals(tags.get("bh"))) {
            return fail.apply("body hash does not match");
        }

        StringBuilder data = new StringBuilder();
        Map<String, Integer> taken = new HashMap<>();
        for (String name : h) {
            int skip = taken.merge(name, 1, Integer::sum);
            for (int i = fields.size() - 1; i >= 0; i--) {
                if (name(fields.get(i)).equals(name) && --skip == 0) {
                    data.append(canonicalField(fields.get(i), relaxedHeader));
                    break;
                }
            }
        }
        String withoutB = B_VALUE.matcher(sigField).replaceFirst("$1$2");
        String own = canonicalField(withoutB, relaxedHeader);
        data.append(own, 0, own.length() - 2);

        Optional<String> record = txt.apply(s + "._domainkey." + d);
        if (record.isEmpty()) {
            return fail.apply("no key record");
        }
        Map<String, String> key = tags(record.get());
        byte[] p = Base64.getDecoder().decode(key.getOrDefault("p", ""));
        byte[] sig = Base64.getDecoder().decode(tags.getOrDefault("b", ""));
        byte[] signed = data.toString().getBytes(StandardCharsets.ISO_8859_1);
        boolean ok;
        try {
            switch (a) {
                case "rsa-sha256" -> {
                    RSADigestSigner rsa = new RSADigestSigner(new SHA256Digest());
                    CipherParameters pub = PublicKeyFactory.createKey(p);
                    rsa.init(false, pub);
                    rsa.update(signed, 0, signed.length);
                    ok = key.getOrDefault("k", "rsa").equals("rsa") && rsa.verifySignature(sig);
                }
                case "ed25519-sha256" -> {
                    Ed25519Signer ed = new Ed25519Signer();
                    ed.init(false, new Ed25519PublicKeyParameters(p, 0));
                    byte[] digest = sha256(signed);
                    ed.update(digest, 0, digest.length);
                    ok = "ed25519".equals(key.get("k")) && ed.verifySignature(sig);
                }
                default -> {
                    return fail.apply("unknown algorithm " + a);
                }
            }
        } catch (Exception e) {
            return fail.apply("key or signature unusable: " + e);
        }
        return ok ? new Result(d, s, a, h, tags, Optional.empty()) : fail.apply("signature does not verify");
    }

    private static String name(String field) {
        return field.substring(0, Math.max(field.indexOf(':'), 0)).strip().toLowerCase(Locale.ROOT);
    }

    /** RFC 6376 §3.2 tag-list; values with all whitespace removed (fine for the tags read here). */
    private static Map<String, String> tags(String list) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String spec : list.split(";")) {
            int eq = spec.indexOf('=');
            if (eq > 0) {
                out.put(spec.substring(0, eq).strip(), spec.substring(eq + 1).replaceAll("\\s+", ""));
            }
        }
        return out;
    }

    /** §3.4.1 simple: as is; §3.4.2 relaxed: lower-case name, unfold, compress WSP, trim around colon and end. */
    private static String canonicalField(String field, boolean relaxed) {
        if (!relaxed) {
            return field;
        }
        int colon = field.indexOf(':');
        String value = field.substring(colon + 1).replaceAll("\r\n(?=[ \t])", "").replaceAll("\r\n$", "");
        value = value.replaceAll("[ \t]+", " ").replaceAll("^ | $", "");
        return field.substring(0, colon).toLowerCase(Locale.ROOT).replaceAll("[ \t]+$", "") + ":" + value + "\r\n";
    }

    /** §3.4.3 and §3.4.4, on the whole body at once. */
    private static String canonicalBody(String body, boolean relaxed) {
        String b = body;
        if (relaxed) {
            b = b.replaceAll("[ \t]+\r\n", "\r\n").replaceAll("[ \t]+", " ").replaceAll("[ \t]+$", "");
        }
        if (!b.isEmpty() && !b.endsWith("\r\n")) {
            b += "\r\n";
        }
        b = b.replaceAll("(\r\n)+$", "\r\n");
        if (relaxed) {
            return b.equals("\r\n") ? "" : b;
        }
        return b.isEmpty() ? "\r\n" : b;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
