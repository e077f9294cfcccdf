#!/usr/bin/env python3
"""Compare two directories of maps (ID.npy, e.g. `geomend geolocate --format npy` against geomend_unet.py):
per map the max abs difference, the relative L2 difference ||a - b|| / ||a|| and the max relative difference
over pixels above 1e-3 of the map's peak; exit 1 when a relative L2 exceeds --tol (default 1e-4).

Usage: python3 compare_maps.py DIR_A DIR_B [--tol 1e-4]
"""
import argparse
import glob
import os
import sys

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tol", type=float, default=1e-4)
    args = p.parse_args()
    worst, n = 0.0, 0
    for fa in sorted(glob.glob(os.path.join(args.a, "*.npy"))):
        fb = os.path.join(args.b, os.path.basename(fa))
        if not os.path.exists(fb):
            continue
        a, b = np.load(fa).astype(np.float64), np.load(fb).astype(np.float64)
        if a.shape != b.shape:
            print("%s: shapes differ %s %s" % (os.path.basename(fa), a.shape, b.shape))
            return 1
        d = np.abs(a - b)
        rel = np.linalg.norm(a - b) / np.linalg.norm(a)
        big = np.abs(a) > 1e-3 * np.abs(a).max()
        print("%-24s %s  max abs %.3g  rel L2 %.3g  max rel (pixels > 1e-3 peak) %.3g"
              % (os.path.basename(fa)[:-4], "x".join(map(str, a.shape)), d.max(), rel, (d[big] / np.abs(a[big])).max()))
        worst, n = max(worst, rel), n + 1
    if n == 0:
        print("no maps in common")
        return 1
    print("%d maps, worst relative L2 %.3g" % (n, worst))
    return 0 if worst <= args.tol else 1


if __name__ == "__main__":
    sys.exit(main())
