import sys

import numpy as np

import mk

tmp = sys.argv[1]
def tweak(f):
    f['layers/1'].attrs['type'] = 'softmax'
mk.network(tmp + '/network.h5', tweak=tweak)
