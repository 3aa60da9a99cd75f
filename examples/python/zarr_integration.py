"""Zarr: a zarr array is read band by band, and the result streams to an OME-Zarr store.

    python3 zarr_integration.py OUTDIR [SIZE]
"""

import pathlib
import sys

import numpy as np
import zarr

import tileflow

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
size = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
stack = zarr.open(str(out / "stack.zarr"), mode="w", shape=(3, size, size), chunks=(1, 512, 512),
                  dtype=np.float32)
stack[:] = tileflow.generate_multichannel_image((3, size, size))

flow = tileflow.TileFlow((512, 512), (8, 8)).configure("gaussian", sigma=2)
smoothed = flow.run(stack, output=out / "smoothed.zarr")  # never all in memory
print(f"{smoothed}: channel 1 at the centre = {smoothed[1, size // 2, size // 2]:.4f}")
