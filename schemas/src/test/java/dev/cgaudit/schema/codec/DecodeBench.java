package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Decode cost of the Avro path and the compiled reader, side by side on the same messages:
 * AttachDecisions shaped like a Kubernetes node's (kubepods paths, containerd shims). Each round
 * decodes every message with all four paths, chunk by chunk. Run: see schemas/README.md "Benchmarks".
 */
public final class DecodeBench {

    @FunctionalInterface
    private interface Decoding {
        /** The message's seq, so that nothing it read is dead code. */
        long decode(byte[] message) throws DecodeException;
    }

    private static final int CHUNK = 5_000;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        EventCodec<AttachDecision> codec = EventCodec.of(AttachDecision.class);
        byte[][] messages = messages(codec, count);
        long bytes = Arrays.stream(messages).mapToLong(m -> m.length).sum();
        System.out.printf("%d AttachDecision messages, %d-%d bytes, mean %.0f; %d warm-up and %d measured rounds%n",
                count, Arrays.stream(messages).mapToInt(m -> m.length).min().orElse(0),
                Arrays.stream(messages).mapToInt(m -> m.length).max().orElse(0), (double) bytes / count,
                warmups, rounds);

        Map<String, Decoding> paths = new LinkedHashMap<>();
        FieldsReader<AttachDecision> routing = codec.fieldsReader(List.of("node", "timestamp", "bootId", "seq", "eventId"));
        paths.put("decode, Avro (structure walk + fast reader)", m -> codec.decodeWithAvroReader(m).getSeq());
        paths.put("decode, compiled", m -> codec.decode(m).getSeq());
        paths.put("decodeAccepted, Avro (fast reader)", m -> codec.decodeAcceptedWithAvroReader(m).getSeq());
        paths.put("decodeAccepted, compiled", m -> codec.decodeAccepted(m).getSeq());
        // what a Kafka source that only checks and routes a decision needs: the same verdicts as decode
        paths.put("decode, compiled (paired with the fields)", m -> codec.decode(m).getSeq());
        paths.put("5 routing fields (FieldsReader)", m -> (Long) routing.read(m)[3]);
        Map<String, List<Double>> results = new LinkedHashMap<>();
        paths.keySet().forEach(k -> results.put(k, new ArrayList<>()));
        List<String> names = new ArrayList<>(paths.keySet());
        long sink = 0;
        for (int round = 0; round < warmups + rounds; round++) {
            Map<String, Long> nanos = new LinkedHashMap<>();
            // Old and new take turns on the same chunk of messages, first one then the other, so
            // that a neighbour's load on this shared machine falls on both about alike.
            for (int from = 0; from < messages.length; from += CHUNK) {
                int to = Math.min(messages.length, from + CHUNK);
                for (int pair = 0; pair < names.size(); pair += 2) {
                    for (int k = 0; k < 2; k++) {
                        String name = names.get(pair + ((from / CHUNK + k) % 2));
                        Decoding path = paths.get(name);
                        long start = System.nanoTime();
                        for (int i = from; i < to; i++) {
                            sink += path.decode(messages[i]);
                        }
                        nanos.merge(name, System.nanoTime() - start, Long::sum);
                    }
                }
            }
            if (round >= warmups) {
                nanos.forEach((name, ns) -> results.get(name).add((double) ns / messages.length));
            }
        }
        System.out.printf("%n%-46s %12s %12s%n", "ns/message (median of rounds, min-max)", "median", "range");
        double[] medians = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            List<Double> r = results.get(names.get(i));
            r.sort(null);
            medians[i] = r.get(r.size() / 2);
            System.out.printf("%-46s %12.0f %5.0f-%-6.0f%n", names.get(i), medians[i], r.get(0), r.get(r.size() - 1));
        }
        System.out.printf("%nspeed-up decode: %.2fx, decodeAccepted: %.2fx, routing fields against decode: %.2fx"
                + "   (checksum %d)%n", medians[0] / medians[1], medians[2] / medians[3], medians[4] / medians[5], sink);
    }

    private static byte[][] messages(EventCodec<AttachDecision> codec, int count) {
        Random random = new Random(1);
        String node = "worker-17";
        String bootId = new UUID(random.nextLong(), random.nextLong()).toString();
        String[][] writers = {
                {"containerd-shim", "/usr/bin/containerd-shim-runc-v2"},
                {"runc:[2:INIT]", "/usr/bin/runc"},
                {"systemd", "/usr/lib/systemd/systemd"},
                {"kubelet", "/usr/bin/kubelet"}};
        String[] comms = {"nginx", "java", "envoy", "pause", "python3", "node"};
        byte[][] messages = new byte[count][];
        long micros = Instant.parse("2026-11-28T10:00:00Z").toEpochMilli() * 1000;
        for (int i = 0; i < count; i++) {
            String[] writer = writers[random.nextInt(writers.length)];
            boolean denied = random.nextInt(10) == 0;
            micros += random.nextInt(5_000);
            AttachDecision d = AttachDecision.newBuilder()
                    .setEventId(node + "/" + bootId + "/" + i)
                    .setNode(node)
                    .setBootId(bootId)
                    .setSeq(i)
                    .setKernelTimeNs(8_000_000_000_000L + micros * 1000 % 1_000_000_000_000L)
                    .setTimestamp(Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1000))
                    .setOperation(random.nextInt(4) == 0 ? Operation.CLONE_INTO_CGROUP : Operation.PROCS_WRITE)
                    .setWriter(Writer.newBuilder().setPid(1000 + random.nextInt(60_000)).setTgid(1000 + random.nextInt(60_000))
                            .setUid(0).setGid(0).setComm(writer[0]).setExe(writer[1])
                            .setCgroupId(random.nextInt(100_000)).setCgroupPath("/system.slice/containerd.service")
                            .build())
                    .setTarget(Target.newBuilder().setPid(1000 + random.nextInt(60_000))
                            .setTgid(1000 + random.nextInt(60_000)).setComm(comms[random.nextInt(comms.length)]).build())
                    .setSource(random.nextInt(5) > 0 ? null
                            : CgroupRef.newBuilder().setId(random.nextInt(100_000)).setPath("/system.slice/containerd.service").build())
                    .setDestination(CgroupRef.newBuilder().setId(random.nextInt(100_000)).setPath(podPath(random)).build())
                    .setOutcome(denied ? Outcome.DENIED : Outcome.ALLOWED)
                    .setErrno(denied ? 13 : 0)
                    .setErrnoName(denied ? "EACCES" : null)
                    .setEnforcement(denied && random.nextBoolean()
                            ? Enforcement.newBuilder().setRuleId("kubepods-writers").setRuleVersion(3).setBackend("dac").build()
                            : null)
                    .setCollectorVersion("0.1.0")
                    .build();
            messages[i] = codec.encode(d);
        }
        return messages;
    }

    private static String podPath(Random random) {
        StringBuilder container = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            container.append(Character.forDigit(random.nextInt(16), 16));
        }
        return "/kubepods/burstable/pod" + new UUID(random.nextLong(), random.nextLong()).toString().replace('-', '_')
                + "/cri-containerd-" + container + ".scope";
    }
}
