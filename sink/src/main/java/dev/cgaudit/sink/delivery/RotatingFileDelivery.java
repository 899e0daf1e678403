package dev.cgaudit.sink.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Appends findings as JSON Lines to {@code PATH}. When the next line would take the file past
 * {@code maxBytes}, it is renamed to {@code PATH.1} (older ones shift to {@code PATH.2} ...) and a
 * fresh {@code PATH} begins; at most {@code keep} rotated files are kept, the oldest is deleted.
 * A line is never split across files, and {@link #flush()} forces the file to disk before the
 * consumer commits its offsets.
 *
 * <p>Not thread-safe: the consumer delivers from one thread.
 */
public final class RotatingFileDelivery implements Delivery {

    private final Path path;
    private final long maxBytes;
    private final int keep;
    private FileChannel channel;
    private long size;

    public RotatingFileDelivery(Path path, long maxBytes, int keep) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("rotation size must be positive, got " + maxBytes);
        }
        if (keep < 0) {
            throw new IllegalArgumentException("rotated files to keep must be 0 or more, got " + keep);
        }
        this.path = path.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.keep = keep;
        Path parent = this.path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        open();
    }

    public Path path() {
        return path;
    }

    /** {@code PATH.n}, the n-th newest rotated file. */
    public Path rotated(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    @Override
    public String target() {
        return "file:" + path;
    }

    @Override
    public void deliver(Finding finding) throws DeliveryException {
        byte[] line = (finding.json() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                open(); // a rotation failed half-way last time
            }
            if (size > 0 && size + line.length > maxBytes) {
                rotate();
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            size += line.length;
        } catch (IOException e) {
            // ENOSPC and friends can pass; a half-written line is cut off by the next open
            throw new RetriableDeliveryException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.force(false);
            channel.close();
            channel = null;
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
        if (size > 0 && !endsWithNewline()) {
            // a crash mid-line left a torn record; end it so the next line stays parseable on its own
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            size++;
        }
    }

    private boolean endsWithNewline() throws IOException {
        try (FileChannel read = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            read.read(last, size - 1);
            return last.get(0) == '\n';
        }
    }

    private void rotate() throws IOException {
        close();
        if (keep == 0) {
            Files.delete(path);
        } else {
            Files.deleteIfExists(rotated(keep));
            for (int n = keep - 1; n >= 1; n--) {
                if (Files.exists(rotated(n))) {
                    Files.move(rotated(n), rotated(n + 1), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.move(path, rotated(1), StandardCopyOption.ATOMIC_MOVE);
        }
        open();
    }
}
