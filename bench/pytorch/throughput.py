#!/usr/bin/python3
"""Training and inference throughput of PyTorch's MobileNetV2 on one synthetic batch: the
twin of `Dnas.Bench train-throughput`, set up as an expert would run it on a CPU.

- torch.set_num_threads(N) (2 by default, the machine's cores), one inter-op thread;
- channels_last memory format for model and input (oneDNN's preferred layout on CPU), or
  contiguous NCHW with --memory-format nchw (reported as impl "torch-nchw");
- symmetric padding (tf_same=False), PyTorch's usual convolution;
- SGD with momentum 0.9 and weight decay 4e-5 on conv/linear weights only, like the engine;
- inference in eval mode under torch.inference_mode();
- run with GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184
  (set by bench/train-throughput.sh) so glibc keeps freed activation memory instead of
  returning it to the kernel and faulting it in again every step.
Warm-up steps first, then timed steps; peak RSS (VmHWM) at the end. Prints one JSON line.
Run with Debian's python3-torch: /usr/bin/python3 bench/pytorch/throughput.py --help
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnv2 import MobileNetV2, add_runtime_args, setup_runtime, sgd  # noqa: E402


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return -1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--width", type=float, default=0.35)
    ap.add_argument("--res", type=int, default=96)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--classes", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--infer-warmup", type=int, default=2)
    ap.add_argument("--infer-steps", type=int, default=10)
    add_runtime_args(ap)
    a = ap.parse_args()

    fmt = setup_runtime(a)
    impl = "torch" if a.memory_format == "channels_last" else "torch-nchw"

    model = MobileNetV2(a.width, a.channels, a.classes, tf_same=False).to(memory_format=fmt).train()
    opt = sgd(model, lr=0.01, momentum=0.9, weight_decay=4e-5)
    x = torch.randn(a.batch, a.channels, a.res, a.res).contiguous(memory_format=fmt)
    y = torch.randint(0, a.classes, (a.batch,))
    print(f"{impl} train-throughput: MobileNetV2 {a.width} @ {a.res}x{a.res}x{a.channels}, batch {a.batch}, "
          f"{torch.get_num_threads()} threads, {a.memory_format}; {a.warmup}+{a.steps} training steps, "
          f"{a.infer_warmup}+{a.infer_steps} inference passes", file=sys.stderr)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        loss = step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    loss = loss.item()
    train_s = time.perf_counter() - t0
    if loss != loss:
        print(f"{impl} train-throughput: warning: the loss is {loss}", file=sys.stderr)

    model.eval()
    with torch.inference_mode():
        for _ in range(a.infer_warmup):
            model(x)
        t0 = time.perf_counter()
        for _ in range(a.infer_steps):
            model(x)
        infer_s = time.perf_counter() - t0

    print(json.dumps({
        "impl": impl, "width": a.width, "res": a.res, "channels": a.channels, "batch": a.batch,
        "threads": a.threads, "steps": a.steps, "infer_steps": a.infer_steps,
        "train_img_s": round(a.steps * a.batch / train_s, 2),
        "infer_img_s": round(a.infer_steps * a.batch / infer_s, 2),
        "peak_rss_mb": round(peak_rss_mb(), 2),
    }))


if __name__ == "__main__":
    main()
