package org.geomend.synth;

import java.util.SplittableRandom;

/** Deterministic, thread-independent random streams: one per (purpose, city or site or region). */
final class Seeds {

    static final int CITY = 1, EQUIP = 2, SITE_FIELD = 3, COMMON_FIELD = 4, LOS = 5, POPULATION = 6;

    private Seeds() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long key(long seed, int purpose, long index) {
        return mix(mix(seed * 0x9e3779b97f4a7c15L + purpose) + index);
    }

    static SplittableRandom stream(long seed, int purpose, long index) {
        return new SplittableRandom(key(seed, purpose, index));
    }

    /** A uniform in [0, 1) from a key and a lattice position (counter-based, no state). */
    static double uniform(long key, long col, long row) {
        long h = mix(key ^ mix(col * 0x632be59bd9b4e019L + row));
        return (h >>> 11) * 0x1.0p-53;
    }
}
