#!/usr/bin/env python3
"""Write an xbarmc network file (format 1.0, docs/network-format.md) from numpy arrays.

For users who train in PyTorch or Keras: export the weights as numpy arrays in the layouts
below, list the layers, and call write_network(). Layouts (what the file stores):

  dense   weight [in, out]            PyTorch nn.Linear: linear.weight.detach().numpy().T
                                      Keras Dense: layer.get_weights()[0] (already [in, out])
  conv2d  weight [out_c, in_c, kh, kw] PyTorch nn.Conv2d: conv.weight.detach().numpy()
                                      Keras Conv2D: kernel.transpose(3, 2, 0, 1)
          bias [out_c], attrs stride, padding (symmetric zero padding, pixels)
  maxpool2d / avgpool2d: attrs size, stride (no padding, floor mode)
  relu, flatten: no parameters

flatten produces features in (C, H, W) order, as PyTorch's nn.Flatten does. Keras with
channels_last flattens in (H, W, C) order: permute the rows of the following dense weight,
  w_chw = w_hwc.reshape(H, W, C, out).transpose(2, 0, 1, 3).reshape(C*H*W, out)

Inputs are (C, H, W) images or feature vectors, in the same order as the dataset file
(docs/datasets.md).

Example (used by CI, tests/scripts/network_python.sh):
  python3 scripts/make_network.py --example net.h5 --inputs inputs.h5 --logits logits.h5
writes a random CNN, a few inputs in the xbarmc HDF5 dataset format, and the logits that
numpy computes for them, so xbarmc's forward pass can be compared with this reference.
"""

import argparse
import json

import h5py
import numpy as np

FORMAT_VERSION = (1, 0)


def write_network(path, name, input_shape, layers, test_accuracy=None):
    """Write `layers` (list of dicts with "type" and the arrays / ints listed above)."""
    with h5py.File(path, "w") as f:
        f.attrs["filetype"] = "xbarmc-network"
        f.attrs["format_version"] = np.array(FORMAT_VERSION, dtype=np.int64)
        f.attrs["name"] = name
        f.attrs["input_shape"] = np.array(input_shape, dtype=np.int64)
        f.attrs["num_classes"] = np.int64(_output_shape(input_shape, layers)[0])
        if test_accuracy is not None:
            f.attrs["test_accuracy"] = float(test_accuracy)
        group = f.create_group("layers")
        for k, layer in enumerate(layers):
            g = group.create_group(str(k))
            g.attrs["type"] = layer["type"]
            if layer["type"] in ("dense", "conv2d"):
                g.create_dataset("weight", data=np.asarray(layer["weight"], dtype=np.float32))
                g.create_dataset("bias", data=np.asarray(layer["bias"], dtype=np.float32))
            if layer["type"] == "conv2d":
                g.attrs["stride"] = np.int64(layer.get("stride", 1))
                g.attrs["padding"] = np.int64(layer.get("padding", 0))
            if layer["type"] in ("maxpool2d", "avgpool2d"):
                g.attrs["size"] = np.int64(layer["size"])
                g.attrs["stride"] = np.int64(layer.get("stride", layer["size"]))


def _output_shape(input_shape, layers):
    x = np.zeros((1,) + tuple(input_shape), dtype=np.float64)
    return forward(layers, x).shape[1:]


def _windows(x, k, stride, pad):
    """Patches of x [n, c, h, w] as [n, c, oh, ow, k, k] (zero padding)."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, w = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.empty((n, c, oh, ow, k, k), dtype=x.dtype)
    for y in range(oh):
        for z in range(ow):
            out[:, :, y, z] = x[:, :, y * stride:y * stride + k, z * stride:z * stride + k]
    return out


def forward(layers, x):
    """numpy reference forward pass (float64), PyTorch semantics; x is [n, *input_shape]."""
    x = np.asarray(x, dtype=np.float64)
    for layer in layers:
        t = layer["type"]
        if t == "dense":
            x = x @ np.asarray(layer["weight"], np.float64) + layer["bias"]
        elif t == "conv2d":
            w = np.asarray(layer["weight"], np.float64)
            p = _windows(x, w.shape[2], layer.get("stride", 1), layer.get("padding", 0))
            x = np.einsum("ncyxij,fcij->nfyx", p, w) + np.asarray(layer["bias"])[None, :, None, None]
        elif t == "relu":
            x = np.maximum(x, 0.0)
        elif t in ("maxpool2d", "avgpool2d"):
            p = _windows(x, layer["size"], layer.get("stride", layer["size"]), 0)
            x = p.max(axis=(4, 5)) if t == "maxpool2d" else p.mean(axis=(4, 5))
        elif t == "flatten":
            x = x.reshape(x.shape[0], -1)
        else:
            raise ValueError("unknown layer type " + t)
    return x


def example_network(rng):
    """A small random CNN that uses every layer type, multi-channel input, stride and padding."""
    def normal(*shape, scale=0.3):
        return (rng.standard_normal(shape) * scale).astype(np.float32)
    return [
        {"type": "conv2d", "weight": normal(4, 3, 3, 3), "bias": normal(4, scale=0.1), "stride": 1, "padding": 1},
        {"type": "relu"},
        {"type": "maxpool2d", "size": 2, "stride": 2},
        {"type": "conv2d", "weight": normal(6, 4, 3, 3), "bias": normal(6, scale=0.1), "stride": 2, "padding": 1},
        {"type": "relu"},
        {"type": "avgpool2d", "size": 2, "stride": 1},
        {"type": "flatten"},
        {"type": "dense", "weight": normal(24, 16), "bias": normal(16, scale=0.1)},
        {"type": "relu"},
        {"type": "dense", "weight": normal(16, 5), "bias": normal(5, scale=0.1)},
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--example", required=True, metavar="OUT.h5", help="network file to write")
    ap.add_argument("--inputs", metavar="IN.h5", help="also write example inputs (HDF5 dataset format)")
    ap.add_argument("--logits", metavar="REF.h5", help="also write the numpy logits of those inputs")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    input_shape = (3, 10, 10)
    layers = example_network(rng)
    write_network(args.example, "python_example", input_shape, layers)
    x = rng.standard_normal((7,) + input_shape).astype(np.float32)
    logits = forward(layers, x)
    if args.inputs:
        with h5py.File(args.inputs, "w") as f:
            f.create_dataset("inputs", data=x)
            f.create_dataset("labels", data=np.argmax(logits, axis=1).astype(np.int32))
    if args.logits:
        with h5py.File(args.logits, "w") as f:
            f.create_dataset("logits", data=logits)
    print(json.dumps({"network": args.example, "samples": len(x), "logits_shape": list(logits.shape)}))


if __name__ == "__main__":
    main()
