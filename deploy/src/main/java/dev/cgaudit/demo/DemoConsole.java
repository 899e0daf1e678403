package dev.cgaudit.demo;

import java.io.PrintWriter;

/**
 * The demo's terminal: lines scroll, and on a terminal one status line stays at the bottom,
 * redrawn in place. Without a terminal (a pipe, a test) the status is printed as ordinary lines
 * now and then, so logs stay readable.
 */
final class DemoConsole {

    private static final String CLEAR_LINE = "\r\033[2K";

    private final PrintWriter out;
    private final boolean tty;
    private String status = "";

    DemoConsole(PrintWriter out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    boolean tty() {
        return tty;
    }

    synchronized void line(String text) {
        if (tty && !status.isEmpty()) {
            out.print(CLEAR_LINE);
        }
        out.println(text);
        if (tty) {
            out.print(status);
        }
        out.flush();
    }

    /** On a terminal: replaces the status line. Otherwise a plain line. */
    synchronized void status(String text) {
        if (!tty) {
            line(text);
            return;
        }
        status = text;
        out.print(CLEAR_LINE + text);
        out.flush();
    }

    /** Removes the status line before the summary. */
    synchronized void endStatus() {
        if (tty && !status.isEmpty()) {
            out.print(CLEAR_LINE);
            out.flush();
        }
        status = "";
    }
}
