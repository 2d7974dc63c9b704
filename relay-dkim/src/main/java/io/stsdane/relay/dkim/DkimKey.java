package io.stsdane.relay.dkim;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * One signing key of a domain: its selector, algorithm, private key and the public key data a DNS record must
 * publish ({@code p=}, RFC 6376 §3.6.1: the DER SubjectPublicKeyInfo for RSA; RFC 8463 §4: the raw 32 octets for
 * Ed25519).
 *
 * <p>Immutable and thread-safe ({@link #publicKey()} returns a copy).
 */
public final class DkimKey {

    /** RFC 8301 §3.2 asks signers for 2048 bits; the issue this implements makes it the floor. */
    public static final int MIN_RSA_BITS = 2048;

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern SELECTOR = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** id-Ed25519 (RFC 8410 §3). */
    private static final ASN1ObjectIdentifier ID_ED25519 = new ASN1ObjectIdentifier("1.3.101.112");

    private final String selector;
    private final DkimAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private DkimKey(String selector, DkimAlgorithm algorithm, PrivateKey privateKey, byte[] publicKey) {
        this.selector = selector;
        this.algorithm = algorithm;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /**
     * Reads a PEM PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}, unencrypted) for {@code selector}.
     *
     * @throws IllegalArgumentException with a one-line reason when the selector is not a DNS label sequence, the
     *     file cannot be read, is not an unencrypted PKCS#8 RSA or Ed25519 key, or is an RSA key under
     *     {@value #MIN_RSA_BITS} bits
     */
    public static DkimKey load(String selector, Path file) {
        if (!SELECTOR.matcher(selector).matches()) {
            throw new IllegalArgumentException("selector '" + selector + "' is not a sequence of DNS labels"
                    + " (RFC 6376 3.1)");
        }
        String text;
        try {
            text = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        Matcher m = PEM.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException(file.toAbsolutePath() + " is not a PEM PKCS#8 private key"
                    + " (-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            return fromPkcs8(selector, der);
        } catch (IllegalArgumentException | IllegalStateException | GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(file.toAbsolutePath() + ": " + reason(e));
        }
    }

    private static String reason(Exception e) {
        return !(e instanceof IllegalArgumentException) || e.getMessage() == null
                ? "not a valid PKCS#8 private key (" + e.getClass().getSimpleName() + ")" : e.getMessage();
    }

    private static DkimKey fromPkcs8(String selector, byte[] der) throws GeneralSecurityException, IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(der);
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            int bits = key.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new IllegalArgumentException("RSA key of " + bits + " bits is too short: DKIM keys need "
                        + MIN_RSA_BITS + " bits at least (RFC 8301 3.2)");
            }
            BigInteger e = key.getPublicExponent();
            byte[] spki = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(key.getModulus(), e))
                    .getEncoded();
            return new DkimKey(selector, DkimAlgorithm.RSA_SHA256, key, spki);
        }
        if (oid.equals(ID_ED25519)) {
            byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
            byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new DkimKey(selector, DkimAlgorithm.ED25519_SHA256, key, raw);
        }
        throw new IllegalArgumentException("key algorithm " + oid + " is neither RSA nor Ed25519");
    }

    public String selector() {
        return selector;
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    /** For signing; never logged. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The {@code p=} data of the key record, decoded. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The TXT record to publish at {@code <selector>._domainkey.<domain>} (RFC 6376 §3.6.1). */
    public String record() {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(publicKey);
    }

    @Override
    public String toString() {
        return "DkimKey[" + selector + ", " + algorithm.tag() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DkimKey k && selector.equals(k.selector) && algorithm == k.algorithm
                && java.util.Arrays.equals(publicKey, k.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(selector, algorithm, java.util.Arrays.hashCode(publicKey));
    }
}
