"""Putting processed tiles back together, as the original's ``reconstruct`` does.

Each tile's core is pasted into the output; the overlap is cropped, never blended, so the
result equals processing the whole image at once for any local operator whose radius is at
most the overlap. ``TileFlow.run`` does not go through here (it pastes cores as tiles finish,
without keeping them); this serves ``run(..., return_tiles=True)`` users.
"""

from __future__ import annotations

import numpy as np

from .core import ProcessedTile

__all__ = ["reconstruct"]


def reconstruct(tiles: list[ProcessedTile]) -> list[np.ndarray]:
    """The images the tiles cover, one per array a tile holds (as the original, a list).

    The output size is the last tile's core end (it must be the bottom-right tile); structure
    and dtype come from the first tile, and every tile must match them (unlike the original,
    which cast other tiles to the last one's dtype).
    """
    if not tiles:
        raise ValueError("reconstruct() needs at least one tile")
    last = tiles[-1]
    edges = last.tile_spec.position.edges
    if not edges.right:
        raise ValueError("Last tile must have a right edge to determine full image size.")
    if not edges.bottom:
        raise ValueError("Last tile must have a bottom edge to determine full image size.")
    if not last.image_data or not tiles[0].image_data:
        raise ValueError("Last tile must have valid image data to determine output structure.")
    height, width = last.tile_spec.geometry.core.y1, last.tile_spec.geometry.core.x1
    first = [np.asarray(a) for a in tiles[0].image_data]
    outputs = [np.zeros(a.shape[:-2] + (height, width), dtype=a.dtype) for a in first]
    for tile in tiles:
        rows, cols = tile.tile_spec.geometry.core.get_slices()
        cores = tile.only_core_image()
        if len(cores) != len(outputs):
            raise ValueError(f"tile {tile.tile_spec.position.position} holds {len(cores)} arrays, "
                             f"the first tile {len(outputs)}")
        for output, core in zip(outputs, cores):
            if core.dtype != output.dtype:
                raise TypeError(f"tile {tile.tile_spec.position.position} holds {core.dtype}, "
                                f"the first tile {output.dtype}")
            output[..., rows, cols] = core
    return outputs
