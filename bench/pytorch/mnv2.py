"""MobileNetV2 in PyTorch laid out exactly like DnasToolchain's engine, for reference numerics
and the side-by-side speed bar.

Same module order and parameter order as src/Dnas/Engine/Models/MobileNetV2.cs (stem,
blocks [expand, dw, project], head, classifier), same torchvision width rounding, and
optionally TFLite SAME padding (pad_before = total // 2), which our engine uses so that
export copies weights unchanged. `tf_same=False` gives PyTorch's usual symmetric padding
(what an expert's torchvision model does; same FLOPs) for the speed benchmark.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

TABLE = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k, stride, groups, relu6, tf_same):
        super().__init__()
        self.k, self.stride, self.tf_same = k, stride, tf_same
        pad = 0 if tf_same else k // 2
        self.conv = nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu6 = relu6

    def forward(self, x):
        if self.tf_same and self.k > 1:
            h, w = x.shape[-2], x.shape[-1]
            def split(n):
                out = (n + self.stride - 1) // self.stride
                total = max((out - 1) * self.stride + self.k - n, 0)
                return total // 2, total - total // 2
            (pt, pb), (pl, pr) = split(h), split(w)
            x = F.pad(x, (pl, pr, pt, pb))
        x = self.bn(self.conv(x))
        return F.relu6(x) if self.relu6 else x


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, t, k, stride, tf_same):
        super().__init__()
        hidden = cin * t
        self.expand = ConvBn(cin, hidden, 1, 1, 1, True, tf_same) if t != 1 else None
        self.dw = ConvBn(hidden, hidden, k, stride, hidden, True, tf_same)
        self.project = ConvBn(hidden, cout, 1, 1, 1, False, tf_same)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        h = self.expand(x) if self.expand is not None else x
        h = self.project(self.dw(h))
        return x + h if self.residual else h


class MobileNetV2(nn.Module):
    def __init__(self, width=1.0, in_ch=3, classes=1000, tf_same=True):
        super().__init__()
        c = make_divisible(32 * width)
        self.stem = ConvBn(in_ch, c, 3, 2, 1, True, tf_same)
        blocks = []
        for t, ch, n, s in TABLE:
            out = make_divisible(ch * width)
            for i in range(n):
                blocks.append(InvertedResidual(c, out, t, 3, s if i == 0 else 1, tf_same))
                c = out
        self.blocks = nn.Sequential(*blocks)
        last = make_divisible(1280 * max(1.0, width))
        self.head = ConvBn(c, last, 1, 1, 1, True, tf_same)
        self.classifier = nn.Linear(last, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.classifier(x.mean((2, 3)))

    def conv_bns(self):
        yield self.stem
        for b in self.blocks:
            if b.expand is not None:
                yield b.expand
            yield b.dw
            yield b.project
        yield self.head

    def ordered_params(self):
        """(name, parameter, engine-layout converter) in the engine's parameter order."""
        for i, cb in enumerate(self.conv_bns()):
            dw = cb.conv.groups > 1
            # conv [O,I,kh,kw] -> [O,kh,kw,I]; depthwise [C,1,kh,kw] -> [1,kh,kw,C]
            conv = (lambda t: t.permute(1, 2, 3, 0)) if dw else (lambda t: t.permute(0, 2, 3, 1))
            yield f"conv{i}.weight", cb.conv.weight, conv
            yield f"conv{i}.bn.weight", cb.bn.weight, lambda t: t
            yield f"conv{i}.bn.bias", cb.bn.bias, lambda t: t
        yield "classifier.weight", self.classifier.weight, lambda t: t
        yield "classifier.bias", self.classifier.bias, lambda t: t


def sgd(model, lr, momentum=0.9, weight_decay=4e-5):
    """SGD with weight decay on conv/linear weights only (not BN, not biases), like the engine."""
    decay, no_decay = [], []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            decay.append(m.weight)
            if m.bias is not None:
                no_decay.append(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            no_decay += [m.weight, m.bias]
    return torch.optim.SGD([{"params": decay, "weight_decay": weight_decay},
                            {"params": no_decay, "weight_decay": 0.0}], lr=lr, momentum=momentum)


def add_runtime_args(ap):
    """--threads, --seed and --memory-format: how every benchmark here runs PyTorch."""
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--memory-format", choices=["channels_last", "nchw"], default="channels_last")


def setup_runtime(a):
    """PyTorch on the CPU as an expert sets it up: N intra-op threads (it defaults to 1 here),
    one inter-op thread, a fixed seed; returns the memory format to use (channels_last is
    oneDNN's preferred layout)."""
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    return torch.channels_last if a.memory_format == "channels_last" else torch.contiguous_format
