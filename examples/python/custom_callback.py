"""A custom callback: the signal-to-noise ratio of every tile's result.

    python3 custom_callback.py [SIZE]
"""

import sys

import numpy as np
from scipy import ndimage

import tileflow


class SnrCallback(tileflow.TileFlowCallback):
    """Callbacks are called one at a time, so no lock is needed."""

    def __init__(self):
        self.snr = {}

    def on_tile_end(self, tile, tile_index, total_tiles):
        core = tile.only_core_image()[0]
        self.snr[tile.tile_spec.position.position] = float(core.mean() / (core.std() + 1e-9))


size = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
noisy = tileflow.generate_test_image((size, size)) + \
    np.random.default_rng(0).normal(0, 0.05, (size, size)).astype(np.float32)
snr = SnrCallback()
denoise = tileflow.TileFlow((256, 256), (4, 4))
denoise.configure(lambda tile: ndimage.gaussian_filter(tile, 1, mode="reflect", truncate=4))
denoise.run(noisy, callbacks=[snr])
best = max(snr.snr, key=snr.snr.get)
print(f"{len(snr.snr)} tiles; best SNR {snr.snr[best]:.1f} at tile {best}")
