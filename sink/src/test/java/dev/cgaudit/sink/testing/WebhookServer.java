package dev.cgaudit.sink.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 (the JDK's), answering POSTs by a script of responses, and
 * recording every request with its arrival time.
 */
public final class WebhookServer implements AutoCloseable {

    /** What the n-th request (0-based) gets. */
    @FunctionalInterface
    public interface Script {
        Response respond(int n, String body) throws Exception;
    }

    public record Response(int status, String body, Map<String, String> headers) {
        public static Response status(int status) {
            return new Response(status, "", Map.of());
        }

        public static Response status(int status, String body) {
            return new Response(status, body, Map.of());
        }
    }

    public record Request(long arrivedNanos, String body, String violationIdHeader, String authorization) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile Script script;

    public WebhookServer(Script script) throws IOException {
        this.script = script;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/hook", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Answers every request with 200. */
    public static WebhookServer accepting() throws IOException {
        return new WebhookServer((n, body) -> Response.status(200));
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    public void script(Script next) {
        this.script = next;
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** Gaps between successive request arrivals, in milliseconds. */
    public List<Long> gapsMillis() {
        List<Request> all = requests();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < all.size(); i++) {
            gaps.add((all.get(i).arrivedNanos() - all.get(i - 1).arrivedNanos()) / 1_000_000);
        }
        return gaps;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        requests.add(new Request(arrived, body, exchange.getRequestHeaders().getFirst("X-Cgaudit-Violation-Id"),
                exchange.getRequestHeaders().getFirst("Authorization")));
        Response response;
        try {
            response = script.respond(count.getAndIncrement(), body);
        } catch (Exception e) {
            response = Response.status(500, "script failed: " + e);
        }
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException clientGone) {
            // the sink timed out or was killed while we held the answer back: nothing to answer
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
