package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.tls.TlsFailure;
import java.io.IOException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 §3.3).
 *
 * <p>The client it is given must not follow redirects, use no proxy, validate certificates with the Web PKI and
 * resolve through the relay's resolver ({@link HttpClients#derive} builds such a client). Here: only a 200 counts,
 * the media type must be {@code text/plain}, and the body is cut off at {@link #MAX_BODY_BYTES}, because OkHttp
 * itself reads bodies of any size.
 *
 * <p>Thread-safe; the future completes on an OkHttp thread and never exceptionally.
 */
public final class PolicyFetcher {

    /** RFC 8461 §3.3 suggests senders limit policy bodies to 64 KiB. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String PATH = "/.well-known/mta-sts.txt";

    private final OkHttpClient client;
    private final int port;

    public PolicyFetcher(OkHttpClient client, int port) {
        this.client = client;
        this.port = port;
    }

    public static String policyHost(String domain) {
        return "mta-sts." + domain;
    }

    public HttpUrl url(String domain) {
        return new HttpUrl.Builder().scheme("https").host(policyHost(domain)).port(port).encodedPath(PATH).build();
    }

    public CompletableFuture<FetchResult> fetch(String domain) {
        CompletableFuture<FetchResult> result = new CompletableFuture<>();
        HttpUrl url = url(domain);
        Request request = new Request.Builder().url(url).header("User-Agent", "sts-dane-relay").get().build();
        client.newCall(request).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                result.complete(failure(url, e));
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    result.complete(read(url, response));
                } catch (IOException e) {
                    result.complete(failure(url, e));
                } catch (RuntimeException e) {
                    result.complete(new FetchResult.Failed(TlsFailure.STS_POLICY_FETCH_ERROR, url + ": " + e));
                }
            }
        });
        return result;
    }

    private static FetchResult read(HttpUrl url, Response response) throws IOException {
        if (response.code() != 200) {
            String location = response.header("Location");
            String why = response.isRedirect()
                    ? " (redirect to " + location + "; redirects are never followed, RFC 8461 §3.3)" : "";
            return fetchError(url + " answered HTTP " + response.code() + why + "; only 200 is accepted");
        }
        ResponseBody body = response.body();
        MediaType type = body.contentType();
        if (type == null || !type.type().equals("text") || !type.subtype().equals("plain")) {
            return new FetchResult.Failed(TlsFailure.STS_POLICY_INVALID,
                    url + " served media type " + type + "; RFC 8461 §3.3 requires text/plain");
        }
        if (body.contentLength() > MAX_BODY_BYTES) {
            return tooLarge(url);
        }
        BufferedSource source = body.source();
        if (source.request(MAX_BODY_BYTES + 1L)) {
            return tooLarge(url);
        }
        return new FetchResult.Fetched(source.getBuffer().readUtf8());
    }

    private static FetchResult tooLarge(HttpUrl url) {
        return fetchError(url + " served more than " + MAX_BODY_BYTES + " bytes");
    }

    private static FetchResult fetchError(String reason) {
        return new FetchResult.Failed(TlsFailure.STS_POLICY_FETCH_ERROR, reason);
    }

    private static FetchResult failure(HttpUrl url, IOException e) {
        if (isCertificateProblem(e)) {
            return new FetchResult.Failed(TlsFailure.STS_WEBPKI_INVALID, url.host()
                    + " did not present a certificate valid for it under the Web PKI: " + describe(e));
        }
        return fetchError(url + " could not be fetched: " + describe(e));
    }

    private static boolean isCertificateProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLPeerUnverifiedException || t instanceof CertificateException
                    || t instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !sb.toString().contains(root.getMessage())) {
            sb.append(" (").append(root.getMessage()).append(')');
        }
        return sb.toString().replaceAll("\\s+", " ");
    }
}
