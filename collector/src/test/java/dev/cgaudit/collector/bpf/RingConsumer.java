package dev.cgaudit.collector.bpf;

import dev.cgaudit.collector.Errno;
import dev.cgaudit.collector.decode.DecisionDecoder;
import dev.cgaudit.collector.decode.RawDecision;
import dev.cgaudit.collector.ring.RingRecord;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Test-only consumer of the capture ring through libbpf's own ring_buffer__* (the collector's Java
 * reader is written separately). The callback copies and decodes each record and never throws
 * across the native boundary: decode errors are collected and asserted on by the test.
 */
final class RingConsumer implements AutoCloseable {

    private final LibBpf lib;
    private final DecisionDecoder decoder = new DecisionDecoder();
    private final List<RawDecision> decisions = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    /** Held in a field: jnr must not collect the callback while libbpf holds its address. */
    private final LibBpf.RingBufferSampleFn callback = this::onSample;
    private Pointer rb;

    RingConsumer(LibBpf lib, int ringFd) throws BpfException {
        this.lib = lib;
        this.rb = lib.ring_buffer__new(ringFd, callback, null, null);
        if (rb == null) {
            int err = jnr.ffi.Runtime.getRuntime(lib).getLastError();
            throw new BpfException("ring_buffer__new", err, "");
        }
    }

    private int onSample(Pointer ctx, Pointer data, long size) {
        try {
            byte[] bytes = new byte[(int) size];
            data.get(0, bytes, 0, bytes.length);
            decisions.add(decoder.decode(RingRecord.copyOf(bytes)));
        } catch (Exception | Error e) {
            errors.add(e.toString());
        }
        return 0;
    }

    /** Consumes everything committed so far, without waiting. */
    void drain() throws BpfException {
        int n = lib.ring_buffer__consume(rb);
        if (n < 0) {
            throw new BpfException("ring_buffer__consume", -n, "");
        }
    }

    /** Waits up to {@code timeoutMs} for records (epoll inside libbpf), then consumes them. */
    void poll(int timeoutMs) throws BpfException {
        int n = lib.ring_buffer__poll(rb, timeoutMs);
        if (n < 0 && -n != Errno.EINTR) {
            throw new BpfException("ring_buffer__poll", -n, "");
        }
    }

    List<RawDecision> decisions() {
        return List.copyOf(decisions);
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() {
        if (rb != null) {
            lib.ring_buffer__free(rb);
            rb = null;
        }
    }
}
