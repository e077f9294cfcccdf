package org.geomend.io;

/**
 * The sparse form of a map: the smallest set of largest pixels that carries all but at most
 * {@code dropMass} of its mass, renormalised.
 *
 * <p>Rule: with {@code S} the float64 sum of the positive values, let {@code t} be the largest value such
 * that the pixels with {@code p >= t} hold at least {@code (1 - dropMass) S}. The kept pixels are exactly
 * those with {@code p >= t} (so ties at the threshold are all kept, which makes the result independent
 * of pixel order), in ascending pixel index, and their values are {@code p / K} in float64 rounded to
 * float32, {@code K} the float64 sum of the kept values. Zero and negative values are never kept.
 *
 * <p>Finding {@code t} needs no sort: positive float32 values order like their bit patterns, so three
 * passes of a mass histogram over 11, 10 and 10 bits of the pattern narrow down the threshold bucket to
 * one exact value (O(n), a few ms for 360,000 pixels).
 */
public record SparseSelection(int[] pixels, float[] values, double keptMass, double totalMass) {

    private static final int[] SHIFT = {20, 10, 0};
    private static final int[] BITS = {11, 10, 10};

    public int size() {
        return pixels.length;
    }

    /** Selects from {@code p[0..n)}; {@code 0 <= dropMass < 1}. Fails on NaN, infinity or no positive mass. */
    public static SparseSelection select(float[] p, int n, double dropMass) {
        if (!(dropMass >= 0 && dropMass < 1))
            throw new IllegalArgumentException("drop mass must be in [0, 1): " + dropMass);
        double total = 0;
        for (int i = 0; i < n; i++) {
            float v = p[i];
            if (!Float.isFinite(v)) throw new IllegalArgumentException("map value " + v + " at pixel " + i);
            if (v > 0) total += v;
        }
        if (!(total > 0)) throw new IllegalArgumentException("map has no positive mass");
        double target = (1 - dropMass) * total;
        int prefix = 0, mask = 0;
        double above = 0; // mass of the values whose bits are above the current prefix range
        for (int level = 0; level < SHIFT.length; level++) {
            int shift = SHIFT[level], nb = 1 << BITS[level], bmask = nb - 1;
            double[] mass = new double[nb];
            for (int i = 0; i < n; i++) {
                int b = Float.floatToRawIntBits(p[i]);
                if (b <= 0 || (b & mask) != prefix) continue; // zero, negative, or outside the range
                mass[(b >>> shift) & bmask] += p[i];
            }
            int chosen = -1, lowest = -1;
            for (int k = nb - 1; k >= 0; k--) {
                if (mass[k] == 0) continue;
                lowest = k;
                if (above + mass[k] >= target) {
                    chosen = k;
                    break;
                }
                above += mass[k];
            }
            if (chosen < 0) { // rounding left the target just out of reach: keep everything here
                chosen = lowest;
                above -= mass[lowest];
            }
            prefix |= chosen << shift;
            mask |= bmask << shift;
        }
        int tBits = prefix;
        int count = 0;
        double kept = 0;
        for (int i = 0; i < n; i++) {
            int b = Float.floatToRawIntBits(p[i]);
            if (b > 0 && b >= tBits) {
                count++;
                kept += p[i];
            }
        }
        int[] pix = new int[count];
        float[] val = new float[count];
        for (int i = 0, j = 0; i < n; i++) {
            int b = Float.floatToRawIntBits(p[i]);
            if (b > 0 && b >= tBits) {
                pix[j] = i;
                val[j++] = (float) (p[i] / kept);
            }
        }
        return new SparseSelection(pix, val, kept, total);
    }

    /** The dense map again: the kept values at their pixels, 0 elsewhere. */
    public float[] toDense(int n) {
        float[] out = new float[n];
        for (int i = 0; i < pixels.length; i++) out[pixels[i]] = values[i];
        return out;
    }
}
