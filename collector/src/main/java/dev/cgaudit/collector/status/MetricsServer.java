package dev.cgaudit.collector.status;

import com.sun.net.httpserver.HttpServer;
import dev.cgaudit.collector.CollectorMetrics;
import dev.cgaudit.collector.publish.DecisionSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code --metrics-port}: the collector's counters in the Prometheus text format on
 * {@code /metrics}. The JDK's own HTTP server: one endpoint does not justify a dependency.
 */
public final class MetricsServer implements AutoCloseable {

    private final HttpServer server;

    public MetricsServer(int port, CollectorMetrics metrics, DecisionSink sink, CollectorHealth health)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = render(metrics, sink, health).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    static String render(CollectorMetrics m, DecisionSink sink, CollectorHealth health) {
        StringBuilder b = new StringBuilder();
        counter(b, "cgaudit_collector_records_read_total", "Ring records or trace lines read.", m.recordsRead.sum());
        counter(b, "cgaudit_collector_decode_errors_total", "Records that did not decode.", m.decodeErrors.sum());
        counter(b, "cgaudit_collector_decisions_total", "Decisions handed to the sink.", m.decisions.sum());
        counter(b, "cgaudit_collector_published_total", "Decisions acknowledged by Kafka.", m.published.sum());
        counter(b, "cgaudit_collector_resends_total", "Rewinds after a failed send.", m.resends.sum());
        counter(b, "cgaudit_collector_spool_dropped_total", "Decisions refused by a full spool.", sink.dropped());
        b.append("# HELP cgaudit_collector_ring_lost_total Records the kernel could not reserve in the ring.\n")
                .append("# TYPE cgaudit_collector_ring_lost_total counter\n");
        for (Map.Entry<String, Long> e : health.ringLostByType().entrySet()) {
            b.append("cgaudit_collector_ring_lost_total{type=\"").append(e.getKey()).append("\"} ")
                    .append(e.getValue()).append('\n');
        }
        b.append("# HELP cgaudit_collector_spool_depth Decisions waiting in the spool.\n")
                .append("# TYPE cgaudit_collector_spool_depth gauge\n")
                .append("cgaudit_collector_spool_depth ").append(sink.backlog()).append('\n');
        b.append("# HELP cgaudit_collector_publish_latency_seconds Send to acknowledgement.\n")
                .append("# TYPE cgaudit_collector_publish_latency_seconds summary\n")
                .append("cgaudit_collector_publish_latency_seconds_count ").append(m.publishLatency.count()).append('\n')
                .append("cgaudit_collector_publish_latency_seconds_sum ").append(m.publishLatency.sumNanos() / 1e9).append('\n');
        b.append("# HELP cgaudit_collector_publish_latency_max_seconds Slowest acknowledgement so far.\n")
                .append("# TYPE cgaudit_collector_publish_latency_max_seconds gauge\n")
                .append("cgaudit_collector_publish_latency_max_seconds ").append(m.publishLatency.maxNanos() / 1e9).append('\n');
        return b.toString();
    }

    private static void counter(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
