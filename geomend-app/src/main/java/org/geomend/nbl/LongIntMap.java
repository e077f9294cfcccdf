package org.geomend.nbl;

import java.util.Arrays;

/** Open-addressing hash map from long keys to non-negative int values (-1: absent). */
final class LongIntMap {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] keys;
    private int[] vals;
    private int size, mask;

    LongIntMap(int capacity) {
        int n = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        keys = new long[n];
        vals = new int[n];
        Arrays.fill(keys, EMPTY);
        mask = n - 1;
    }

    int size() {
        return size;
    }

    private static int hash(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k ^ (k >>> 32));
    }

    int get(long k) {
        for (int i = hash(k) & mask; ; i = (i + 1) & mask) {
            long q = keys[i];
            if (q == k) return vals[i];
            if (q == EMPTY) return -1;
        }
    }

    /** The value of k, inserting {@code next} when absent (then the caller must use next). */
    int getOrPut(long k, int next) {
        for (int i = hash(k) & mask; ; i = (i + 1) & mask) {
            long q = keys[i];
            if (q == k) return vals[i];
            if (q == EMPTY) {
                keys[i] = k;
                vals[i] = next;
                if (++size * 2 > keys.length) grow();
                return next;
            }
        }
    }

    private void grow() {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new int[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (ok[j] == EMPTY) continue;
            int i = hash(ok[j]) & mask;
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = ok[j];
            vals[i] = ov[j];
        }
    }

    interface Visitor {
        void visit(long key, int value);
    }

    void forEach(Visitor v) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != EMPTY) v.visit(keys[i], vals[i]);
    }
}
