package dev.cgaudit.processor;

/** Per node and boot: the next seq expected and when (event time, µs) the boot was last heard of. */
public record SeqMark(long nextSeq, long lastSeenMicros) {
}
