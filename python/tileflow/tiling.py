"""The tile grid, with the original TileFlow's rule.

Per axis (shown for x; y is the same with heights), for an image width ``W``, tile width
``T`` and overlap ``o``:

- ``n = W // T + (1 if W % T > T // 2 else 0)`` tiles: a remainder of at most half a tile
  widens the last tile (its core is at most ``T + T // 2``), a larger one is a tile of its own;
- tile ``i``'s core is ``[i*T, (i+1)*T)``, the last one's reaches ``W``; the cores partition
  the image exactly;
- its halo is the core grown by ``o`` on each side, clipped to the image: the image border is
  real border, never padding.

Tiles come row-major. ``origin`` shifts the grid as in the original (pixels before it are not
covered).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .core import BBox, BoundaryEdges, TileGeometry, TilePosition, TileSpec

__all__ = ["GridSpec"]


def _count(extent: int, tile: int) -> int:
    return extent // tile + (1 if extent % tile > tile // 2 else 0)


@dataclass(frozen=True)
class GridSpec:
    """Tile ``size`` and ``overlap`` as ``(height, width)``; ``origin`` as ``(y, x)``."""

    size: tuple[int, int]
    overlap: tuple[int, int]
    origin: tuple[int, int] = (0, 0)

    @lru_cache(maxsize=128)
    def grid_shape(self, shape: tuple[int, int]) -> tuple[int, int]:
        """``(rows, cols)`` of tiles for an image of ``shape[:2]`` = ``(H, W)``."""
        return (_count(shape[0], self.size[0]), _count(shape[1], self.size[1]))

    def edges_from_index(self, index: tuple[int, int],
                         grid_shape: tuple[int, int]) -> BoundaryEdges:
        """Which grid borders tile ``(row, col)`` lies on."""
        row, col = index
        return BoundaryEdges(left=col == 0, right=col == grid_shape[1] - 1,
                             top=row == 0, bottom=row == grid_shape[0] - 1)

    def _axis(self, i: int, n: int, extent: int, axis: int) -> tuple[int, int, int, int]:
        """Core and halo ``(c0, c1, h0, h1)`` of tile ``i`` of ``n`` along ``axis``."""
        tile, overlap, origin = self.size[axis], self.overlap[axis], self.origin[axis]
        start = i * tile + origin
        first, last = i == 0, i == n - 1
        h0 = start - (0 if first else overlap)
        h1 = extent if last else min(start + tile + overlap, extent)
        c0 = origin if first else h0 + overlap
        c1 = extent if last else h1 - overlap
        return c0, c1, h0, h1

    def build_grid(self, image_shape: tuple[int, int]) -> Iterator[TileSpec]:
        """The tiles of an image of ``image_shape`` = ``(H, W)``, row-major."""
        rows, cols = grid = self.grid_shape(tuple(image_shape[:2]))
        for row in range(rows):
            cy0, cy1, hy0, hy1 = self._axis(row, rows, image_shape[0], 0)
            for col in range(cols):
                cx0, cx1, hx0, hx1 = self._axis(col, cols, image_shape[1], 1)
                yield TileSpec(TileGeometry(BBox(cx0, cy0, cx1, cy1), BBox(hx0, hy0, hx1, hy1)),
                               TilePosition((row, col), self.edges_from_index((row, col), grid)))


def tile_table(specs: list[TileSpec]) -> np.ndarray:
    """The engine's form of a tile list: int64 rows of row, col, core x0 y0 x1 y1, halo x0 y0
    x1 y1."""
    table = np.empty((len(specs), 10), dtype=np.int64)
    for i, spec in enumerate(specs):
        core, halo = spec.geometry
        table[i] = (*spec.position.position, *core, *halo)
    return table
