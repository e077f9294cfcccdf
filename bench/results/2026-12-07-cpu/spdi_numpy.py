#!/usr/bin/env python3
"""The numpy float64 reference of the issue's end-to-end comparison: sPDI (SPEC section 2) on the SPEC's
600 x 600 windows of 100 m, neighbours from a scipy k-d tree, the 2^k sum vectorised over the pixels, one .npy
(float32, row 0 = south, as geomend geolocate writes NPY) per map.

usage: spdi_numpy.py SITES.csv IDS OUT_DIR [--beta 2] [--k 5]     (SITES: id,x,y in metres; IDS: comma separated)
       spdi_numpy.py --inventory OUT.csv N SEED                    (writes a clustered inventory of N sites)
"""
import math
import os
import sys
import time

import numpy as np
from scipy.spatial import cKDTree


def inventory(path, n, seed):
    rng = np.random.default_rng(seed)
    centres = np.array([[652_000, 6_862_000], [690_000, 6_880_000], [630_000, 6_830_000], [700_000, 6_840_000]])
    k = rng.integers(0, len(centres), n)
    xy = centres[k] + rng.normal(0, 1, (n, 2)) * np.array([6_000, 6_000])[None, :] * rng.uniform(0.3, 2.5, (n, 1))
    bg = rng.random(n) < 0.2
    xy[bg] = np.array([600_000, 6_800_000]) + rng.random((bg.sum(), 2)) * 150_000
    with open(path, "w") as f:
        f.write("id,x,y\n")
        for i, (x, y) in enumerate(xy):
            f.write(f"s{i},{x:.1f},{y:.1f}\n")


def main():
    if sys.argv[1] == "--inventory":
        inventory(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    sites_csv, ids, out = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    beta = float(sys.argv[sys.argv.index("--beta") + 1]) if "--beta" in sys.argv else 2.0
    k = int(sys.argv[sys.argv.index("--k") + 1]) if "--k" in sys.argv else 5
    t0 = time.time()
    names = np.loadtxt(sites_csv, delimiter=",", skiprows=1, usecols=0, dtype=str)
    xy = np.loadtxt(sites_csv, delimiter=",", skiprows=1, usecols=(1, 2))
    tree = cKDTree(xy)
    index = {n: i for i, n in enumerate(names)}
    W, r = 600, 100.0
    subsets = np.array([[(v >> t) & 1 for t in range(k)] for v in range(1 << k)], dtype=np.float64)  # (2^k, k)
    signs = np.array([(-1.0) ** bin(v).count("1") for v in range(1 << k)])
    os.makedirs(out, exist_ok=True)
    for name in ids:
        i = index[name]
        x0 = math.floor((xy[i, 0] - W * r / 2) / r) * r
        y0 = math.floor((xy[i, 1] - W * r / 2) / r) * r
        cx = x0 + (np.arange(W) + 0.5) * r
        cy = y0 + (np.arange(W) + 0.5) * r
        px, py = np.meshgrid(cx, cy)  # row 0 = south
        pts = np.column_stack([px.ravel(), py.ravel()])
        d, j = tree.query(pts, k=k + 1)
        other = j != i
        # the k nearest other than i: drop i's column where present, else the (k+1)-th
        keep = np.where(other.all(axis=1)[:, None], np.arange(k + 1)[None, :] < k, other)
        dj = d[keep].reshape(-1, k) + 1.0
        di = np.hypot(pts[:, 0] - xy[i, 0], pts[:, 1] - xy[i, 1]) + 1.0
        a = (dj / di[:, None]) ** beta
        p = (signs[None, :] / (1.0 + a @ subsets.T)).sum(axis=1)
        p = np.clip(p, 0.0, 1.0)
        p /= p.sum()
        np.save(os.path.join(out, name + ".npy"), p.reshape(W, W).astype(np.float32))
    print(f"numpy: {len(ids)} maps in {time.time() - t0:.2f} s (process time after start)", file=sys.stderr)


if __name__ == "__main__":
    main()
