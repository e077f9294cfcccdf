#!/usr/bin/env python3
"""Load a geomend U-Net student (``geomend train`` output) in PyTorch and draw its maps.

A model directory holds ``config.json`` (format ``geomend-unet-1``: depth, filters, factor, kernel,
convs_per_level, features, window, resolution) and ``model.safetensors`` (F32 tensors ``enc.L.J``, ``up.L``,
``dec.L.J``, ``head``, each ``.weight [out, in, k, k]`` and ``.bias [out]``). This module reads both with json
+ numpy only (no ``safetensors`` package), builds the same network as ``org.geomend.student.UNet`` and runs the
same inference as ``geomend geolocate --method deepmend|direct`` (``StudentModel.predict``):

1. features (SPEC section 2, ``Features.compute``): for every pixel centre l of the BS window grown to a side
   that is a multiple of 2^(depth-1) (``Features.padded``: (P - W) // 2 extra pixels west and south, the rest
   east and north), the distances X = |l - s| + 1 m to the nearest sites of the whole inventory (target
   included), each as 1 - exp(-X / d_i(l)), d_i(l) the distance (+1 m) to the target BS; ``paper``: NN1, NN2,
   NN3; ``repo``: NN1, NN2, mean(NN1..NN5); a missing neighbour (inventory too small) gives 1;
2. the U-Net (NCHW float32, row 0 = south): per encoder level ``convs`` x (conv KxK, zero padding K//2, + ReLU),
   2x2 max-pool between levels; per decoder level nearest x2 up-sampling, conv KxK + ReLU, concat(skip, up),
   ``convs`` x (conv + ReLU); a 1x1 linear head;
3. crop back to the window, inverse target transform p = 10^(-1/y') (y' <= 0 gives 1e-9), renormalise to sum 1
   (float64 sum), as ``TargetTransform.toMap``.

The window of a BS at (x, y) is the SPEC's: x0 = floor((x - W r / 2) / r) r, likewise y0 (``GridSpec.window``),
W and r the model's (config ``window`` / ``resolution``) unless --window / --resolution say otherwise.

Sites: a generic geomend CSV with a header holding ``id``, ``x``, ``y`` (projected metres, e.g. the
``sites.csv`` of ``geomend synth``; comma, semicolon or tab; other columns ignored). Rows at exactly the same
position are merged into the first, as geomend does. lat/lon inventories are not read here (geomend projects
them; project them to metres first).

CLI (PyTorch on the CPU, or --device cuda)::

    python3 geomend_unet.py MODEL --sites sites.csv --id ID [--id ID2 ...] --out map.npy
    python3 geomend_unet.py MODEL --sites sites.csv --id ID1 --id ID2 --out maps/     # one ID.npy per BS

Each map is saved as float32 [window, window], row 0 = south, as ``geomend geolocate --format npy`` writes it
(same float32 results up to float rounding of the convolution sums, about 1e-6 relative).

From Python::

    import geomend_unet as gu
    model = gu.load("model-deepmend/")           # a GeomendUNet (torch.nn.Module) with .config
    sites = gu.read_sites("sites.csv")           # ids, xy [n, 2] float64
    maps = gu.predict(model, sites, ["city01-0000"])   # numpy float32 [n, W, W]
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # the loaders and features work without torch; the network needs it
    torch = None
    nn = None

FLOOR = 1e-9


# ------------------------------------------------------------------------------------------------ model files

def read_config(model_dir):
    """config.json of a model directory (or of the directory holding a .safetensors file) as a dict."""
    path = os.path.join(_model_dir(model_dir), "config.json")
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
    for key in ("depth", "filters", "factor", "kernel", "convs_per_level", "features", "window", "resolution"):
        if cfg.get(key) is None:
            raise ValueError("%s: model config has no '%s'" % (path, key))
    if cfg["features"] not in ("paper", "repo"):
        raise ValueError("%s: features must be paper or repo: %r" % (path, cfg["features"]))
    return cfg


def read_safetensors(path):
    """The F32 tensors of a safetensors file: ({name: float32 ndarray}, metadata dict), in file order."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: not a safetensors file (too short)" % path)
    (hlen,) = struct.unpack("<Q", raw[:8])
    if hlen <= 0 or hlen > len(raw) - 8:
        raise ValueError("%s: not a safetensors file (header length %d)" % (path, hlen))
    header = json.loads(raw[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, t in header.items():
        if t.get("dtype") != "F32":
            raise ValueError("%s: tensor '%s' is %s, only F32 is read" % (path, name, t.get("dtype")))
        shape = tuple(int(d) for d in t["shape"])
        a, b = (int(v) for v in t["data_offsets"])
        n = int(np.prod(shape, dtype=np.int64))
        if a < 0 or b - a != 4 * n or base + b > len(raw):
            raise ValueError("%s: tensor '%s' has bad data_offsets" % (path, name))
        tensors[name] = np.frombuffer(raw, dtype="<f4", count=n, offset=base + a).reshape(shape).astype(np.float32)
    return tensors, metadata


def _model_dir(path):
    return path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))


def channels(cfg, level):
    """Channels of level `level` (0-based): max(1, round(filters * factor^level)), Java's Math.round."""
    return max(1, int(np.floor(cfg["filters"] * cfg["factor"] ** level + 0.5)))


def padded(cfg, size):
    """The side the network runs on: size rounded up to a multiple of 2^(depth-1) (UNetConfig.padded)."""
    m = 1 << (cfg["depth"] - 1)
    return (size + m - 1) // m * m


# ------------------------------------------------------------------------------------------------ the network

if nn is not None:
    class GeomendUNet(nn.Module):
        """org.geomend.student.UNet: parameter names equal the safetensors names with '.' -> '_' in the module
        path (state_dict keys are e.g. 'enc.0.0.weight', 'up.3.weight', 'dec.2.0.bias', 'head.weight')."""

        def __init__(self, cfg):
            super().__init__()
            self.config = dict(cfg)
            depth, convs, k = cfg["depth"], cfg["convs_per_level"], cfg["kernel"]
            self.depth, self.convs = depth, convs
            cin = 3
            self.enc = nn.ModuleList()
            for l in range(depth):
                c = channels(cfg, l)
                self.enc.append(nn.ModuleList(
                    [nn.Conv2d(cin if j == 0 else c, c, k, padding=k // 2) for j in range(convs)]))
                cin = c
            self.up = nn.ModuleList(
                [nn.Conv2d(channels(cfg, l + 1), channels(cfg, l), k, padding=k // 2) for l in range(depth - 1)])
            self.dec = nn.ModuleList()
            for l in range(depth - 1):
                c = channels(cfg, l)
                self.dec.append(nn.ModuleList(
                    [nn.Conv2d(2 * c if j == 0 else c, c, k, padding=k // 2) for j in range(convs)]))
            self.head = nn.Conv2d(channels(cfg, 0), 1, 1)

        def forward(self, x):
            """x: [n, 3, H, W], H and W multiples of 2^(depth-1); returns the transformed target [n, 1, H, W]."""
            m = 1 << (self.depth - 1)
            if x.shape[-1] % m or x.shape[-2] % m:
                raise ValueError("U-Net input %s is not a multiple of %d" % (tuple(x.shape[-2:]), m))
            skips = []
            for l in range(self.depth):
                if l > 0:
                    x = F.max_pool2d(skips[-1], 2)
                for conv in self.enc[l]:
                    x = F.relu(conv(x))
                skips.append(x)
            for l in range(self.depth - 2, -1, -1):
                u = F.relu(self.up[l](F.interpolate(x, scale_factor=2, mode="nearest")))
                x = torch.cat([skips[l], u], 1)
                for conv in self.dec[l]:
                    x = F.relu(conv(x))
            return self.head(x)

        def load_geomend_weights(self, tensors):
            """Copies {safetensors name: ndarray} into the parameters; a missing or misshapen tensor is an error."""
            own = self.state_dict()
            for name, p in own.items():
                if name not in tensors:
                    raise ValueError("no tensor '%s' (model and config disagree?)" % name)
                if tuple(tensors[name].shape) != tuple(p.shape):
                    raise ValueError("tensor '%s' has shape %s, the config wants %s"
                                     % (name, tuple(tensors[name].shape), tuple(p.shape)))
            extra = sorted(set(tensors) - set(own))
            if extra:
                raise ValueError("tensors the config does not use: %s" % ", ".join(extra))
            self.load_state_dict({n: torch.from_numpy(np.ascontiguousarray(t)) for n, t in tensors.items()})
            return self


def load(model, device="cpu"):
    """A GeomendUNet (eval mode, float32) from a model directory or its model.safetensors."""
    if torch is None:
        raise RuntimeError("PyTorch is not installed")
    cfg = read_config(model)
    weights = model if os.path.isfile(model) else os.path.join(model, "model.safetensors")
    tensors, _ = read_safetensors(weights)
    net = GeomendUNet(cfg).load_geomend_weights(tensors)
    return net.to(device).eval()


# ------------------------------------------------------------------------------------------------ sites, features

def read_sites(path):
    """A generic geomend sites CSV (header with id, x, y; comma, semicolon or tab): (ids, xy float64 [n, 2]).
    Rows at exactly the same position are merged into the first (geomend's InventoryReader does the same)."""
    with open(path, encoding="utf-8-sig") as f:
        lines = [ln.rstrip("\r\n") for ln in f]
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        raise ValueError("%s: empty" % path)
    head = lines[0]
    semi, tab, comma = head.count(";"), head.count("\t"), head.count(",")
    delim = ";" if semi > comma and semi >= tab else "\t" if tab > comma and tab > semi else ","
    cols = {}
    for i, c in enumerate(head.split(delim)):
        cols.setdefault(c.strip().strip('"').lower(), i)
    if not {"id", "x", "y"} <= set(cols):
        raise ValueError("%s: the header needs id, x and y (found %s); lat/lon inventories: project them first"
                         % (path, ", ".join(cols)))
    ids, xy, seen = [], [], set()
    for ln, line in enumerate(lines[1:], start=2):
        tok = [t.strip().strip('"') for t in line.split(delim)]
        try:
            x, y = (float(tok[cols[c]].replace(",", ".") if delim != "," else tok[cols[c]]) for c in ("x", "y"))
        except (IndexError, ValueError):
            raise ValueError("%s line %d: bad row" % (path, ln))
        if (x, y) in seen:
            continue
        seen.add((x, y))
        ids.append(tok[cols["id"]])
        xy.append((x, y))
    return ids, np.asarray(xy, dtype=np.float64)


def window(x, y, size, resolution):
    """The SPEC's BS window (GridSpec.window): (x0, y0, resolution, width, height)."""
    x0 = np.floor((x - size * resolution / 2) / resolution) * resolution
    y0 = np.floor((y - size * resolution / 2) / resolution) * resolution
    return float(x0), float(y0), float(resolution), int(size), int(size)


def padded_grid(win, cfg):
    """Features.padded: the window grown to the network's side, (P - W) // 2 pixels west / south."""
    x0, y0, r, w, h = win
    pw, ph = padded(cfg, w), padded(cfg, h)
    left, bottom = (pw - w) // 2, (ph - h) // 2
    return x0 - left * r, y0 - bottom * r, r, pw, ph


def features(xy, target, grid, kind):
    """Features.compute: float32 [3, H, W] of site index `target` on grid (x0, y0, r, W, H), row 0 south."""
    x0, y0, r, w, h = grid
    kk = 5 if kind == "repo" else 3
    px = x0 + (np.arange(w) + 0.5) * r                      # GridSpec.centreX
    py = y0 + (np.arange(h) + 0.5) * r
    # candidates: every site that can be among the kk nearest of a pixel centre (triangle inequality from the
    # grid centre), so the brute force below stays small; the kk distances are those of the full inventory
    cx, cy = x0 + w * r / 2, y0 + h * r / 2
    half = np.hypot(w * r, h * r) / 2
    dc = np.hypot(xy[:, 0] - cx, xy[:, 1] - cy)
    if len(xy) > kk:
        rk = np.partition(dc, kk - 1)[kk - 1]
        cand = np.nonzero(dc <= rk + 2 * half + 1.0)[0]
    else:
        cand = np.arange(len(xy))
    gx, gy = np.meshgrid(px, py)                            # [H, W]
    d = np.empty((h, w, kk))
    d[:] = np.inf
    dx = gx[..., None] - xy[cand, 0]
    dy = gy[..., None] - xy[cand, 1]
    sq = dx * dx + dy * dy                                  # [H, W, nc]
    m = min(kk, len(cand))
    near = np.sort(np.partition(sq, m - 1, axis=-1)[..., :m], axis=-1) if m < len(cand) else np.sort(sq, axis=-1)
    d[..., :m] = np.sqrt(near) + 1.0                        # SitePositions.distancePlus1
    ti = np.sqrt((gx - xy[target, 0]) ** 2 + (gy - xy[target, 1]) ** 2) + 1.0
    x2 = d[..., 2] if kind != "repo" else d.mean(axis=-1)

    def tf(v):
        return np.where(np.isinf(v), 1.0, 1.0 - np.exp(-v / ti)).astype(np.float32)

    return np.stack([tf(d[..., 0]), tf(d[..., 1]), tf(x2)])


def to_map(out, cfg, w, h):
    """TargetTransform.toMap: crop the padded output [PH, PW] to the window, invert, renormalise (float64)."""
    pw, ph = padded(cfg, w), padded(cfg, h)
    c0, r0 = (pw - w) // 2, (ph - h) // 2
    t = out[r0:r0 + h, c0:c0 + w].astype(np.float64)
    with np.errstate(divide="ignore"):
        p = np.where(t <= 0, FLOOR, np.power(10.0, -1.0 / np.where(t <= 0, 1.0, t)))
    s = p.sum()                                             # Java sums the doubles, stores floats,
    p32 = p.astype(np.float32)                              # then divides each stored float by the sum
    return (p32.astype(np.float64) / s).astype(np.float32) if s > 0 else p32


def predict(net, sites, ids, window_px=None, resolution=None, batch=4):
    """Maps of the BSs `ids` (float32 [n, W, W], row 0 south) with `net` (a GeomendUNet); sites = read_sites()."""
    cfg = net.config
    names, xy = sites
    index = {s: i for i, s in enumerate(names)}
    W = int(window_px or cfg["window"])
    res = float(resolution or cfg["resolution"])
    dev = next(net.parameters()).device
    out = np.empty((len(ids), W, W), dtype=np.float32)
    for s in range(0, len(ids), batch):
        chunk = ids[s:s + batch]
        x = []
        for sid in chunk:
            if sid not in index:
                raise KeyError("site id '%s' is not in the inventory (or was merged into an earlier one)" % sid)
            t = index[sid]
            win = window(xy[t, 0], xy[t, 1], W, res)
            x.append(features(xy, t, padded_grid(win, cfg), cfg["features"]))
        with torch.no_grad():
            y = net(torch.from_numpy(np.stack(x)).to(dev)).cpu().numpy()
        for b in range(len(chunk)):
            out[s + b] = to_map(y[b, 0], cfg, W, W)
    return out


# ------------------------------------------------------------------------------------------------ CLI

def main(argv=None):
    p = argparse.ArgumentParser(description="Draw geomend U-Net student maps in PyTorch (see the module docstring).")
    p.add_argument("model", help="model directory written by geomend train (or its model.safetensors)")
    p.add_argument("--sites", required=True, help="generic sites CSV with id,x,y (projected metres)")
    p.add_argument("--id", action="append", required=True, help="site id (repeatable)")
    p.add_argument("--out", required=True, help="a .npy file (one --id) or a directory (ID.npy per site)")
    p.add_argument("--window", type=int, help="window side in pixels (default: the model's)")
    p.add_argument("--resolution", type=float, help="pixel side in metres (default: the model's)")
    p.add_argument("--device", default="cpu", help="torch device (default cpu)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    a = p.parse_args(argv)
    if torch is None:
        print("geomend_unet.py: PyTorch is not installed", file=sys.stderr)
        return 3
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    net = load(a.model, a.device)
    maps = predict(net, read_sites(a.sites), a.id, a.window, a.resolution)
    if a.out.endswith(".npy"):
        if len(a.id) != 1:
            print("geomend_unet.py: --out FILE.npy takes one --id; give a directory for several", file=sys.stderr)
            return 2
        np.save(a.out, maps[0])
    else:
        os.makedirs(a.out, exist_ok=True)
        for sid, m in zip(a.id, maps):
            np.save(os.path.join(a.out, sid + ".npy"), m)
    print("geomend_unet.py: %d map(s) of %d x %d pixels of %g m -> %s"
          % (len(a.id), maps.shape[1], maps.shape[2], a.resolution or net.config["resolution"], a.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
