package dev.cgaudit.demo;

import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.json.JsonLineException;
import dev.cgaudit.schema.json.JsonLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded demo run, for machines where BPF is not permitted: the scratch subtree's decisions as
 * a JSON Lines trace (the collector's trace format) and, beside it in {@code FILE.steps}, the
 * scratch root it ran under and when each step began, so a playback can publish the policy
 * commands at the same points between the decisions.
 *
 * <p>Recording keeps only decisions that touch the scratch subtree (the kernel also reported this
 * machine's other migrations) and renumbers their seq gap-free, so a playback is not mistaken for
 * collector loss.
 */
record DemoTrace(String root, List<AttachDecision> decisions, Map<DemoStep, Instant> steps) {

    static final String BUNDLED = "demo-trace.jsonl";
    private static final JsonLines<AttachDecision> JSON = JsonLines.of(AttachDecision.class);

    DemoTrace {
        decisions = List.copyOf(decisions);
        steps = Map.copyOf(steps);
    }

    static DemoTrace recorded(String root, List<AttachDecision> captured, Map<DemoStep, Instant> steps) {
        List<AttachDecision> sorted = new ArrayList<>(captured);
        sorted.sort(Comparator.comparingLong(AttachDecision::getSeq));
        List<AttachDecision> renumbered = new ArrayList<>();
        for (int seq = 0; seq < sorted.size(); seq++) {
            AttachDecision d = AttachDecision.newBuilder(sorted.get(seq)).setSeq(seq).build();
            d.setEventId(d.getNode() + "/" + d.getBootId() + "/" + seq);
            renumbered.add(d);
        }
        return new DemoTrace(root, renumbered, steps);
    }

    void write(Path file) throws IOException {
        List<String> lines = decisions.stream().map(JSON::write).toList();
        Files.write(file, lines, StandardCharsets.UTF_8);
        List<String> meta = new ArrayList<>();
        meta.add("root " + root);
        steps.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> meta.add("step " + e.getKey().name() + " " + e.getValue()));
        Files.write(stepsFile(file), meta, StandardCharsets.UTF_8);
    }

    static Path stepsFile(Path trace) {
        return trace.resolveSibling(trace.getFileName() + ".steps");
    }

    /** The trace bundled in the cgaudit jar. */
    static DemoTrace bundled() throws IOException, JsonLineException {
        try (InputStream trace = resource(BUNDLED); InputStream steps = resource(BUNDLED + ".steps")) {
            return read(trace, steps, BUNDLED);
        }
    }

    static DemoTrace read(InputStream trace, InputStream stepsIn, String name) throws IOException, JsonLineException {
        List<AttachDecision> decisions = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(trace, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    decisions.add(JSON.read(line));
                }
            }
        }
        String root = null;
        Map<DemoStep, Instant> steps = new EnumMap<>(DemoStep.class);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stepsIn, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.strip().split(" ");
                if (f[0].equals("root") && f.length == 2) {
                    root = f[1];
                } else if (f[0].equals("step") && f.length == 3) {
                    steps.put(DemoStep.valueOf(f[1]), Instant.parse(f[2]));
                } else if (!line.isBlank()) {
                    throw new IOException(name + ".steps: unexpected line '" + line + "'");
                }
            }
        }
        if (root == null) {
            throw new IOException(name + ".steps: no 'root' line");
        }
        return new DemoTrace(root, decisions, steps);
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = DemoTrace.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("the bundled " + name + " is missing from the cgaudit jar");
        }
        return in;
    }
}
