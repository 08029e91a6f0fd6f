#!/usr/bin/python3
"""Trains PyTorch's MobileNetV2 on Fashion-MNIST and measures test accuracy: the twin of
`Dnas.Bench fashion-mnist`, with the same hyper-parameters and schedule.

MobileNetV2 (bench/pytorch/mnv2.py, TF-SAME padding so the net is the engine's), 28x28 gray
input scaled to [0,1] then normalised with mean 0.2860 and std 0.3530, SGD momentum 0.9
without Nesterov, weight decay 4e-5 on conv/linear weights only, lr 0.02 peak with linear
warm-up over 1/10 epoch then half-cosine decay to 0 at the last step (the engine's
CosineSchedule, evaluated per step), batch 64 with the last partial batch dropped, a new
seeded shuffle each epoch, no augmentation; test accuracy in eval mode. Prints one JSON line,
test_acc in percent. Reads the gzipped IDX files itself (no torchvision needed).
Run with Debian's python3-torch: /usr/bin/python3 bench/pytorch/fashion_mnist.py --help
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnv2 import MobileNetV2, add_runtime_args, setup_runtime, sgd  # noqa: E402


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    ndims = raw[3]
    dims = struct.unpack(f">{ndims}i", raw[4:4 + 4 * ndims])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndims)
    if data.size != int(np.prod(dims)):
        raise SystemExit(f"{path}: dimensions {dims} do not match {data.size} data bytes")
    return data.reshape(dims)


def load_split(folder, prefix):
    def find(stem):
        for name in (stem + ".gz", stem):
            if os.path.exists(os.path.join(folder, name)):
                return os.path.join(folder, name)
        raise SystemExit(f"{folder}: neither {stem}.gz nor {stem} is there")
    images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte"))
    if images.shape[0] != labels.shape[0]:
        raise SystemExit(f"{folder}: {images.shape[0]} {prefix} images but {labels.shape[0]} labels")
    return images, labels


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return -1.0


def cosine_lr(step, base, total, warmup, min_lr=0.0):
    """The engine's CosineSchedule.At, term for term."""
    if step < warmup:
        return base * (step + 1) / warmup
    decay = max(1, total - warmup)
    progress = min(1.0, (step - warmup) / decay)
    return min_lr + (base - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training images (0: all)")
    ap.add_argument("--test-limit", type=int, default=0, help="use only the first N test images (0: all)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--eval-batch", type=int, default=500)
    ap.add_argument("--width", type=float, default=0.35)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=4e-5)
    ap.add_argument("--warmup-epochs", type=float, default=0.1)
    ap.add_argument("--mean", type=float, default=0.2860)
    ap.add_argument("--std", type=float, default=0.3530)
    ap.add_argument("--log-every", type=int, default=100)
    add_runtime_args(ap)
    a = ap.parse_args()

    fmt = setup_runtime(a)

    train_x, train_y = load_split(a.data, "train")
    test_x, test_y = load_split(a.data, "t10k")
    n_train = min(a.limit, len(train_y)) if a.limit > 0 else len(train_y)
    n_test = min(a.test_limit, len(test_y)) if a.test_limit > 0 else len(test_y)
    classes = int(max(train_y.max(), test_y.max())) + 1
    steps_per_epoch = n_train // a.batch
    if steps_per_epoch == 0:
        raise SystemExit(f"--limit {n_train} is smaller than one batch of {a.batch}")
    total_steps = a.epochs * steps_per_epoch
    warmup_steps = max(1, round(a.warmup_epochs * steps_per_epoch))

    def normalise(u8):
        x = torch.from_numpy(u8.astype(np.float32) / np.float32(255))
        return ((x - a.mean) / a.std).unsqueeze(1)  # [N,1,H,W]

    xs, ys = normalise(train_x[:n_train]), torch.from_numpy(train_y[:n_train].astype(np.int64))
    xt, yt = normalise(test_x[:n_test]), torch.from_numpy(test_y[:n_test].astype(np.int64))

    model = MobileNetV2(a.width, 1, classes, tf_same=True).to(memory_format=fmt).train()
    opt = sgd(model, a.lr, a.momentum, a.weight_decay)
    for g in opt.param_groups:
        g["nesterov"] = False
    print(f"torch fashion-mnist: MobileNetV2 {a.width} on {n_train} training / {n_test} test images "
          f"{xs.shape[2]}x{xs.shape[3]}, {classes} classes; {a.epochs} epochs x {steps_per_epoch} steps of {a.batch}, "
          f"lr {a.lr} cosine, warm-up {warmup_steps} steps, {torch.get_num_threads()} threads, {a.memory_format}",
          file=sys.stderr)

    t0 = time.perf_counter()
    step_index = 0
    loss_sum, loss_count, last = 0.0, 0, float("nan")
    for epoch in range(a.epochs):
        gen = torch.Generator().manual_seed(a.seed * 1000 + epoch)
        order = torch.randperm(n_train, generator=gen)
        for step in range(steps_per_epoch):
            idx = order[step * a.batch:(step + 1) * a.batch]
            x = xs[idx].contiguous(memory_format=fmt)
            y = ys[idx]
            lr = cosine_lr(step_index, a.lr, total_steps, warmup_steps)
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            step_index += 1
            last = loss.item()
            if not math.isfinite(last):
                raise SystemExit(f"the loss became {last} at epoch {epoch} step {step}")
            loss_sum += last
            loss_count += 1
            if (step + 1) % a.log_every == 0 or step + 1 == steps_per_epoch:
                done = epoch * steps_per_epoch + step + 1
                print(f"  epoch {epoch + 1} step {step + 1}/{steps_per_epoch}: mean loss {loss_sum / loss_count:.4f}, "
                      f"lr {lr:.4f}, {done * a.batch / (time.perf_counter() - t0):.1f} img/s", file=sys.stderr)
                loss_sum, loss_count = 0.0, 0
    train_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, n_test, a.eval_batch):
            x = xt[start:start + a.eval_batch].contiguous(memory_format=fmt)
            correct += int((model(x).argmax(1) == yt[start:start + a.eval_batch]).sum())
    eval_seconds = time.perf_counter() - t0

    print(json.dumps({
        "impl": "torch", "epochs": a.epochs, "train_images": n_train, "test_images": n_test,
        "test_acc": round(100.0 * correct / n_test, 4), "train_seconds": round(train_seconds, 4),
        "eval_seconds": round(eval_seconds, 4), "final_loss": round(last, 4), "peak_rss_mb": round(peak_rss_mb(), 4),
    }))


if __name__ == "__main__":
    main()
