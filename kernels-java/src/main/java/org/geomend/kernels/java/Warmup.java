package org.geomend.kernels.java;

/**
 * Chooses, for each unit of work (a row, a block), between a Vector API pass and its scalar mirror until the vector
 * pass is compiled. Until C2 has compiled a Vector API loop, every vector is a heap object and the loop is far slower
 * than plain scalar code (60 sPDI maps, JVM start included: 7.7 s against 5.3 s for the old scalar kernel); the
 * scalar mirror is compiled within milliseconds but is 2x-3x slower than the compiled vector pass. So every unit runs
 * the scalar mirror until the scalar units have taken {@link #START_NS} in all; then, while cold, one unit in
 * {@link #EVERY} runs the vector pass (that keeps its invocation counters rising toward C2) and the rest the scalar
 * mirror, both timed ({@link System#nanoTime}); once the last {@link #RECENT} vector units each took less than the
 * scalar units' smoothed time, every later unit of this JVM takes the vector pass. The choice only moves time:
 * callers keep both paths' outputs equal (bit for bit where they share their operations).
 */
final class Warmup {

    /** While cold, one unit in this many runs the vector pass. */
    static final int EVERY = 4;
    /**
     * Scalar time (ns, summed over threads) before the first vector unit: about what warming the vector pass costs
     * (measured: 150 to 500 vector units of 1 to 30 ms each, 2 to 8 s of CPU on the shared 2-core machine, against
     * 0.5 to 1.5 ms for a scalar unit), so a run too short to repay the warm-up never starts it, and a long run
     * loses at most about that much (rent before buying).
     */
    static final long START_NS = 3_000_000_000L;
    /** Vector units timed before the comparison may end the warm-up. */
    static final int MIN_VECTOR_UNITS = 8;
    /** The vector units that must each beat the scalar units' time. */
    static final int RECENT = 4;

    /**
     * True or false runs every unit of every Warmup by the vector pass or the scalar mirror; null adapts. Tests set
     * it; benches through the system property {@code geomend.kernels.path} ({@code vector} or {@code scalar}).
     */
    static volatile Boolean only = switch (System.getProperty("geomend.kernels.path", "")) {
        case "vector" -> true;
        case "scalar" -> false;
        default -> null;
    };

    private final String name;
    private volatile boolean hot;
    private long units; // racy counter: only spaces the vector units, any count is correct
    /** The last vector units' times compared with the scalar units' (racy: a heuristic, never a result). */
    private final long[] recent = new long[RECENT];

    private volatile double scalarNs = Double.NaN;
    private volatile long scalarTotalNs;
    private volatile int vectorUnits;

    Warmup(String name) {
        this.name = name;
    }

    /** True when the next unit runs the vector pass; then call {@link #vectorDone}, else {@link #scalarDone}. */
    boolean vector() {
        Boolean o = only;
        if (o != null) return o;
        return hot || scalarTotalNs >= START_NS && units++ % EVERY == 0;
    }

    /** True once the vector pass is chosen for every unit (false while {@link #only} is set). */
    boolean hot() {
        return hot && only == null;
    }

    /** A vector unit that started at {@code t0} (nanoTime) has ended. */
    void vectorDone(long t0) {
        if (!hot) vectorTook(System.nanoTime() - t0);
    }

    /** A scalar unit that started at {@code t0} has ended. */
    void scalarDone(long t0) {
        if (!hot) scalarTook(System.nanoTime() - t0);
    }

    /**
     * A vector unit took {@code ns}: the pass is hot once the last {@link #RECENT} vector units were each faster
     * than the scalar units' smoothed time.
     */
    void vectorTook(long ns) {
        int n = vectorUnits++;
        recent[n % RECENT] = ns;
        if (n + 1 < MIN_VECTOR_UNITS) return;
        long worst = 0;
        for (long r : recent) worst = Math.max(worst, r);
        if (worst < scalarNs) hot = true;
    }

    /** A scalar unit took {@code ns}: its smoothed time moves by an eighth toward it; the total grows by it. */
    void scalarTook(long ns) {
        scalarTotalNs += ns;
        double s = scalarNs;
        scalarNs = Double.isNaN(s) ? ns : s + (ns - s) * 0.125;
    }

    @Override
    public String toString() {
        return name + (hot ? " hot" : " cold") + " after " + vectorUnits + " vector units, " + scalarTotalNs / 1e9
                + " s of scalar units (last vector " + java.util.Arrays.toString(recent) + " ns, scalar " + scalarNs
                + " ns a unit)";
    }
}
