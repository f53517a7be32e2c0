import sys

import numpy as np

import mk

tmp = sys.argv[1]
mk.hdf5_dataset(tmp + '/data.h5', np.zeros((4, 784)), [0, -4, 2, 3])
