import sys

import numpy as np

import mk

tmp = sys.argv[1]
mk.idx(tmp + '/images.idx', np.zeros(1000), header_dims=(10000, 28, 28))
