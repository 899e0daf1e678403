package dev.cgaudit.schema.codec;

import dev.cgaudit.schema.AllowEntry;
import dev.cgaudit.schema.AttachDecision;
import dev.cgaudit.schema.Capability;
import dev.cgaudit.schema.CgroupRef;
import dev.cgaudit.schema.CommandType;
import dev.cgaudit.schema.Component;
import dev.cgaudit.schema.Direction;
import dev.cgaudit.schema.Enforcement;
import dev.cgaudit.schema.Mode;
import dev.cgaudit.schema.Operation;
import dev.cgaudit.schema.Outcome;
import dev.cgaudit.schema.PolicyCommand;
import dev.cgaudit.schema.PolicyCommandResult;
import dev.cgaudit.schema.PolicyViolation;
import dev.cgaudit.schema.Rule;
import dev.cgaudit.schema.RuleEnforcementStatus;
import dev.cgaudit.schema.RuleKind;
import dev.cgaudit.schema.Severity;
import dev.cgaudit.schema.StatusEvent;
import dev.cgaudit.schema.Target;
import dev.cgaudit.schema.Threshold;
import dev.cgaudit.schema.ViolationKind;
import dev.cgaudit.schema.Writer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * Random valid events of all four types, for the reader's equivalence and fuzz tests: every
 * optional field null about half the time, strings from empty to long and non-ASCII, arrays from
 * empty to a few hundred items, numbers across their whole range.
 */
final class RandomEvents {

    private static final String[] PIECES = {"a", "/", "kubepods", "é", "日本", "\uD83D\uDE00", "-", "0", " ", "ß"};

    private final Random random;

    RandomEvents(long seed) {
        this.random = new Random(seed);
    }

    SpecificRecord next(Class<? extends SpecificRecord> type) {
        if (type == AttachDecision.class) {
            return decision();
        }
        if (type == PolicyCommand.class) {
            return command();
        }
        if (type == PolicyViolation.class) {
            return violation();
        }
        return status();
    }

    AttachDecision decision() {
        return AttachDecision.newBuilder()
                .setEventId(string()).setNode(string()).setBootId(string())
                .setSeq(anyLong()).setKernelTimeNs(anyLong()).setTimestamp(instant())
                .setOperation(pick(Operation.values()))
                .setWriter(Writer.newBuilder().setPid(anyInt()).setTgid(anyInt()).setUid(anyLong())
                        .setGid(anyLong()).setComm(string()).setExe(maybe(this::string))
                        .setCgroupId(anyLong()).setCgroupPath(maybe(this::string)).build())
                .setTarget(maybe(() -> Target.newBuilder().setPid(anyInt()).setTgid(maybe(this::anyInt))
                        .setComm(maybe(this::string)).build()))
                .setSource(maybe(this::cgroup))
                .setDestination(cgroup())
                .setOutcome(pick(Outcome.values()))
                .setErrno(anyInt())
                .setErrnoName(maybe(this::string))
                .setEnforcement(maybe(() -> Enforcement.newBuilder().setRuleId(string())
                        .setRuleVersion(anyLong()).setBackend(string()).build()))
                .setCollectorVersion(maybe(this::string))
                .build();
    }

    PolicyCommand command() {
        return PolicyCommand.newBuilder()
                .setCommandId(string()).setType(pick(CommandType.values())).setRuleId(string())
                .setRuleVersion(anyLong()).setIssuedAt(instant()).setAuthor(string())
                .setReason(maybe(this::string))
                .setRule(maybe(() -> Rule.newBuilder().setId(string()).setDescription(maybe(this::string))
                        .setSubtree(string()).setKind(pick(RuleKind.values()))
                        .setDirection(pick(Direction.values())).setMode(pick(Mode.values()))
                        .setSeverity(pick(Severity.values()))
                        .setAllow(list(() -> AllowEntry.newBuilder()
                                .setExe(maybe(() -> shortList(this::string))).setComm(maybe(() -> shortList(this::string)))
                                .setUid(maybe(() -> shortList(this::anyLong))).setGid(maybe(() -> shortList(this::anyLong)))
                                .setWriterCgroup(maybe(() -> shortList(this::string))).build()))
                        .setWhen(maybe(this::string))
                        .setThreshold(maybe(() -> Threshold.newBuilder().setCount(anyInt())
                                .setWithinMillis(anyLong()).build()))
                        .build()))
                .setMode(maybe(() -> pick(Mode.values())))
                .setKeyId(maybe(this::string))
                .setSignature(maybe(this::bytes))
                .build();
    }

    PolicyViolation violation() {
        return PolicyViolation.newBuilder()
                .setViolationId(string()).setRuleId(string()).setRuleVersion(anyLong())
                .setMode(maybe(() -> pick(Mode.values()))).setSeverity(pick(Severity.values()))
                .setKind(pick(ViolationKind.values())).setSubtree(maybe(this::string))
                .setDecisionIds(list(this::string)).setOutcomes(list(() -> pick(Outcome.values())))
                .setFirstSeen(instant()).setLastSeen(instant()).setCount(anyLong())
                .setNodes(list(this::string)).setExplanation(string())
                .build();
    }

    StatusEvent status() {
        Map<String, Long> lost = new HashMap<>();
        for (int i = random.nextInt(4) == 0 ? 0 : random.nextInt(20); i > 0; i--) {
            lost.put(string(), anyLong());
        }
        return StatusEvent.newBuilder()
                .setComponent(pick(Component.values())).setNode(string()).setBootId(maybe(this::string))
                .setTimestamp(instant()).setVersion(maybe(this::string))
                .setRecordsRead(anyLong()).setRecordsPublished(anyLong()).setRingRecordsLost(anyLong())
                .setRingLostByType(lost)
                .setDecodeErrors(anyLong()).setSpoolDepth(anyLong()).setSpoolDropped(anyLong())
                .setSeqHighWater(maybe(this::anyLong)).setEnforcementBackend(maybe(this::string))
                .setCapabilities(list(() -> Capability.newBuilder().setName(string())
                        .setAvailable(random.nextBoolean()).setDetail(maybe(this::string)).build()))
                .setRuleEnforcement(list(() -> RuleEnforcementStatus.newBuilder().setRuleId(string())
                        .setRuleVersion(anyLong()).setBackend(maybe(this::string))
                        .setEnforced(random.nextBoolean()).setReason(maybe(this::string)).build()))
                .setPolicyCommands(list(() -> PolicyCommandResult.newBuilder().setCommandId(string())
                        .setRuleId(string()).setRuleVersion(anyLong()).setAccepted(random.nextBoolean())
                        .setReason(maybe(this::string)).build()))
                .setMessage(maybe(this::string))
                .build();
    }

    private CgroupRef cgroup() {
        return CgroupRef.newBuilder().setId(anyLong()).setPath(maybe(this::string))
                .setPathError(maybe(this::string)).build();
    }

    private String string() {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return "";
        }
        int pieces = kind == 1 ? 100 + random.nextInt(300) : random.nextInt(12);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            s.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    private ByteBuffer bytes() {
        byte[] b = new byte[random.nextInt(70)];
        random.nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    private int anyInt() {
        // small values are what real events have; the extremes test the varint's fifth byte
        switch (random.nextInt(4)) {
            case 0:
                return random.nextInt(100);
            case 1:
                return random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            default:
                return random.nextInt();
        }
    }

    private long anyLong() {
        switch (random.nextInt(4)) {
            case 0:
                return random.nextInt(1000);
            case 1:
                return random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            default:
                return random.nextLong() >> random.nextInt(64);
        }
    }

    private Instant instant() {
        // whole microseconds, as the wire keeps them; before and after the epoch
        long micros = random.nextLong() >> 12;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    private <E> E pick(E[] values) {
        return values[random.nextInt(values.length)];
    }

    private <E> E maybe(Supplier<E> value) {
        return random.nextBoolean() ? null : value.get();
    }

    private <E> List<E> list(Supplier<E> item) {
        return list(item, random.nextInt(8) == 1 ? 100 + random.nextInt(200) : random.nextInt(5));
    }

    /** Inside a list item, so that a message stays below a megabyte. */
    private <E> List<E> shortList(Supplier<E> item) {
        return list(item, random.nextInt(5));
    }

    private <E> List<E> list(Supplier<E> item, int size) {
        List<E> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(item.get());
        }
        return items;
    }
}
