"""Builders of small binary inputs for the bad-input corpus (tests/bad_inputs/*/setup.py).

Each writes a valid file by default; keyword arguments break one thing at a time. The network
layout follows docs/network-format.md (format 1.0).
"""
import gzip
import struct

import h5py
import numpy as np


def network(path, sizes=(784, 16, 10), filetype="xbarmc-network", version=(1, 0),
            tweak=None, num_classes=None):
    """An MLP (dense + relu) with deterministic weights. `tweak(f)` edits the open file."""
    rng = np.random.default_rng(1)
    with h5py.File(path, "w") as f:
        f.attrs["filetype"] = filetype
        f.attrs["format_version"] = np.array(version, dtype=np.int64)
        f.attrs["name"] = "bad_input_mlp"
        f.attrs["input_shape"] = np.array([sizes[0]], dtype=np.int64)
        f.attrs["num_classes"] = np.int64(num_classes if num_classes is not None else sizes[-1])
        layers = f.create_group("layers")
        k = 0
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            g = layers.create_group(str(k))
            g.attrs["type"] = "dense"
            g.create_dataset("weight", data=(rng.standard_normal((a, b)) * 0.05).astype(np.float32))
            g.create_dataset("bias", data=np.zeros(b, dtype=np.float32))
            k += 1
            if i < len(sizes) - 2:
                layers.create_group(str(k)).attrs["type"] = "relu"
                k += 1
        if tweak is not None:
            tweak(f)


def idx(path, array, compress=False, header_dims=None):
    """An IDX file of unsigned bytes; `header_dims` overrides the dimensions in the header."""
    a = np.asarray(array, dtype=np.uint8)
    dims = a.shape if header_dims is None else header_dims
    data = bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + a.tobytes()
    if compress:
        data = gzip.compress(data)
    with open(path, "wb") as f:
        f.write(data)


def hdf5_dataset(path, inputs, labels=None):
    """A dataset file with /inputs (float32) and, unless None, /labels (int64)."""
    with h5py.File(path, "w") as f:
        f.create_dataset("inputs", data=np.asarray(inputs, dtype=np.float32))
        if labels is not None:
            f.create_dataset("labels", data=np.asarray(labels, dtype=np.int64))
