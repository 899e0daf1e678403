package dev.cgaudit.processor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU of this JVM by kind of thread, from {@code /proc/self/task/<tid>/stat}. The JIT compilers and
 * the garbage collector run on threads of their own that {@code ThreadMXBean} does not show, and
 * both are part of the bench's "CPU s"; the job's router and decision source threads are what a
 * change to the job's code moves, and on this shared 2-core machine their own CPU time is steadier
 * than the process total. A snapshot; subtract two for an interval. Threads that ended between two
 * snapshots (the JVM stops idle compiler threads) are missing from their kind but not from the
 * process total, so the shares are lower bounds. Empty where there is no /proc.
 */
record JvmCpuShares(long processTicks, long kernelTicks, long minorFaults, Map<String, Long> ticksByThread,
                    Map<String, String> names) {

    /** Kinds by the start of the thread's name as the kernel keeps it (15 characters). */
    private static final Map<String, String[]> KINDS = kinds();
    /** USER_HZ: the unit of /proc's CPU times on Linux. */
    private static final double TICKS_PER_SECOND = 100;

    private static Map<String, String[]> kinds() {
        Map<String, String[]> kinds = new LinkedHashMap<>();
        kinds.put("JIT", new String[] {"C1 Compiler", "C2 Compiler"});
        kinds.put("GC", new String[] {"GC Thread", "G1 "});
        kinds.put("router", new String[] {"judge decision"});
        kinds.put("source", new String[] {"Source: decisio"});
        return kinds;
    }

    static JvmCpuShares now() {
        Path self = Path.of("/proc/self");
        Map<String, Long> byThread = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        if (!Files.isDirectory(self.resolve("task"))) {
            return new JvmCpuShares(0, 0, 0, byThread, names);
        }
        try (Stream<Path> tasks = Files.list(self.resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name;
                long ticks;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                    ticks = ticks(Files.readString(task.resolve("stat")));
                } catch (IOException gone) {
                    continue;   // the thread ended while we looked
                }
                byThread.put(task.getFileName().toString(), ticks);
                names.put(task.getFileName().toString(), name);
            }
            String[] process = fields(Files.readString(self.resolve("stat")));
            return new JvmCpuShares(ticks(process), Long.parseLong(process[12]), Long.parseLong(process[7]), byThread, names);
        } catch (IOException e) {
            return new JvmCpuShares(0, 0, 0, byThread, names);
        }
    }

    private static String kindOf(String threadName) {
        for (Map.Entry<String, String[]> kind : KINDS.entrySet()) {
            for (String prefix : kind.getValue()) {
                if (threadName.startsWith(prefix)) {
                    return kind.getKey();
                }
            }
        }
        return null;
    }

    /** The interval from {@code start}: per thread, what it used since then (all of it if it started since). */
    JvmCpuShares since(JvmCpuShares start) {
        Map<String, Long> threads = new HashMap<>();
        ticksByThread.forEach((tid, ticks) -> threads.put(tid, ticks - start.ticksByThread.getOrDefault(tid, 0L)));
        return new JvmCpuShares(processTicks - start.processTicks, kernelTicks - start.kernelTicks,
                minorFaults - start.minorFaults, threads, names);
    }

    double share(String kind) {
        return processTicks == 0 ? Double.NaN : (double) ticksOf(kind) / processTicks;
    }

    /** CPU seconds of one kind of thread. */
    double seconds(String kind) {
        return ticksOf(kind) / TICKS_PER_SECOND;
    }

    private long ticksOf(String kind) {
        return ticksByThread.entrySet().stream().filter(t -> kind.equals(kindOf(names.get(t.getKey()))))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private boolean hasThreadOf(String kind) {
        return names.values().stream().anyMatch(name -> kind.equals(kindOf(name)));
    }

    /**
     * "JIT 12%, GC 8%, kernel 14% (693k page faults), router 21.3 µs, source 5.0 µs" (µs of CPU per
     * decision), or "" without /proc. A kind without a thread of its name (BATCH names its tasks
     * otherwise) is left out. The kernel's share is mostly first touches of memory: on this kind of VM
     * a minor fault costs ~10–20 µs, so a run whose heap or sort buffers grow into fresh pages pays
     * for it (BENCHMARKS.md, eighth session).
     */
    String describe(long decisions) {
        if (processTicks == 0) {
            return "";
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "JIT %.0f%%, GC %.0f%%, kernel %.0f%% (%,dk page faults)",
                100 * share("JIT"), 100 * share("GC"), 100.0 * kernelTicks / processTicks, minorFaults / 1000));
        for (String kind : new String[] {"router", "source"}) {
            if (hasThreadOf(kind)) {
                text.append(String.format(Locale.ROOT, ", %s %.1f µs", kind, 1e6 * seconds(kind) / decisions));
            }
        }
        return text.toString();
    }

    /**
     * The {@code limit} busiest groups of threads, named as the kernel keeps them with digits folded
     * to '#' (so a pool's threads are one group), as "name: µs per decision (share)" lines: where the
     * rest of the process CPU goes besides the kinds {@link #describe} names.
     */
    String busiestThreads(long decisions, int limit) {
        Map<String, Long> byGroup = new HashMap<>();
        ticksByThread.forEach((tid, ticks) -> byGroup.merge(names.get(tid).replaceAll("[0-9]+", "#"), ticks, Long::sum));
        StringBuilder text = new StringBuilder();
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(g -> text.append(String.format(Locale.ROOT, "  %-16s %6.2f µs/decision %5.1f%%%n", g.getKey(),
                        1e6 * g.getValue() / TICKS_PER_SECOND / decisions, 100.0 * g.getValue() / Math.max(1, processTicks))));
        return text.toString();
    }

    /** utime + stime (fields 14 and 15 of a stat line). */
    private static long ticks(String stat) {
        return ticks(fields(stat));
    }

    private static long ticks(String[] f) {
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A stat line's fields from the third (state) on: field n is [n - 3]. The name in parentheses may hold spaces. */
    private static String[] fields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }
}
