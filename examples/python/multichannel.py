"""Multichannel microscopy: (C, H, W) tiles reach the function whole; Sobel per channel.

    python3 multichannel.py [SIZE]
"""

import sys

import numpy as np

import tileflow

size = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
image = tileflow.generate_multichannel_image((4, size, size))


def dapi_mask(tile, tile_spec):
    # One output channel from four input channels: the bright DAPI plateaus of channel 0.
    return (tile[0:1] > 0.9).astype(np.uint8)


mask = tileflow.TileFlow((256, 256), (8, 8)).configure(dapi_mask).run(image)
print(f"mask {mask.shape} {mask.dtype}: {mask.mean():.1%} of the pixels")

detector = tileflow.SobelEdgeDetector(tile_size=(256, 256), overlap=(16, 16))
edges = detector.process(image)  # every channel, in C++
print(f"edges {edges.shape}: per-channel maxima {np.round(edges.max(axis=(1, 2)), 2)}")
