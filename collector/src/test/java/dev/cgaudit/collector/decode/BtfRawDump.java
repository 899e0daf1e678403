package dev.cgaudit.collector.decode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The types of {@code bpftool btf dump file OBJ format raw}, enough to compute struct member
 * offsets and sizes: INT, TYPEDEF, CONST/VOLATILE, ARRAY, STRUCT/UNION, ENUM, PTR.
 */
public final class BtfRawDump {

    record Member(String name, int typeId, int bitsOffset) {
    }

    record Type(int id, String kind, String name, Map<String, String> attrs, List<Member> members) {
    }

    private static final Pattern TYPE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'([^']*)' type_id=(\\d+) bits_offset=(\\d+).*$");
    private static final Pattern ATTR = Pattern.compile("(\\w+)=([^\\s,]+)");

    private final Map<Integer, Type> types = new HashMap<>();

    public static BtfRawDump parse(String text) {
        BtfRawDump dump = new BtfRawDump();
        Type current = null;
        for (String line : text.split("\n")) {
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                Map<String, String> attrs = new HashMap<>();
                Matcher a = ATTR.matcher(t.group(4));
                while (a.find()) {
                    attrs.put(a.group(1), a.group(2));
                }
                current = new Type(Integer.parseInt(t.group(1)), t.group(2), t.group(3), attrs, new ArrayList<>());
                dump.types.put(current.id(), current);
                continue;
            }
            Matcher m = MEMBER.matcher(line);
            if (m.matches() && current != null) {
                current.members().add(new Member(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
            }
        }
        return dump;
    }

    /**
     * Every member of {@code struct} as name → {offset, size} in bytes, in declaration order, and
     * the struct's size under the key {@code sizeof}; empty when the BTF has no such struct.
     */
    public Optional<Map<String, long[]>> layout(String struct) {
        return struct(struct).map(t -> {
            Map<String, long[]> members = new java.util.LinkedHashMap<>();
            for (Member m : t.members()) {
                if (m.bitsOffset() % 8 != 0) {
                    throw new IllegalArgumentException(struct + "." + m.name() + " is a bitfield");
                }
                members.put(m.name(), new long[] {m.bitsOffset() / 8, sizeOf(m.typeId())});
            }
            members.put("sizeof", new long[] {0, sizeOf(t.id())});
            return members;
        });
    }

    Optional<Type> struct(String name) {
        return types.values().stream().filter(t -> t.kind().equals("STRUCT") && t.name().equals(name)).findFirst();
    }

    /** Size in bytes of type {@code id}, following typedefs, qualifiers and arrays. */
    long sizeOf(int id) {
        Type t = types.get(id);
        if (t == null) {
            throw new IllegalArgumentException("no BTF type " + id);
        }
        switch (t.kind()) {
            case "INT":
            case "STRUCT":
            case "UNION":
            case "ENUM":
            case "ENUM64":
                return Long.parseLong(t.attrs().get("size"));
            case "PTR":
                return 8;
            case "TYPEDEF":
            case "CONST":
            case "VOLATILE":
            case "RESTRICT":
                return sizeOf(Integer.parseInt(t.attrs().get("type_id")));
            case "ARRAY":
                return Long.parseLong(t.attrs().get("nr_elems")) * sizeOf(Integer.parseInt(t.attrs().get("type_id")));
            default:
                throw new IllegalArgumentException("size of BTF kind " + t.kind() + " not supported");
        }
    }
}
