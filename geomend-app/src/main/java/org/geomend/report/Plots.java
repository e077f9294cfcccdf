package org.geomend.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.geomend.io.AtomicFiles;
import org.geomend.kernels.GridSpec;

/**
 * The one place that draws figures (headless AWT PNG): empirical CDFs, line charts, KS2 box plots per group and
 * method (like DeepMEND Fig. 2 / Fig. 7), and maps side by side on one logarithmic colour scale (Fig. 1 / Fig. 9).
 */
public final class Plots {

    private Plots() {}

    public record Series(String name, double[] values) {}

    private static final Color[] COLORS = {
        new Color(0x1f77b4),
        new Color(0xd62728),
        new Color(0x2ca02c),
        new Color(0xff7f0e),
        new Color(0x9467bd),
        new Color(0x8c564b),
        new Color(0xe377c2),
        new Color(0x7f7f7f)
    };
    private static final int W = 860, H = 560, L = 80, RM = 30, T = 50, B = 70;

    /** CDF of each series (NaN ignored) on x from 0 to the largest 95th percentile. */
    public static void cdf(Path file, String title, String xLabel, List<Series> series) throws IOException {
        double xmax = 0;
        double[][] sorted = new double[series.size()][];
        for (int i = 0; i < series.size(); i++) {
            sorted[i] = Arrays.stream(series.get(i).values())
                    .filter(v -> !Double.isNaN(v))
                    .sorted()
                    .toArray();
            if (sorted[i].length > 0)
                xmax = Math.max(
                        xmax, sorted[i][(int) Math.min(sorted[i].length - 1, Math.floor(0.95 * sorted[i].length))]);
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
    public static void lines(Path file, String title, String xLabel, String yLabel, double[] xs, List<Series> series)
            throws IOException {
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

    private static Graphics2D frameXY(
            BufferedImage img, String title, String xl, String yl, double x0, double x1, double ymax) {
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

    private static final Color[] BOX_COLORS = {
        new Color(0x1f77b4),
        new Color(0xff7f0e),
        new Color(0x2ca02c),
        new Color(0xd62728),
        new Color(0x9467bd),
        new Color(0x8c564b),
        new Color(0xe377c2),
        new Color(0x7f7f7f)
    };

    /** One box: a method's KS2 statistics in a group, and the paper's median there (NaN when none). */
    public record Box(String group, String method, Stats stats, double paperMedian) {}

    /** Box plot: x = groups, one box per method within a group; y = KS2 in [0, 1]. */
    public static void boxes(Path file, String title, List<String> methods, List<Box> boxes) throws IOException {
        List<String> groups = new ArrayList<>(
                new LinkedHashSet<>(boxes.stream().map(Box::group).toList()));
        int L = 70, R = 20, T = 50, B = 90, bw = 22, gap = 36;
        int W = Math.max(860, L + R + groups.size() * (methods.size() * (bw + 6) + gap)), H = 560, ph = H - T - B;
        int groupW = (W - L - R) / Math.max(1, groups.size());
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, L, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int k = 0; k <= 10; k++) {
            int y = T + ph - k * ph / 10;
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(L, y, W - R, y);
            g.setColor(Color.BLACK);
            String s = String.format(Locale.ROOT, "%.1f", k / 10.0);
            g.drawString(s, L - 8 - g.getFontMetrics().stringWidth(s), y + 4);
        }
        g.drawRect(L, T, W - L - R, ph);
        java.awt.geom.AffineTransform at = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString("KS2", -(T + ph / 2) - 12, 22);
        g.setTransform(at);
        for (int gi = 0; gi < groups.size(); gi++) {
            int x0 = L + gi * groupW + (groupW - methods.size() * (bw + 6)) / 2;
            String gname = groups.get(gi);
            g.setColor(Color.BLACK);
            g.drawString(
                    gname, L + gi * groupW + groupW / 2 - g.getFontMetrics().stringWidth(gname) / 2, T + ph + 18);
            for (Box b : boxes) {
                if (!b.group().equals(gname)) continue;
                int mi = methods.indexOf(b.method());
                int x = x0 + mi * (bw + 6);
                Stats s = b.stats();
                if (s.n() == 0) continue;
                Color c = BOX_COLORS[mi % BOX_COLORS.length];
                int yq1 = y(s.p25(), T, ph), yq3 = y(s.p75(), T, ph), ymed = y(s.median(), T, ph);
                g.setColor(c);
                g.setStroke(new BasicStroke(1.5f));
                g.drawLine(x + bw / 2, y(s.p05(), T, ph), x + bw / 2, yq1);
                g.drawLine(x + bw / 2, yq3, x + bw / 2, y(s.p95(), T, ph));
                g.drawLine(x + 5, y(s.p05(), T, ph), x + bw - 5, y(s.p05(), T, ph));
                g.drawLine(x + 5, y(s.p95(), T, ph), x + bw - 5, y(s.p95(), T, ph));
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 110));
                g.fillRect(x, yq3, bw, Math.max(1, yq1 - yq3));
                g.setColor(c);
                g.drawRect(x, yq3, bw, Math.max(1, yq1 - yq3));
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(2.5f));
                g.drawLine(x, ymed, x + bw, ymed);
                if (!Double.isNaN(b.paperMedian())) {
                    int yp = y(b.paperMedian(), T, ph), cx = x + bw / 2;
                    g.setStroke(new BasicStroke(1.5f));
                    g.drawPolygon(new int[] {cx, cx + 6, cx, cx - 6}, new int[] {yp - 6, yp, yp + 6, yp}, 4);
                }
                g.setStroke(new BasicStroke(1f));
            }
        }
        int lx = L, ly = H - 40;
        for (int mi = 0; mi < methods.size(); mi++) {
            g.setColor(BOX_COLORS[mi % BOX_COLORS.length]);
            g.fillRect(lx, ly - 9, 18, 10);
            g.setColor(Color.BLACK);
            g.drawString(methods.get(mi), lx + 24, ly);
            lx += 40 + g.getFontMetrics().stringWidth(methods.get(mi));
        }
        g.drawPolygon(new int[] {lx + 6, lx + 12, lx + 6, lx}, new int[] {ly - 10, ly - 4, ly + 2, ly - 4}, 4);
        g.drawString("paper median (DeepMEND Table I / II)", lx + 18, ly);
        g.drawString("black bar: median", L, ly + 20);
        g.dispose();
        write(img, file);
    }

    private static int y(double v, int T, int ph) {
        double c = Math.max(0, Math.min(1, v));
        return T + ph - (int) Math.round(c * ph);
    }

    // ------------------------------------------------------------------ maps

    static final int PANEL = 260, DECADES = 5;

    /** One map panel: its title and values (row-major, row 0 = south). */
    public record Panel(String title, float[] values) {}

    /**
     * The first panel (the ground truth) and each method's map of one site, cropped to a square around the first panel's support
     * (padded), north up, on one log10 colour scale spanning {@value #DECADES} decades below the largest value shown.
     */
    public static void maps(Path file, String id, String subtitle, GridSpec grid, List<Panel> panels)
            throws IOException {
        float[] truth = panels.get(0).values();
        int w = grid.width(), h = grid.height();
        int r0 = h, r1 = -1, c0 = w, c1 = -1;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
                if (truth[r * w + c] > 0) {
                    r0 = Math.min(r0, r);
                    r1 = Math.max(r1, r);
                    c0 = Math.min(c0, c);
                    c1 = Math.max(c1, c);
                }
        if (r1 < 0) {
            r0 = 0;
            r1 = h - 1;
            c0 = 0;
            c1 = w - 1;
        }
        int side = Math.max(Math.max(r1 - r0 + 1, c1 - c0 + 1), 16);
        side = Math.min(Math.max(w, h), (int) Math.ceil(side * 1.3));
        int cr = (r0 + r1) / 2, cc = (c0 + c1) / 2;
        int br = Math.max(0, Math.min(h - side, cr - side / 2)), bc = Math.max(0, Math.min(w - side, cc - side / 2));
        int sideR = Math.min(side, h), sideC = Math.min(side, w);

        double vmax = 0;
        for (Panel pn : panels) {
            float[] p = pn.values();
            for (int r = br; r < br + sideR; r++)
                for (int c = bc; c < bc + sideC; c++) vmax = Math.max(vmax, p[r * w + c]);
        }
        if (!(vmax > 0)) vmax = 1;
        double lmax = Math.log10(vmax), lmin = lmax - DECADES;

        int gap = 14, top = 58, cbW = 90, W = panels.size() * (PANEL + gap) + gap + cbW, H = top + PANEL + 46;
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(
                "site " + id + (subtitle.isEmpty() ? "" : " (" + subtitle + ")") + ": P(l|i), log10 scale", gap, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        double res = grid.resolution();
        g.drawString(
                String.format(
                        Locale.ROOT,
                        "%.1f x %.1f km around the ground truth's support, north up; white: below 1e%d of the largest value",
                        sideC * res / 1000,
                        sideR * res / 1000,
                        -DECADES),
                gap,
                40);
        for (int k = 0; k < panels.size(); k++) {
            int x0 = gap + k * (PANEL + gap);
            float[] p = panels.get(k).values();
            for (int py = 0; py < PANEL; py++) {
                int r = br + sideR - 1 - (int) ((long) py * sideR / PANEL);
                for (int pxl = 0; pxl < PANEL; pxl++) {
                    int c = bc + (int) ((long) pxl * sideC / PANEL);
                    float v = p[r * w + c];
                    img.setRGB(x0 + pxl, top + py, colour(v, lmin, lmax));
                }
            }
            g.setColor(Color.GRAY);
            g.drawRect(x0 - 1, top - 1, PANEL + 1, PANEL + 1);
            g.setColor(Color.BLACK);
            String t = panels.get(k).title();
            g.drawString(t, x0 + PANEL / 2 - g.getFontMetrics().stringWidth(t) / 2, top + PANEL + 18);
        }
        int cx = W - cbW + 10;
        for (int py = 0; py < PANEL; py++) {
            double l = lmax - (double) py / (PANEL - 1) * DECADES;
            int rgb = colour((float) Math.pow(10, l), lmin, lmax);
            for (int q = 0; q < 16; q++) img.setRGB(cx + q, top + py, rgb);
        }
        g.setColor(Color.BLACK);
        for (int k = 0; k <= DECADES; k++) {
            int py = top + (int) Math.round((double) k / DECADES * (PANEL - 1));
            g.drawString(String.format(Locale.ROOT, "%.1f", lmax - k), cx + 20, py + 4);
        }
        g.drawString("log10 p", cx - 4, top - 6);
        g.dispose();
        write(img, file);
    }

    // ------------------------------------------------------------------ partitions (geomend plan-edge)

    /**
     * A partition of a raster (north up): each part in its own colour (hues spread by the golden angle, so that
     * neighbouring part numbers differ), pixels outside every part ({@code -1}) white, part borders dark, and a
     * marker at each part's site ({@code siteX}, {@code siteY} in the grid's CRS; NaN: none). The raster is
     * sampled to at most {@code maxSide} pixels on its longer side.
     */
    public static void partition(
            Path file,
            org.geomend.kernels.GridSpec grid,
            int[] part,
            int parts,
            double[] siteX,
            double[] siteY,
            String title,
            String subtitle,
            int maxSide)
            throws IOException {
        int w = grid.width(), h = grid.height();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        if (Math.max(w, h) < maxSide / 2)
            scale = Math.floor((double) maxSide / Math.max(w, h)); // small rasters: blown up
        int pw = Math.max(1, (int) Math.round(w * scale)), ph = Math.max(1, (int) Math.round(h * scale));
        int gap = 14, top = 58, W = Math.max(pw + 2 * gap, 420), H = top + ph + 30;
        int[] palette = new int[Math.max(1, parts)];
        for (int q = 0; q < palette.length; q++) {
            float hue = (float) ((q * 0.6180339887498949) % 1.0);
            palette[q] = java.awt.Color.HSBtoRGB(hue, 0.45f + 0.35f * ((q * 7) % 3) / 2f, 0.95f - 0.2f * ((q * 5) % 2))
                    & 0xffffff;
        }
        int[] sampled = new int[pw * ph];
        for (int py = 0; py < ph; py++) {
            int r = h - 1 - (int) ((long) py * h / ph);
            for (int px = 0; px < pw; px++) sampled[py * pw + px] = part[r * w + (int) ((long) px * w / pw)];
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        int x0 = gap;
        for (int py = 0; py < ph; py++)
            for (int px = 0; px < pw; px++) {
                int q = sampled[py * pw + px];
                boolean border = q >= 0
                        && ((px + 1 < pw && sampled[py * pw + px + 1] != q)
                                || (py + 1 < ph && sampled[(py + 1) * pw + px] != q));
                img.setRGB(
                        x0 + px,
                        top + py,
                        q < 0 ? 0xffffff : border && scale >= 1 ? 0x404040 : palette[q % palette.length]);
            }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.GRAY);
        g.drawRect(x0 - 1, top - 1, pw + 1, ph + 1);
        double res = grid.resolution();
        for (int q = 0; q < Math.min(siteX.length, parts); q++) {
            if (Double.isNaN(siteX[q]) || Double.isNaN(siteY[q])) continue;
            int cx = x0 + (int) Math.round((siteX[q] - grid.x0()) / (w * res) * pw);
            int cy = top + (int) Math.round((grid.y0() + h * res - siteY[q]) / (h * res) * ph);
            g.setColor(Color.WHITE);
            g.fillOval(cx - 5, cy - 5, 10, 10);
            g.setColor(Color.BLACK);
            g.fillOval(cx - 3, cy - 3, 6, 6);
            g.drawOval(cx - 5, cy - 5, 10, 10);
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, gap, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(subtitle, gap, 40);
        g.drawString(
                String.format(
                        Locale.ROOT,
                        "%.1f x %.1f km, north up; dots: edge sites; white: no demand",
                        w * res / 1000,
                        h * res / 1000),
                gap,
                top + ph + 20);
        g.dispose();
        write(img, file);
    }

    /** Viridis-like ramp on log10 v between lmin and lmax; white below lmin. */
    static int colour(float v, double lmin, double lmax) {
        if (!(v > 0)) return 0xffffff;
        double l = Math.log10(v);
        if (l < lmin) return 0xffffff;
        double t = Math.min(1, (l - lmin) / (lmax - lmin));
        int[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        double f = t * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) f);
        double u = f - i;
        int rr = (int) Math.round(stops[i][0] + u * (stops[i + 1][0] - stops[i][0]));
        int gg = (int) Math.round(stops[i][1] + u * (stops[i + 1][1] - stops[i][1]));
        int bb = (int) Math.round(stops[i][2] + u * (stops[i + 1][2] - stops[i][2]));
        return (rr << 16) | (gg << 8) | bb;
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        });
    }
}
