import sys

import numpy as np

import mk

tmp = sys.argv[1]
data = open('../../../tests/regression/_networks/mlp_small.h5', 'rb').read()
open(tmp + '/r.h5', 'wb').write(data[:1000])
