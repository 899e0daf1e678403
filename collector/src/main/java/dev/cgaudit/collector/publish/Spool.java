package dev.cgaudit.collector.publish;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Append-only, bounded, crash-safe queue of (key, value) records on local disk: the collector's
 * write-ahead log between the ring buffer and Kafka. Every decision is appended before it is
 * published; the publisher reads it back in order and {@link #commit commits} what Kafka
 * acknowledged. A restart resumes after the last committed record, so what was appended is
 * delivered at least once, in order — also after Kafka was away for a while.
 *
 * <p>Records are also handed to the reader in memory: a flushed batch (already written to its
 * segment) goes to a bounded queue, and the reader takes from it while it keeps up, instead of
 * reading back from disk what it was just given. The disk is read only where the queue cannot
 * serve: after a restart, after a rewind to the first unacknowledged record, and when the reader
 * fell more than {@value #HANDOFF_MAX_BYTES} bytes behind (the queue then skips records, and the
 * reader finds the gap and reads them from the segment).
 *
 * <p>Layout: segment files {@code <first index>.seg} of frames {@code [int length][int crc32c][short
 * keyLength][key][value]}, and {@code committed} holding the last delivered index. A torn frame at
 * the tail (crash mid-write) is cut off at open and counted.
 *
 * <p>One appending thread and one reading thread; {@link #append} never blocks on Kafka.
 */
public final class Spool implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final int FRAME_HEADER = 10;
    private static final String SEGMENT_SUFFIX = ".seg";
    private static final String COMMITTED = "committed";
    /** Bound of the in-memory handoff: frame bytes flushed and not yet taken by the reader. */
    static final long HANDOFF_MAX_BYTES = 16L << 20;

    /** One stored record. */
    public record Entry(long index, byte[] key, byte[] value) {
    }

    private record Segment(long firstIndex, Path path) {
    }

    /** A record handed over in memory, and where its frame ends in its segment (to read on from disk). */
    private record Handed(Entry entry, Segment segment, long end, int frameBytes) {
    }

    private final SpoolConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final List<Segment> segments = new ArrayList<>();
    private final ByteBuffer pending = ByteBuffer.allocate(256 * 1024);
    /** Appended, not flushed yet; handed over at the flush. Guarded by lock. */
    private final ArrayList<Handed> unflushed = new ArrayList<>();
    /** Flushed, not taken by the reader yet, in index order. Guarded by lock. */
    private final ArrayDeque<Handed> handoff = new ArrayDeque<>();
    private long handoffBytes;

    private FileChannel active;
    private long activeBytes;
    private long pendingCount;
    /** Index of the last record visible to readers (flushed to the file); -1 when none ever. */
    private volatile long flushedIndex;
    private volatile long committedIndex;
    private long persistedCommitted;
    private long bytesOnDisk;
    private long lastForceNanos = System.nanoTime();
    private volatile long dropped;
    private final long tornAtOpen;
    private final Optional<Entry> lastAtOpen;

    private Spool(SpoolConfig config) throws IOException {
        this.config = config;
        Files.createDirectories(config.dir());
        List<Path> files;
        try (Stream<Path> list = Files.list(config.dir())) {
            files = list.filter(p -> p.getFileName().toString().endsWith(SEGMENT_SUFFIX)).sorted().toList();
        }
        long torn = 0;
        long next = 0;
        Entry last = null;
        for (Path file : files) {
            String name = file.getFileName().toString();
            long first = Long.parseLong(name.substring(0, name.length() - SEGMENT_SUFFIX.length()));
            Scan scan = scan(file, first);
            if (scan.validBytes < Files.size(file)) {
                torn++;
                LOG.warn("spool segment {} has a torn or corrupt frame at byte {}: cut there", file, scan.validBytes);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(scan.validBytes);
                }
            }
            if (scan.count == 0 && file != files.get(files.size() - 1)) {
                Files.delete(file);
                continue;
            }
            segments.add(new Segment(first, file));
            bytesOnDisk += scan.validBytes;
            next = first + scan.count;
            if (scan.last != null) {
                last = scan.last;
            }
        }
        this.tornAtOpen = torn;
        this.lastAtOpen = Optional.ofNullable(last);
        this.flushedIndex = next - 1;
        long committed = readCommitted();
        this.committedIndex = Math.min(committed, flushedIndex);
        this.persistedCommitted = committedIndex;
        if (segments.isEmpty()) {
            segments.add(new Segment(next, segmentPath(next)));
        }
        Segment tail = segments.get(segments.size() - 1);
        this.active = FileChannel.open(tail.path(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        this.activeBytes = active.size();
        deleteDeliveredSegments();
    }

    public static Spool open(SpoolConfig config) throws IOException {
        return new Spool(config);
    }

    /** The newest record found on disk at open; the sequencer continues from it after a restart. */
    public Optional<Entry> lastAtOpen() {
        return lastAtOpen;
    }

    /** Torn frames cut off at open (a crash in the middle of a write). */
    public long tornAtOpen() {
        return tornAtOpen;
    }

    /**
     * Buffers a record; it becomes durable and visible to the reader at the next {@link #flush}.
     * Returns false, and counts it, when the spool is full. The arrays are kept by reference for
     * the in-memory handoff: do not change them afterwards.
     */
    public boolean append(byte[] key, byte[] value) {
        int frame = FRAME_HEADER + key.length + value.length;
        lock.lock();
        try {
            if (undeliveredBytesLocked() + pending.position() + frame > config.maxBytes()) {
                dropped++;
                return false;
            }
            if (pending.remaining() < frame) {
                flushLocked();
                if (pending.remaining() < frame) {
                    writeDirect(frame(key, value, ByteBuffer.allocate(frame)));
                    return true;
                }
            }
            frame(key, value, pending);
            pendingCount++;
            unflushed.add(new Handed(new Entry(flushedIndex + pendingCount, key, value), activeSegment(),
                    activeBytes + pending.position(), frame));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to spool " + config.dir(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Writes buffered records to the segment, forces per the fsync policy, and wakes the reader. */
    public void flush() {
        lock.lock();
        try {
            flushLocked();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush spool " + config.dir(), e);
        } finally {
            lock.unlock();
        }
    }

    /** All records up to {@code index} are delivered; their segments may go. */
    public void commit(long index) {
        if (index > committedIndex) {
            committedIndex = index;
        }
    }

    /** Persists the committed position and deletes delivered segments; call every few hundred ms. */
    public void checkpoint() {
        lock.lock();
        try {
            long committed = committedIndex;
            if (committed != persistedCommitted) {
                Path tmp = config.dir().resolve(COMMITTED + ".tmp");
                Files.writeString(tmp, Long.toString(committed), StandardCharsets.US_ASCII);
                Files.move(tmp, config.dir().resolve(COMMITTED), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                persistedCommitted = committed;
                deleteDeliveredSegments();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot checkpoint spool " + config.dir(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Records appended and flushed but not yet delivered. */
    public long depth() {
        return flushedIndex - committedIndex;
    }

    public long committedIndex() {
        return committedIndex;
    }

    public long flushedIndex() {
        return flushedIndex;
    }

    /** Records refused because the spool was full, since open. */
    public long dropped() {
        return dropped;
    }

    /** A reader from the record after the committed one. */
    public Reader reader() throws IOException {
        return new Reader(committedIndex + 1);
    }

    /** Waits until a record after {@code index} is visible, or the timeout passes. */
    public boolean awaitAfter(long index, long timeout, TimeUnit unit) throws InterruptedException {
        lock.lock();
        try {
            long nanos = unit.toNanos(timeout);
            while (flushedIndex <= index) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = appended.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            flushLocked();
            active.force(true);
            active.close();
        } finally {
            lock.unlock();
        }
        checkpoint();
    }

    /** Reads flushed records in index order; one reader thread. */
    public final class Reader implements Closeable {
        private long nextIndex;
        /** Records taken from the handoff, not returned yet. */
        private final ArrayDeque<Handed> inHand = new ArrayDeque<>();
        /** The last record returned from memory; the segment is read on after it. Null when the channel is in place. */
        private Handed resumeAfter;
        private Segment segment;
        private FileChannel channel;
        /** Bytes read from the segment and not parsed yet (read mode): one read per many records. */
        private ByteBuffer buffer = ByteBuffer.allocate(256 * 1024).flip();

        private Reader(long from) throws IOException {
            seek(from);
        }

        /** The next record, or empty when none is flushed yet. */
        public Optional<Entry> next() throws IOException {
            if (nextIndex > flushedIndex) {
                return Optional.empty();
            }
            Handed handed = fromMemory();
            if (handed != null) {
                nextIndex++;
                resumeAfter = handed;
                return Optional.of(handed.entry());
            }
            if (resumeAfter != null) {
                positionAfter(resumeAfter);
                resumeAfter = null;
            }
            ensure(FRAME_HEADER);
            int at = buffer.position();
            int length = buffer.getInt(at);
            int crc = buffer.getInt(at + 4);
            int keyLength = buffer.getShort(at + 8) & 0xFFFF;
            if (length < FRAME_HEADER + keyLength) {
                throw new IOException("spool record " + nextIndex + " in " + segment.path() + " has a bad length " + length);
            }
            ensure(length);
            at = buffer.position();
            byte[] bytes = new byte[length - FRAME_HEADER];
            buffer.get(at + FRAME_HEADER, bytes);
            buffer.position(at + length);
            CRC32C check = new CRC32C();
            check.update(bytes, 0, bytes.length);
            if ((int) check.getValue() != crc) {
                throw new IOException("spool record " + nextIndex + " in " + segment.path()
                        + " fails its checksum");
            }
            byte[] key = Arrays.copyOfRange(bytes, 0, keyLength);
            byte[] value = Arrays.copyOfRange(bytes, keyLength, bytes.length);
            return Optional.of(new Entry(nextIndex++, key, value));
        }

        /** The record at nextIndex if the handoff has it; records before it are dropped (sent already). */
        private Handed fromMemory() {
            while (true) {
                Handed head = inHand.peekFirst();
                if (head == null) {
                    lock.lock();
                    try {
                        if (handoff.isEmpty()) {
                            return null;
                        }
                        inHand.addAll(handoff);
                        handoff.clear();
                        handoffBytes = 0;
                    } finally {
                        lock.unlock();
                    }
                    continue;
                }
                long index = head.entry().index();
                if (index < nextIndex) {
                    inHand.pollFirst();
                } else {
                    // Later than asked for: the handoff skipped records, or the reader was rewound.
                    return index == nextIndex ? inHand.pollFirst() : null;
                }
            }
        }

        /** Puts the channel right after {@code last}, a record returned from memory. */
        private void positionAfter(Handed last) throws IOException {
            lock.lock();
            try {
                // The next record is in last's segment, or starts the one after it; a wholly
                // delivered segment may be gone already.
                Segment s = segments.contains(last.segment()) ? last.segment() : segmentAt(nextIndex);
                openSegment(s);
                if (s == last.segment()) {
                    channel.position(last.end());
                }
            } finally {
                lock.unlock();
            }
        }

        /** Positions the reader at {@code index} (after a failed send: from the first undelivered). */
        public void seek(long index) throws IOException {
            resumeAfter = null;
            lock.lock();
            try {
                openSegment(segmentAt(index));
            } finally {
                lock.unlock();
            }
            nextIndex = segment.firstIndex();
            while (nextIndex < index && next().isPresent()) {
                // skip records before the requested one
            }
        }

        /**
         * Makes {@code n} unparsed bytes available. The record asked for is flushed, so its bytes
         * are in this segment or, at its end, in the next one. Bytes read earlier while a write was
         * in progress are a prefix of the final content (the file only grows), so reading on from
         * where the channel stopped completes them.
         */
        private void ensure(int n) throws IOException {
            while (buffer.remaining() < n) {
                if (buffer.capacity() < n) {
                    ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, buffer.capacity() * 2));
                    bigger.put(buffer).flip();
                    buffer = bigger;
                }
                buffer.compact();
                int read = channel.read(buffer);
                buffer.flip();
                if (read < 0) {
                    if (buffer.hasRemaining() || !nextSegment()) {
                        throw new IOException("spool segment " + segment.path() + " ends inside record " + nextIndex);
                    }
                }
            }
        }

        /** Moves to the segment that starts at the record asked for; false when there is none. */
        private boolean nextSegment() throws IOException {
            lock.lock();
            try {
                // Segments are found by index, not position: delivered ones vanish from the list's head.
                Segment following = segmentAfter(segment);
                if (following == null || following.firstIndex() > nextIndex) {
                    return false;
                }
                openSegment(following);
                return true;
            } finally {
                lock.unlock();
            }
        }

        private void openSegment(Segment s) throws IOException {
            if (channel != null) {
                channel.close();
            }
            segment = s;
            channel = FileChannel.open(s.path(), StandardOpenOption.READ);
            buffer.clear().flip();
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** The segment that holds {@code index}: the last one starting at or before it. Caller holds lock. */
    private Segment segmentAt(long index) {
        int s = segments.size() - 1;
        while (s > 0 && segments.get(s).firstIndex() > index) {
            s--;
        }
        return segments.get(s);
    }

    private Segment segmentAfter(Segment current) {
        for (Segment candidate : segments) {
            if (candidate.firstIndex() > current.firstIndex()) {
                return candidate;
            }
        }
        return null;
    }

    private void flushLocked() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        long bytes = pending.remaining();
        while (pending.hasRemaining()) {
            active.write(pending);
        }
        pending.clear();
        activeBytes += bytes;
        bytesOnDisk += bytes;
        flushedIndex += pendingCount;
        pendingCount = 0;
        handOver();
        forceIfDue();
        appended.signalAll();
        if (activeBytes >= config.segmentBytes()) {
            roll();
        }
    }

    /** Queues the batch just written for the reader, unless it is too far behind to need it soon. */
    private void handOver() {
        for (Handed h : unflushed) {
            if (handoffBytes + h.frameBytes() > HANDOFF_MAX_BYTES) {
                break; // the reader will read these from the segment
            }
            handoff.addLast(h);
            handoffBytes += h.frameBytes();
        }
        unflushed.clear();
    }

    private Segment activeSegment() {
        return segments.get(segments.size() - 1);
    }

    private void writeDirect(ByteBuffer frame) throws IOException {
        frame.flip();
        long bytes = frame.remaining();
        while (frame.hasRemaining()) {
            active.write(frame);
        }
        activeBytes += bytes;
        bytesOnDisk += bytes;
        flushedIndex += 1;
        forceIfDue();
        appended.signalAll();
        if (activeBytes >= config.segmentBytes()) {
            roll();
        }
    }

    private void forceIfDue() throws IOException {
        long now = System.nanoTime();
        if (config.fsync() == SpoolConfig.Fsync.ALWAYS
                || (config.fsync() == SpoolConfig.Fsync.INTERVAL && now - lastForceNanos >= config.fsyncInterval().toNanos())) {
            active.force(false);
            lastForceNanos = now;
        }
    }

    private void roll() throws IOException {
        active.force(false);
        active.close();
        long first = flushedIndex + 1;
        Path path = segmentPath(first);
        segments.add(new Segment(first, path));
        active = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        activeBytes = 0;
    }

    private void deleteDeliveredSegments() throws IOException {
        // A segment may go when the next one starts at or before the first undelivered record.
        while (segments.size() > 1 && segments.get(1).firstIndex() <= committedIndex + 1) {
            Segment gone = segments.remove(0);
            bytesOnDisk -= Files.size(gone.path());
            Files.deleteIfExists(gone.path());
        }
    }

    private long undeliveredBytesLocked() {
        // Whole segments are the unit of reclamation, so what is on disk is what counts.
        return bytesOnDisk;
    }

    private Path segmentPath(long firstIndex) {
        return config.dir().resolve(String.format("%020d%s", firstIndex, SEGMENT_SUFFIX));
    }

    private long readCommitted() throws IOException {
        Path file = config.dir().resolve(COMMITTED);
        if (!Files.exists(file)) {
            return -1;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + text + "', expected the index of the last delivered record", e);
        }
    }

    private static ByteBuffer frame(byte[] key, byte[] value, ByteBuffer into) {
        if (key.length > 0xFFFF) {
            throw new IllegalArgumentException("spool key longer than 65535 bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(key, 0, key.length);
        crc.update(value, 0, value.length);
        into.putInt(FRAME_HEADER + key.length + value.length);
        into.putInt((int) crc.getValue());
        into.putShort((short) key.length);
        into.put(key);
        into.put(value);
        return into;
    }

    private record Scan(long count, long validBytes, Entry last) {
    }

    /** Counts the whole frames of a segment; stops at the first torn or corrupt one. */
    private static Scan scan(Path file, long firstIndex) throws IOException {
        long count = 0;
        long valid = 0;
        Entry last = null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
            while (valid + FRAME_HEADER <= size) {
                header.clear();
                ch.read(header, valid);
                header.flip();
                int length = header.getInt();
                int crc = header.getInt();
                int keyLength = header.getShort() & 0xFFFF;
                if (length < FRAME_HEADER + keyLength || valid + length > size) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length - FRAME_HEADER);
                ch.read(body, valid + FRAME_HEADER);
                byte[] bytes = body.array();
                CRC32C check = new CRC32C();
                check.update(bytes, 0, bytes.length);
                if ((int) check.getValue() != crc) {
                    break;
                }
                last = new Entry(firstIndex + count, Arrays.copyOfRange(bytes, 0, keyLength),
                        Arrays.copyOfRange(bytes, keyLength, bytes.length));
                count++;
                valid += length;
            }
        }
        return new Scan(count, valid, last);
    }
}
