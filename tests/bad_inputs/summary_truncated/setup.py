import sys

import numpy as np

import mk

tmp = sys.argv[1]
data = open('../../../tests/regression/rram_small/network.h5', 'rb').read()
open(tmp + '/r.h5', 'wb').write(data[:1000])
