package dev.cgaudit.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cgaudit.sink.testing.WebhookServer;
import dev.cgaudit.sink.testing.WebhookServer.Response;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real HTTP server on 127.0.0.1: retries, backoff, permanent failures, dead letters. */
class WebhookDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Finding FINDING = new Finding("v-000042", "{\"finding_info\":{\"uid\":\"v-000042\"}}");
    private static final DeadLetterFile.Source SOURCE = new DeadLetterFile.Source("cgaudit.violations", 1, 17);

    @TempDir
    Path dir;

    private WebhookServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private WebhookDelivery webhook(URI uri) {
        return new WebhookDelivery(uri, Duration.ofSeconds(2), Duration.ofSeconds(2), Map.of("Authorization", "Bearer t0ken"));
    }

    private static RetryPolicy retries(int maxAttempts) {
        return new RetryPolicy(maxAttempts, new Backoff(Duration.ofMillis(40), Duration.ofSeconds(1), new Random(7)));
    }

    @Test
    void serviceUnavailableThreeTimesThenDeliveredWithGrowingBreaks() throws Exception {
        server = new WebhookServer((n, body) -> n < 3 ? Response.status(503, "warming up") : Response.status(202));

        RetryPolicy.Result result = retries(5).deliver(webhook(server.uri()), FINDING, new StopSignal());

        assertThat(result).isEqualTo(new RetryPolicy.Delivered(4));
        assertThat(server.requests()).hasSize(4).allSatisfy(r -> {
            assertThat(r.body()).isEqualTo(FINDING.json());
            assertThat(r.violationIdHeader()).isEqualTo("v-000042");
            assertThat(r.authorization()).isEqualTo("Bearer t0ken");
        });
        // breaks drawn from [20,40], [40,80], [80,160] ms: each at least its lower bound, and growing
        List<Long> gaps = server.gapsMillis();
        assertThat(gaps.get(0)).isGreaterThanOrEqualTo(20);
        assertThat(gaps.get(1)).isGreaterThanOrEqualTo(40);
        assertThat(gaps.get(2)).isGreaterThanOrEqualTo(80).isGreaterThan(gaps.get(0));
    }

    @Test
    void badRequestIsPermanentAndDeadLetteredWithTheReason() throws Exception {
        server = new WebhookServer((n, body) -> Response.status(400, "{\"error\": \"unknown field class_uid\"}"));
        Path letters = dir.resolve("dead.jsonl");

        try (Dispatcher dispatcher = new Dispatcher(List.of(webhook(server.uri())), retries(5),
                new DeadLetterFile(letters, Clock.systemUTC()))) {
            Dispatcher.Outcome outcome = dispatcher.dispatch(FINDING, SOURCE);
            dispatcher.flush();
            assertThat(outcome).isEqualTo(new Dispatcher.Outcome(0, 1, true));
        }

        assertThat(server.requests()).as("not retried").hasSize(1);
        List<String> lines = Files.readAllLines(letters);
        assertThat(lines).hasSize(1);
        var letter = JSON.readTree(lines.get(0));
        assertThat(letter.get("target").asText()).isEqualTo(server.uri().toString());
        assertThat(letter.get("reason").asText())
                .isEqualTo("permanent failure: HTTP 400: {\"error\": \"unknown field class_uid\"}");
        assertThat(letter.get("attempts").asInt()).isEqualTo(1);
        assertThat(letter.get("violationId").asText()).isEqualTo("v-000042");
        assertThat(letter.at("/finding/finding_info/uid").asText()).isEqualTo("v-000042");
        assertThat(letter.get("partition").asInt()).isEqualTo(1);
        assertThat(letter.get("offset").asLong()).isEqualTo(17);
    }

    @Test
    void afterMaxAttemptsTheFindingIsDeadLettered() throws Exception {
        server = new WebhookServer((n, body) -> Response.status(502, "bad gateway"));
        Path letters = dir.resolve("dead.jsonl");

        try (Dispatcher dispatcher = new Dispatcher(List.of(webhook(server.uri())), retries(3),
                new DeadLetterFile(letters, Clock.systemUTC()))) {
            assertThat(dispatcher.dispatch(FINDING, SOURCE)).isEqualTo(new Dispatcher.Outcome(0, 1, true));
        }

        assertThat(server.requests()).hasSize(3);
        var letter = JSON.readTree(Files.readAllLines(letters).get(0));
        assertThat(letter.get("reason").asText())
                .isEqualTo("gave up after 3 attempts; last failure: HTTP 502: bad gateway");
        assertThat(letter.get("attempts").asInt()).isEqualTo(3);
    }

    @Test
    void credentialsRejectedAreNeverRetried() throws Exception {
        server = new WebhookServer((n, body) -> Response.status(401));

        RetryPolicy.Result result = retries(5).deliver(webhook(server.uri()), FINDING, new StopSignal());

        assertThat(result).isInstanceOf(RetryPolicy.Failed.class);
        assertThat(((RetryPolicy.Failed) result).reason()).contains("HTTP 401").contains("not retried");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void tooManyRequestsAndRequestTimeoutAreRetried() throws Exception {
        server = new WebhookServer((n, body) -> switch (n) {
            case 0 -> new Response(429, "slow down", Map.of("Retry-After", "0"));
            case 1 -> Response.status(408);
            default -> Response.status(200);
        });

        assertThat(retries(3).deliver(webhook(server.uri()), FINDING, new StopSignal()))
                .isEqualTo(new RetryPolicy.Delivered(3));
    }

    @Test
    void noAnswerInTimeIsRetriable() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = new WebhookServer((n, body) -> {
            release.await(10, TimeUnit.SECONDS);
            return Response.status(200);
        });
        WebhookDelivery impatient = new WebhookDelivery(server.uri(), Duration.ofSeconds(1), Duration.ofMillis(200), Map.of());
        try {
            assertThatThrownBy(() -> impatient.deliver(FINDING))
                    .isInstanceOf(RetriableDeliveryException.class)
                    .hasMessageContaining("no answer within 200 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aRefusedConnectionIsRetriable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        WebhookDelivery nobodyHome = webhook(URI.create("http://127.0.0.1:" + closedPort + "/hook"));

        assertThatThrownBy(() -> nobodyHome.deliver(FINDING)).isInstanceOf(RetriableDeliveryException.class);
    }

    @Test
    void stoppingEndsTheWaitBetweenRetries() throws Exception {
        server = new WebhookServer((n, body) -> Response.status(503));
        StopSignal stop = new StopSignal();
        RetryPolicy slow = new RetryPolicy(5, new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(60), new Random(1)));
        stop.raise();

        long start = System.nanoTime();
        RetryPolicy.Result result = slow.deliver(webhook(server.uri()), FINDING, stop);

        assertThat(result).isInstanceOf(RetryPolicy.Stopped.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void statusClassification() {
        assertThatThrownBy(() -> WebhookDelivery.classify(500, "", java.util.Optional.empty()))
                .isInstanceOf(RetriableDeliveryException.class);
        assertThatThrownBy(() -> WebhookDelivery.classify(404, "no such hook", java.util.Optional.empty()))
                .isInstanceOf(PermanentDeliveryException.class).hasMessage("HTTP 404: no such hook");
        assertThatThrownBy(() -> WebhookDelivery.classify(301, "", java.util.Optional.empty()))
                .isInstanceOf(PermanentDeliveryException.class);
        assertThatThrownBy(() -> WebhookDelivery.classify(429, "", java.util.Optional.of("7")))
                .isInstanceOfSatisfying(RetriableDeliveryException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
    }

    @Test
    void onlyHttpAndHttpsAreWebhooks() {
        assertThatThrownBy(() -> webhook(URI.create("ftp://example.org/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http:// or https://");
    }
}
