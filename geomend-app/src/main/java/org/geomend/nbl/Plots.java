package org.geomend.nbl;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Simple labelled PNG charts (headless AWT): empirical CDFs and a line chart. */
public final class Plots {

    private Plots() {}

    public record Series(String name, double[] values) {}

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    private static final int W = 860, H = 560, L = 80, RM = 30, T = 50, B = 70;

    /** CDF of each series (NaN ignored) on x from 0 to the largest 95th percentile. */
    public static void cdf(Path file, String title, String xLabel, List<Series> series) throws IOException {
        double xmax = 0;
        double[][] sorted = new double[series.size()][];
        for (int i = 0; i < series.size(); i++) {
            sorted[i] = Arrays.stream(series.get(i).values()).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (sorted[i].length > 0) xmax = Math.max(xmax, sorted[i][(int) Math.min(sorted[i].length - 1, Math.floor(0.95 * sorted[i].length))]);
        }
        xmax = nice(xmax <= 0 ? 1 : xmax);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame(img, title, xLabel, "CDF", xmax, 1);
        for (int i = 0; i < series.size(); i++) {
            double[] s = sorted[i];
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = L, py = H - B;
            for (int k = 0; k < s.length; k++) {
                int x = L + (int) Math.round(Math.min(s[k], xmax) / xmax * (W - L - RM));
                int y = H - B - (int) Math.round((k + 1.0) / s.length * (H - T - B));
                g.drawLine(px, py, x, py);
                g.drawLine(x, py, x, y);
                px = x;
                py = y;
            }
            if (s.length > 0) g.drawLine(px, py, W - RM, py);
            legend(g, i, series.get(i).name() + " (n=" + s.length + ")");
        }
        write(img, file);
    }

    /** A line per series over x values {@code xs} (series values aligned with xs). */
    public static void lines(Path file, String title, String xLabel, String yLabel, double[] xs, List<Series> series) throws IOException {
        double ymax = 0;
        for (Series s : series) for (double v : s.values()) if (!Double.isNaN(v)) ymax = Math.max(ymax, v);
        ymax = nice(ymax <= 0 ? 1 : ymax);
        double x0 = xs[0], x1 = xs[xs.length - 1] == x0 ? x0 + 1 : xs[xs.length - 1];
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frameXY(img, title, xLabel, yLabel, x0, x1, ymax);
        for (int i = 0; i < series.size(); i++) {
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            double[] v = series.get(i).values();
            for (int k = 0; k < xs.length; k++) {
                if (Double.isNaN(v[k])) continue;
                int x = L + (int) Math.round((xs[k] - x0) / (x1 - x0) * (W - L - RM));
                int y = H - B - (int) Math.round(v[k] / ymax * (H - T - B));
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) g.drawLine(px, py, x, y);
                px = x;
                py = y;
            }
            legend(g, i, series.get(i).name());
        }
        write(img, file);
    }

    static double nice(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * p >= v) return m * p;
        return 10 * p;
    }

    private static Graphics2D frame(BufferedImage img, String title, String xl, String yl, double xmax, double ymax) {
        return frameXY(img, title, xl, yl, 0, xmax, ymax);
    }

    private static Graphics2D frameXY(BufferedImage img, String title, String xl, String yl, double x0, double x1, double ymax) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString(title, L, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int k = 0; k <= 10; k++) {
            int x = L + k * (W - L - RM) / 10, y = H - B - k * (H - T - B) / 10;
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(x, T, x, H - B);
            g.drawLine(L, y, W - RM, y);
            g.setColor(Color.BLACK);
            String xs = fmt(x0 + (x1 - x0) * k / 10), ys = fmt(ymax * k / 10);
            g.drawString(xs, x - g.getFontMetrics().stringWidth(xs) / 2, H - B + 18);
            g.drawString(ys, L - 8 - g.getFontMetrics().stringWidth(ys), y + 4);
        }
        g.drawRect(L, T, W - L - RM, H - T - B);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.drawString(xl, L + (W - L - RM) / 2 - g.getFontMetrics().stringWidth(xl) / 2, H - 25);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yl, -(T + (H - T - B) / 2) - r.getFontMetrics().stringWidth(yl) / 2, 22);
        r.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return g;
    }

    private static void legend(Graphics2D g, int i, String name) {
        int x = W - RM - 330, y = H - B - 20 - 18 * i;
        Color c = g.getColor();
        g.setColor(Color.WHITE);
        g.fillRect(x - 4, y - 12, 330, 17);
        g.setColor(c);
        g.fillRect(x, y - 8, 20, 6);
        g.setColor(Color.BLACK);
        g.drawString(name, x + 26, y);
        g.setColor(c);
    }

    static String fmt(double v) {
        if (v == Math.rint(v)) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
