import sys

import numpy as np

import mk

tmp = sys.argv[1]
mk.network(tmp + '/network.h5', version=(3, 0))
