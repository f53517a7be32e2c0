import sys

import h5py
import numpy as np

tmp = sys.argv[1]
# 10^10 images of 784 float32 (31 TB) declared with fill values: a file of a few KiB.
with h5py.File(tmp + "/data.h5", "w") as f:
    f.create_dataset("inputs", shape=(10**10, 784), dtype="f4", chunks=(1, 784))
    f.create_dataset("labels", shape=(10**10,), dtype="i8", chunks=(1024,))
