package dev.cgaudit.sink.delivery;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * POSTs each finding as one JSON document ({@code Content-Type: application/json}) to an HTTP(S)
 * endpoint. 2xx is delivered. 408, 429, 5xx, timeouts and connection failures are retriable;
 * every other status is permanent, 401/403 included: a wrong credential does not become right by
 * repetition, and hammering an authenticating endpoint gets the sink locked out. Redirects are not
 * followed (a webhook that moved is a configuration error, and following one could send findings
 * somewhere else).
 */
public final class WebhookDelivery implements Delivery {

    /** How much of an error response body a dead letter quotes. */
    private static final int BODY_EXCERPT = 200;

    private final URI uri;
    private final HttpClient client;
    private final Duration requestTimeout;
    private final Map<String, String> headers;

    public WebhookDelivery(URI uri, Duration connectTimeout, Duration requestTimeout, Map<String, String> headers) {
        String scheme = uri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("a webhook URL is http:// or https://, got '" + uri + "'");
        }
        this.uri = uri;
        this.requestTimeout = requestTimeout;
        this.headers = Map.copyOf(headers);
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String target() {
        return uri.toString();
    }

    @Override
    public void deliver(Finding finding) throws DeliveryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                // receivers that dedupe can do so without parsing the body
                .header("X-Cgaudit-Violation-Id", finding.violationId())
                .POST(HttpRequest.BodyPublishers.ofString(finding.json(), StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new RetriableDeliveryException("no answer within " + requestTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new RetriableDeliveryException("I/O error: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableDeliveryException("interrupted while sending", e);
        }
        classify(response.statusCode(), response.body(), response.headers().firstValue("Retry-After"));
    }

    /** Returns for 2xx, throws the typed failure for anything else. */
    static void classify(int status, String body, Optional<String> retryAfter) throws DeliveryException {
        if (status >= 200 && status < 300) {
            return;
        }
        String message = "HTTP " + status + excerpt(body);
        if (status == 408 || status == 429 || status >= 500) {
            throw new RetriableDeliveryException(message, null, retryAfter.flatMap(WebhookDelivery::seconds).orElse(null));
        }
        if (status == 401 || status == 403) {
            throw new PermanentDeliveryException(message + " (credentials rejected; not retried)", null);
        }
        throw new PermanentDeliveryException(message, null);
    }

    private static Optional<Duration> seconds(String retryAfter) {
        try {
            long s = Long.parseLong(retryAfter.trim());
            return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException httpDate) {
            // the HTTP-date form is rare for webhooks; the backoff applies instead
            return Optional.empty();
        }
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "..." : oneLine);
    }
}
