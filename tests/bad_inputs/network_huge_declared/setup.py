import sys

import numpy as np

import mk

tmp = sys.argv[1]
def tweak(f):
    del f['layers/0/weight']
    f['layers/0'].create_dataset('weight', shape=(784, 10**10), dtype='f4', chunks=(1, 1024))
mk.network(tmp + '/network.h5', tweak=tweak)
