#!/usr/bin/env python3
"""PyTorch -> ONNX -> xbarmc round trip (issue 15).

Builds a tiny residual CNN with batch norm (random weights and random running statistics, so
that folding matters), exports it twice with torch.onnx.export:
  folded:    training=EVAL, do_constant_folding=True (PyTorch folds BN into the convolutions)
  preserved: training=PRESERVE, do_constant_folding=False (BatchNormalization nodes and the
             Shape/Gather/Unsqueeze/Concat/Reshape subgraph of x.view(x.size(0), -1) kept)
imports each with `xbarmc import --check`, and compares xbarmc's float32 reference logits with
PyTorch's: argmax identical on every sample, logits within 1e-4 relative (of the largest
|logit|). Then an ideal chip (no variability, continuous levels, ideal periphery and wires) runs
the .onnx file directly as a study and must classify every sample as PyTorch does (accuracy
100 % against labels = PyTorch's argmax). Exit 0 on success, 1 on a mismatch, 77 when torch or onnx is not installed.

Usage: onnx_torch_roundtrip.py XBARMC_BINARY WORK_DIR
"""
import json
import re
import subprocess
import sys

try:
    import h5py
    import numpy as np
    import onnx
    import torch
    from torch import nn
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: {e} (install python3-torch python3-onnx: scripts/setup)")
    sys.exit(77)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.skip is None else self.skip(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, 1, 1), nn.BatchNorm2d(8), nn.ReLU())
        self.b1 = Block(8, 8, 1)
        self.b2 = Block(8, 16, 2)
        self.dw = nn.Conv2d(16, 16, 3, 1, 1, groups=16)  # depthwise
        self.pool = nn.MaxPool2d(3, 2, padding=1, ceil_mode=True)
        self.bn = nn.BatchNorm2d(16)  # after a pool: stays a digital per-channel affine
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        x = self.b2(self.b1(self.stem(x)))
        x = self.bn(self.pool(nn.functional.relu6(self.dw(x))))
        return self.fc(x.view(x.size(0), -1))


def main():
    xbarmc, work = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)
    net = Net()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
    net.eval()
    x = torch.randn(64, 1, 28, 28)
    with torch.no_grad():
        ref = net(x).numpy()
    with h5py.File(f"{work}/data.h5", "w") as f:
        f["inputs"] = x.numpy().astype("float32")
        f["labels"] = ref.argmax(1).astype("int32")
    failed = False
    for mode, folding, name in [(torch.onnx.TrainingMode.EVAL, True, "folded"),
                                (torch.onnx.TrainingMode.PRESERVE, False, "preserved")]:
        path = f"{work}/{name}.onnx"
        torch.onnx.export(net, x[:1], path, training=mode, do_constant_folding=folding,
                          opset_version=13, input_names=["x"], output_names=["logits"],
                          dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(f"{name}: ONNX ops {ops}")
        if name == "preserved" and "BatchNormalization" not in ops:
            print("FAIL: the preserved export has no BatchNormalization node")
            failed = True
        out = subprocess.run([xbarmc, "import", path, "-o", f"{work}/{name}.h5", "--quiet",
                              "--check", f"{work}/data.h5", "--logits", f"{work}/{name}_logits.h5",
                              "--sample-shape", "1", "28", "28", "--classes", "10"],
                             capture_output=True, text=True)
        print(out.stdout.strip(), out.stderr.strip())
        if out.returncode != 0:
            print(f"FAIL: xbarmc import exited with {out.returncode}")
            failed = True
            continue
        with h5py.File(f"{work}/{name}_logits.h5") as f:
            got = f["logits"][:]
        scale = np.abs(ref).max()
        rel = np.abs(got - ref).max() / scale
        same = int((got.argmax(1) == ref.argmax(1)).sum())
        print(f"{name}: max |xbarmc - torch| / max|logit| = {rel:.2e}; argmax equal on {same}/{len(ref)}")
        if rel > 1e-4 or same != len(ref):
            print("FAIL: logits differ")
            failed = True
        cfg = f"{work}/{name}_ideal.json"
        with open(cfg, "w") as f:
            json.dump({"name": f"ideal_{name}", "seed": 1, "network": {"path": path},
                       "dataset": {"format": "hdf5", "path": f"{work}/data.h5", "normalization": "none"},
                       "mapping": {"scheme": "differential", "tile_rows": 256, "tile_cols": 256},
                       "device": {"g_min_uS": 1, "g_max_uS": 100},
                       "monte_carlo": {"instances": 2, "times_s": [1]},
                       "statistics": {"thresholds": [0.99]},
                       "output": {"path": f"{work}/{name}_ideal.h5"}}, f)
        run = subprocess.run([xbarmc, "run", cfg], capture_output=True, text=True)
        ok = run.returncode == 0 and re.search(r"^\s+0\s+0\s+1 s\s+100\.00 \+-\s+0\.00", run.stdout, re.M)
        print(f"{name}: ideal chip " + ("gives PyTorch's predictions on every sample" if ok else "FAILED"))
        if not ok:
            print(run.stdout, run.stderr)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
