package dev.cgaudit.collector;

/** The collector's version, as stamped into every decision (collectorVersion) and status. */
public final class CollectorVersion {

    private CollectorVersion() {
    }

    /** From the jar manifest; "dev" when running from classes (tests, IDE). */
    public static String get() {
        String v = CollectorVersion.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
