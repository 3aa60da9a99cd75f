"""Independent reference for TileFlow's interop test, computed with NumPy and SciPy.

usage: scipy_reference.py OP PARAM INPUT.npy OUTPUT.npy
  sobel    -  hypot(sobel(x, axis=1, mode="mirror"), sobel(x, axis=0, mode="mirror"))
  gaussian S  gaussian_filter(x, S, mode="reflect", truncate=4.0)
  percentile P  numpy.percentile of every channel (linear), one value per channel
Each 2-D operation is applied to every channel of a (C, H, W) float32 array.
"""
import sys

import numpy as np
from scipy import ndimage


def main():
    op, param, source, target = sys.argv[1:5]
    x = np.load(source)
    if x.ndim == 2:
        x = x[np.newaxis]
    if op == "sobel":
        planes = [np.hypot(ndimage.sobel(c, axis=1, mode="mirror"),
                           ndimage.sobel(c, axis=0, mode="mirror")) for c in x.astype(np.float32)]
        result = np.stack(planes).astype(np.float32)
    elif op == "gaussian":
        planes = [ndimage.gaussian_filter(c, float(param), mode="reflect", truncate=4.0)
                  for c in x.astype(np.float32)]
        result = np.stack(planes).astype(np.float32)
    elif op == "percentile":
        result = np.array([np.percentile(c, float(param)) for c in x], dtype=np.float32)
        result = result.reshape(1, 1, -1)
    else:
        raise SystemExit("unknown op " + op)
    np.save(target, result)


if __name__ == "__main__":
    main()
