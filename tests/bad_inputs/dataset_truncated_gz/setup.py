import sys

import numpy as np

import mk

tmp = sys.argv[1]
data = open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', 'rb').read()
open(tmp + '/images.gz', 'wb').write(data[: len(data) // 2])
