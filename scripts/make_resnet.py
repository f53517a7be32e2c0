#!/usr/bin/env python3
"""A small ResNet (ResNet-8-like: a stem and three basic blocks with batch norm and skip
connections, He et al., CVPR 2016) for Fashion-MNIST, trained with PyTorch and exported to
ONNX for xbarmc (configs/resnet_study.json, docs/import.md).

Inputs are x / 255 (the study's "unit" normalisation), shape [1, 28, 28]. The export keeps the
BatchNormalization nodes (xbarmc folds them into the convolutions at import) and a dynamic
batch. Needs python3-torch and python3-onnx (scripts/setup).

Usage: make_resnet.py OUT.onnx [--epochs N] [--width W] [--train-limit N] [--seed S]
"""
import argparse
import gzip
import time

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.skip = nn.Identity()
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        return torch.relu(self.b2(self.c2(y)) + self.skip(x))


class ResNet8(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU())
        self.blocks = nn.Sequential(Block(w, w, 1), Block(w, 2 * w, 2), Block(2 * w, 4 * w, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4 * w, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--width", type=int, default=12)
    ap.add_argument("--train-limit", type=int, default=0, help="training samples (0 = all 60000)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    x = torch.tensor(idx(f"{DATA}/train-images-idx3-ubyte.gz"), dtype=torch.float32)[:, None] / 255
    y = torch.tensor(idx(f"{DATA}/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    if a.train_limit:
        x, y = x[:a.train_limit], y[:a.train_limit]
    xt = torch.tensor(idx(f"{DATA}/t10k-images-idx3-ubyte.gz"), dtype=torch.float32)[:, None] / 255
    yt = torch.tensor(idx(f"{DATA}/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    net = ResNet8(a.width)
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    steps = a.epochs * ((len(x) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 4e-3, total_steps=steps)
    for epoch in range(a.epochs):
        t0 = time.time()
        net.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x[b]), y[b])
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            acc = sum((net(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
                      for i in range(0, len(xt), 1000)) / len(xt)
        print(f"epoch {epoch + 1}/{a.epochs}: loss {loss.item():.3f}, test accuracy {acc:.4f}, "
              f"{time.time() - t0:.0f} s", flush=True)
    torch.onnx.export(net, xt[:1], a.out, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, opset_version=13, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    print(f"wrote {a.out} (test accuracy {acc:.4f} in PyTorch)")


if __name__ == "__main__":
    main()
