package dev.cgaudit.policy.cel;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.TimestampProto;
import java.util.ArrayList;
import java.util.List;

/**
 * The type of the CEL variable {@code decision}: the fields of the Avro {@code AttachDecision},
 * described as a protobuf message built here in code.
 *
 * <p>Why protobuf: cel-java type-checks field selection against protobuf descriptors, so a typo
 * such as {@code decision.writer.uidd} fails at compile time ({@code cgaudit policy validate}),
 * not in the live job. A descriptor built programmatically needs no .proto file and no protoc in
 * the build; decisions are evaluated as {@code DynamicMessage}s of it.
 *
 * <p>proto2 syntax on purpose: every field keeps presence, so {@code has(decision.writer.exe)}
 * tells an unresolved (null) value from an empty one. Enums are strings holding the Avro symbol
 * ({@code decision.outcome == "DENIED"}) so that expressions read like the JSON Lines form.
 */
public final class DecisionSchema {

    public static final String VARIABLE = "decision";
    static final String PACKAGE = "cgaudit.cel";

    static final FileDescriptor FILE = build();
    static final Descriptor DECISION = FILE.findMessageTypeByName("Decision");
    static final Descriptor WRITER = FILE.findMessageTypeByName("Writer");
    static final Descriptor TARGET = FILE.findMessageTypeByName("Target");
    static final Descriptor CGROUP_REF = FILE.findMessageTypeByName("CgroupRef");
    static final Descriptor ENFORCEMENT = FILE.findMessageTypeByName("Enforcement");

    private DecisionSchema() {
    }

    /** The fully qualified message name CEL knows the variable's type by. */
    static String decisionTypeName() {
        return PACKAGE + ".Decision";
    }

    /**
     * Every selectable path below {@code decision}, e.g. {@code writer.uid}, {@code outcome}: used to
     * suggest the closest name when CEL reports an undefined field.
     */
    public static List<String> fieldPaths() {
        List<String> paths = new ArrayList<>();
        collect(DECISION, "", paths);
        return List.copyOf(paths);
    }

    private static void collect(Descriptor message, String prefix, List<String> out) {
        for (FieldDescriptor field : message.getFields()) {
            String path = prefix + field.getName();
            out.add(path);
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && field.getMessageType().getFile() == FILE) {
                collect(field.getMessageType(), path + ".", out);
            }
        }
    }

    private static FileDescriptor build() {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("cgaudit/cel/decision.proto")
                .setPackage(PACKAGE)
                .setSyntax("proto2")
                .addDependency(TimestampProto.getDescriptor().getName())
                .addMessageType(message("Writer")
                        .addField(field("pid", 1, Type.TYPE_INT32))
                        .addField(field("tgid", 2, Type.TYPE_INT32))
                        .addField(field("uid", 3, Type.TYPE_INT64))
                        .addField(field("gid", 4, Type.TYPE_INT64))
                        .addField(field("comm", 5, Type.TYPE_STRING))
                        .addField(field("exe", 6, Type.TYPE_STRING))
                        .addField(field("cgroupId", 7, Type.TYPE_INT64))
                        .addField(field("cgroupPath", 8, Type.TYPE_STRING)))
                .addMessageType(message("Target")
                        .addField(field("pid", 1, Type.TYPE_INT32))
                        .addField(field("tgid", 2, Type.TYPE_INT32))
                        .addField(field("comm", 3, Type.TYPE_STRING)))
                .addMessageType(message("CgroupRef")
                        .addField(field("id", 1, Type.TYPE_INT64))
                        .addField(field("path", 2, Type.TYPE_STRING))
                        .addField(field("pathError", 3, Type.TYPE_STRING)))
                .addMessageType(message("Enforcement")
                        .addField(field("ruleId", 1, Type.TYPE_STRING))
                        .addField(field("ruleVersion", 2, Type.TYPE_INT64))
                        .addField(field("backend", 3, Type.TYPE_STRING)))
                .addMessageType(message("Decision")
                        .addField(field("eventId", 1, Type.TYPE_STRING))
                        .addField(field("node", 2, Type.TYPE_STRING))
                        .addField(field("bootId", 3, Type.TYPE_STRING))
                        .addField(field("seq", 4, Type.TYPE_INT64))
                        .addField(field("kernelTimeNs", 5, Type.TYPE_INT64))
                        .addField(messageField("timestamp", 6, ".google.protobuf.Timestamp"))
                        .addField(field("operation", 7, Type.TYPE_STRING))
                        .addField(messageField("writer", 8, "." + PACKAGE + ".Writer"))
                        .addField(messageField("target", 9, "." + PACKAGE + ".Target"))
                        .addField(messageField("source", 10, "." + PACKAGE + ".CgroupRef"))
                        .addField(messageField("destination", 11, "." + PACKAGE + ".CgroupRef"))
                        .addField(field("outcome", 12, Type.TYPE_STRING))
                        .addField(field("errno", 13, Type.TYPE_INT32))
                        .addField(field("errnoName", 14, Type.TYPE_STRING))
                        .addField(messageField("enforcement", 15, "." + PACKAGE + ".Enforcement"))
                        .addField(field("collectorVersion", 16, Type.TYPE_STRING)))
                .build();
        try {
            return FileDescriptor.buildFrom(file, new FileDescriptor[] {TimestampProto.getDescriptor()});
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException("the decision descriptor written in this class is invalid", e);
        }
    }

    private static DescriptorProto.Builder message(String name) {
        return DescriptorProto.newBuilder().setName(name);
    }

    private static FieldDescriptorProto field(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder()
                .setName(name).setNumber(number).setType(type).setLabel(Label.LABEL_OPTIONAL).build();
    }

    private static FieldDescriptorProto messageField(String name, int number, String typeName) {
        return FieldDescriptorProto.newBuilder()
                .setName(name).setNumber(number).setType(Type.TYPE_MESSAGE).setTypeName(typeName)
                .setLabel(Label.LABEL_OPTIONAL).build();
    }
}
