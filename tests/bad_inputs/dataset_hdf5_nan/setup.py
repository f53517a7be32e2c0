import sys

import numpy as np

import mk

tmp = sys.argv[1]
x = np.zeros((4, 784)); x[2, 5] = np.nan
mk.hdf5_dataset(tmp + '/data.h5', x, [0, 1, 2, 3])
