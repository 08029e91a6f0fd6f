#!/usr/bin/python3
"""Writes tests/Dnas.Tests/Fixtures/mnv2_step.bin: a small MobileNetV2's weights, a batch,
logits, loss, every gradient and the weights after one SGD step, from PyTorch.
PyTorch computes in float64 from float32-representable inputs and weights, so the fixture
holds the exact answer and the test measures our float32 error alone.
Run by hand (not by CI) with Debian's python3-torch 1.13:
    /usr/bin/python3 bench/pytorch/dump_mnv2_step.py
File: int32 header[16] = magic 0x324E4D44 ('DMN2'), version 1, batch, height, width, in_ch,
classes, width*1000, tensor count, then float32 lr, momentum, weight_decay as raw bits, rest 0.
Then tensors: int32 dtype (0 float32, 1 int32), int32 rank, int32 dims..., little-endian data.
Order: input NHWC, labels, logits, loss[1], params (engine order, engine layout), grads,
params after the step, BN running means then running vars (per conv layer, after forward)."""
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from mnv2 import MobileNetV2, sgd  # noqa: E402

MAGIC, VERSION = 0x324E4D44, 1
BATCH, H, W, IN_CH, CLASSES, WIDTH = 4, 35, 33, 3, 5, 0.2
LR, MOMENTUM, WD = 0.1, 0.9, 4e-5

torch.manual_seed(1234)
torch.set_num_threads(1)
model = MobileNetV2(WIDTH, IN_CH, CLASSES, tf_same=True).train()
# Give BN non-trivial affine parameters so their gradients are exercised.
with torch.no_grad():
    for cb in model.conv_bns():
        cb.bn.weight.uniform_(0.5, 1.5)
        cb.bn.bias.uniform_(-0.2, 0.2)
    model.classifier.bias.uniform_(-0.1, 0.1)

    for p in model.parameters():
        p.copy_(p.float().double())
model = model.double()
x = (torch.rand(BATCH, IN_CH, H, W) * 2 - 1).float().double()
y = torch.randint(0, CLASSES, (BATCH,))
before = [conv(p).detach().clone() for _, p, conv in model.ordered_params()]
opt = sgd(model, LR, MOMENTUM, WD)
opt.zero_grad()
logits = model(x)
loss = F.cross_entropy(logits, y)
loss.backward()
grads = [conv(p.grad).detach().clone() for _, p, conv in model.ordered_params()]
opt.step()
after = [conv(p).detach().clone() for _, p, conv in model.ordered_params()]
running = [cb.bn.running_mean.clone() for cb in model.conv_bns()] + [cb.bn.running_var.clone() for cb in model.conv_bns()]

tensors = [(0, x.permute(0, 2, 3, 1)), (1, y.int()), (0, logits.detach()), (0, loss.detach().reshape(1))]
tensors += [(0, t) for t in before] + [(0, t) for t in grads] + [(0, t) for t in after] + [(0, t) for t in running]

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Dnas.Tests", "Fixtures", "mnv2_step.bin")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out + ".tmp", "wb") as f:
    header = [MAGIC, VERSION, BATCH, H, W, IN_CH, CLASSES, int(WIDTH * 1000), len(tensors)]
    header += [struct.unpack("<i", struct.pack("<f", v))[0] for v in (LR, MOMENTUM, WD)]
    header += [0] * (16 - len(header))
    f.write(struct.pack("<16i", *header))
    for dtype, t in tensors:
        t = t.contiguous()
        f.write(struct.pack("<ii", dtype, t.dim()))
        f.write(struct.pack(f"<{t.dim()}i", *t.shape))
        f.write(t.detach().numpy().astype("<f4" if dtype == 0 else "<i4").tobytes())
os.replace(out + ".tmp", out)
print(f"wrote {out}: {len(tensors)} tensors, loss {loss.item():.6f}")
