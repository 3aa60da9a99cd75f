"""Basic usage: a tile function and a built-in operation over one image, seamlessly.

    python3 basic_usage.py [SIZE]
"""

import sys

import numpy as np
from scipy import ndimage

import tileflow

size = int(sys.argv[1]) if len(sys.argv) > 1 else 2048
image = tileflow.generate_test_image((size, size), mode="perlin")


def smooth(tile, tile_spec):
    # A 5x5 mean: radius 2, so an overlap of 2 or more makes the tiled result exact.
    return ndimage.uniform_filter(tile, 5, mode="mirror")


processor = tileflow.TileFlow(tile_size=(256, 256), overlap=(16, 16))
processor.configure(function=smooth)
result = processor.run(image)
assert np.array_equal(result, ndimage.uniform_filter(image, 5, mode="mirror"))
print(f"tile function: {result.shape} {result.dtype}, identical to the whole-image filter")

edges = tileflow.TileFlow(tile_size=(256, 256), overlap=(16, 16)).configure("sobel").run(image)
print(f"built-in sobel on every core: max edge {edges.max():.3f}")
