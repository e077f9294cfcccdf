package org.geomend.cli;

import java.io.PrintStream;

/**
 * Progress on stderr: a one-line bar redrawn at most 5 times a second when the console is a terminal;
 * otherwise (a log file, a batch job) one plain line at each tenth of the work. {@code GEOMEND_NO_PROGRESS}
 * silences both.
 */
final class ProgressBar implements AutoCloseable {

    private final PrintStream out;
    private final String label;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private final boolean plain;
    private long lastDraw;
    private int lastTenth;

    ProgressBar(String label) {
        this.out = System.err;
        this.label = label;
        java.io.Console c = System.console();
        boolean quiet = org.geomend.kernels.Setting.NO_PROGRESS.isOn();
        this.enabled = c != null && c.isTerminal() && !quiet;
        this.plain = !enabled && !quiet;
    }

    synchronized void update(long done, long total) {
        if (plain) {
            int tenth = total == 0 ? 10 : (int) (10 * done / total);
            if (tenth > lastTenth && done < total) {
                lastTenth = tenth;
                double s = (System.nanoTime() - start) / 1e9;
                out.printf(
                        "%s: %d/%d (%d%%), %s elapsed, eta %s%n",
                        label, done, total, 100 * done / total, hms(s), hms(s / done * (total - done)));
            }
            return;
        }
        if (!enabled) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 200_000_000L) return;
        lastDraw = now;
        double s = (now - start) / 1e9, f = total == 0 ? 1 : (double) done / total;
        int width = 30, fill = (int) Math.round(f * width);
        String eta = done > 0 && done < total ? String.format(" eta %s", hms(s / done * (total - done))) : "";
        out.printf(
                "\r%s [%s%s] %d/%d %.0f/s %s%s   ",
                label, "#".repeat(fill), ".".repeat(width - fill), done, total, s > 0 ? done / s : 0, hms(s), eta);
        out.flush();
    }

    static String hms(double s) {
        long t = Math.round(s);
        return t >= 3600
                ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format("%d:%02d", t / 60, t % 60);
    }

    @Override
    public void close() {
        if (enabled) {
            out.print("\r\033[K");
            out.flush();
        }
    }
}
