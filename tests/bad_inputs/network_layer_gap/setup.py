import sys

import numpy as np

import mk

tmp = sys.argv[1]
def tweak(f):
    f.move('layers/1', 'layers/7')
mk.network(tmp + '/network.h5', tweak=tweak)
