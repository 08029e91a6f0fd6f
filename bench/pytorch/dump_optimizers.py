#!/usr/bin/python3
"""Writes tests/Dnas.Tests/Fixtures/optim_steps.bin: three steps of torch.optim.SGD (momentum,
weight decay, with and without Nesterov) and torch.optim.Adam (with L2 weight decay) on one
parameter vector with given gradients, for the engine's optimiser tests. Same container as
dump_mnv2_step.py (magic 'DMN2', version 1); header[2] = steps, header[3] = vector length, header[8] = tensor count.
Tensors: initial values, then the gradient for each step, then for each optimiser
(sgd, sgd-nesterov, adam) the values after each step. Float64 inside, float32 on disk.
Run by hand: /usr/bin/python3 bench/pytorch/dump_optimizers.py"""
import os
import struct

import torch

MAGIC, VERSION, STEPS, N = 0x324E4D44, 1, 3, 50
torch.manual_seed(7)
init = torch.randn(N).float().double()
grads = [torch.randn(N).float().double() for _ in range(STEPS)]
lrs = [0.1, 0.05, 0.02]
tensors = [init] + grads
for make in (lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=1e-3),
             lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=1e-3, nesterov=True),
             lambda p: torch.optim.Adam([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-3)):
    p = torch.nn.Parameter(init.clone())
    opt = make(p)
    for s in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = lrs[s]
        p.grad = grads[s].clone()
        opt.step()
        tensors.append(p.detach().clone())

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Dnas.Tests", "Fixtures", "optim_steps.bin")
with open(out + ".tmp", "wb") as f:
    f.write(struct.pack("<16i", MAGIC, VERSION, STEPS, N, 0, 0, 0, 0, len(tensors), *([0] * 7)))
    for t in tensors:
        f.write(struct.pack("<iii", 0, 1, t.numel()))
        f.write(t.numpy().astype("<f4").tobytes())
os.replace(out + ".tmp", out)
print(f"wrote {out}")
