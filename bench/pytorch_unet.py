#!/usr/bin/env python3
"""The U-Net of org.geomend.bench.nn.NnBench in PyTorch, timed on the GPU: one training step (batch 8, forward +
backward + Adam 1e-4) and batched inference, FP32 with TF32 off (cudnn.allow_tf32 = False, matmul TF32 off), so
that it compares with the geomend CUDA / cuDNN backends on the same device. Prints one JSON line per config.
With --device cpu it times the same network on the CPU (torch.set_num_threads(--threads)) for a same-machine
comparison with `NnBench --backend java --threads N` (bench/results/2026-11-29-unet-cpu-vs-pytorch.md).

Network (same as NnBench): `levels` resolution levels, round(filters * factor^l) filters at level l, two KxK
conv + ReLU per level, 2x2 max-pool down, nearest up-sampling x2 + conv + ReLU, concatenation (skip first),
two conv + ReLU, 1x1 linear head, masked L1 loss, Adam. The paper (DeepMEND IV-B) says the filters *decrease*
by a factor of two per level from 32 (factor 0.5); --factor 2 is the classic doubling U-Net. 600 x 600 maps are
padded to 640 (a multiple of 2^(levels-1)).

Usage: python3 bench/pytorch_unet.py [--factor 0.5 2] [--levels 6] [--filters 32] [--kernel 5] [--batch 8]
       [--size 640] [--channels 3] [--steps 5] [--cudnn-benchmark] [--device cuda|cpu] [--threads N]
       [--inference-only]
"""
import argparse
import json
import platform
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv(ci, co, k):
    return nn.Conv2d(ci, co, k, padding=k // 2)


class UNet(nn.Module):
    def __init__(self, levels, filters, factor, k, channels):
        super().__init__()
        f = [max(1, round(filters * factor ** l)) for l in range(levels)]
        self.levels = levels
        self.enc = nn.ModuleList()
        for l in range(levels):
            cin = channels if l == 0 else f[l - 1]
            self.enc.append(nn.ModuleList([conv(cin, f[l], k), conv(f[l], f[l], k)]))
        self.dec = nn.ModuleList()
        for l in range(levels - 1):
            self.dec.append(nn.ModuleList([conv(f[l + 1], f[l], k), conv(2 * f[l], f[l], k), conv(f[l], f[l], k)]))
        self.head = nn.Conv2d(f[0], 1, 1)
        self.filters = f

    def forward(self, x):
        skips = []
        for l in range(self.levels):
            a, b = self.enc[l]
            x = F.relu(b(F.relu(a(x))))
            if l < self.levels - 1:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        for l in range(self.levels - 2, -1, -1):
            up, c1, c2 = self.dec[l]
            u = F.relu(up(F.interpolate(x, scale_factor=2, mode="nearest")))
            x = torch.cat([skips[l], u], 1)
            x = F.relu(c2(F.relu(c1(x))))
        return self.head(x)


def masked_l1(pred, target, mask):
    return (mask * (pred - target).abs()).sum() / mask.sum().clamp(min=1)


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def timed(fn, steps, dev):
    sync(dev)
    t0 = time.perf_counter()
    out = None
    for _ in range(steps):
        out = fn()
    sync(dev)
    return (time.perf_counter() - t0) * 1000 / steps, out


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(args, factor):
    dev = torch.device(args.device)
    torch.manual_seed(1)
    net = UNet(args.levels, args.filters, factor, args.kernel, args.channels).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4, eps=1e-7)
    B, S = args.batch, args.size
    x = torch.rand(B, args.channels, S, S, device=dev)
    target = torch.rand(B, 1, S, S, device=dev)
    mask = torch.ones(B, 1, S, S, device=dev)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = masked_l1(net(x), target, mask)
        loss.backward()
        opt.step()
        return loss

    train_ms, loss = float("nan"), float("nan")
    if not args.inference_only:
        for _ in range(2):
            step()
        train_ms, loss = timed(step, args.steps, dev)
    with torch.no_grad():
        net(x)
        infer_ms, _ = timed(lambda: net(x), args.steps, dev)
    params = sum(p.numel() for p in net.parameters())
    if dev.type == "cpu":
        return {
            "impl": "pytorch",
            "torch": torch.__version__,
            "device": "cpu: " + cpu_name(),
            "threads": torch.get_num_threads(),
            "config": "%d levels, filters %s, %dx%d, batch %d, %dx%d, %d input channels"
                      % (args.levels, ",".join(map(str, net.filters)), args.kernel, args.kernel, B, S, S, args.channels),
            "parameters": params,
            "train_step_ms": None if args.inference_only else round(train_ms, 3),
            "inference_batch_ms": round(infer_ms, 3),
            "inference_ms_per_map": round(infer_ms / B, 3),
            "loss": None if args.inference_only else float(loss),
        }
    return {
        "impl": "pytorch",
        "torch": torch.__version__,
        "cudnn": torch.backends.cudnn.version(),
        "device": torch.cuda.get_device_name(dev),
        "config": "%d levels, filters %s, %dx%d, batch %d, %dx%d, %d input channels"
                  % (args.levels, ",".join(map(str, net.filters)), args.kernel, args.kernel, B, S, S, args.channels),
        "parameters": params,
        "tf32": False,
        "cudnn_benchmark": bool(args.cudnn_benchmark),
        "train_step_ms": None if args.inference_only else round(train_ms, 3),
        "inference_batch_ms": round(infer_ms, 3),
        "inference_ms_per_map": round(infer_ms / B, 3),
        "loss": None if args.inference_only else float(loss),
        "peak_memory_mib": round(torch.cuda.max_memory_allocated(dev) / 2 ** 20, 1),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--factor", type=float, nargs="+", default=[0.5, 2.0])
    p.add_argument("--levels", type=int, default=6)
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--kernel", type=int, default=5)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=640)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--cudnn-benchmark", action="store_true", help="let cuDNN time its algorithms (autotuning)")
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda", help="default cuda")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (torch.set_num_threads; 0 = torch's default)")
    p.add_argument("--inference-only", action="store_true", help="skip the training steps")
    args = p.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print("pytorch_unet.py: no CUDA device", file=sys.stderr)
        return 3
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.size % (1 << (args.levels - 1)):
        print("pytorch_unet.py: --size must be a multiple of 2^(levels-1)", file=sys.stderr)
        return 2
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = bool(args.cudnn_benchmark)
    for factor in args.factor:
        print(json.dumps(run(args, factor)), flush=True)
        if args.device == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
    return 0


if __name__ == "__main__":
    sys.exit(main())
