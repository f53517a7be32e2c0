import sys

import numpy as np

import mk

tmp = sys.argv[1]
mk.idx(tmp + '/labels.idx', np.zeros((10000, 2)))
