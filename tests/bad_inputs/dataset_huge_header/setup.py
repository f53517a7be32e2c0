import sys

import numpy as np

import mk

tmp = sys.argv[1]
mk.idx(tmp + '/images.idx', np.zeros(16), header_dims=(32768, 4096, 4096))
