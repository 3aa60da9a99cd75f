"""Tile geometry values: boxes, edges, positions, specs and processed tiles.

The names, fields and methods are the original TileFlow's (``tileflow.core``), so code that
builds or reads them runs unchanged. Coordinates are pixels of the image being processed,
``x`` to the right and ``y`` down; boxes are half-open ``[x0, x1) x [y0, y1)``.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

__all__ = ["BBox", "BoundaryEdges", "TileGeometry", "TilePosition", "TileSpec",
           "ProcessedTile", "new_image", "new_image2d", "Image2D", "ImageData"]

# The original's names for the arrays tiles hold.
Image2D = np.ndarray
ImageData = np.ndarray


def new_image2d(shape: tuple[int, int], dtype=np.float32) -> np.ndarray:
    """A zero-filled 2-D image of ``shape`` = ``(H, W)``."""
    return np.zeros(shape, dtype=dtype)


def new_image(shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """A zero-filled image of ``shape`` (``(H, W)`` or ``(C, H, W)``...)."""
    return np.zeros(shape, dtype=dtype)


class BoundaryEdges(NamedTuple):
    """Which sides of a tile lie on the border of the grid."""

    left: bool
    right: bool
    top: bool
    bottom: bool


class BBox(NamedTuple):
    """A half-open box ``[x0, x1) x [y0, y1)``. Not validated: empty or inverted boxes exist."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``."""
        return (self.height, self.width)

    def get_slices(self) -> tuple[slice, slice]:
        """``(rows, columns)`` slices, to index the last two axes of an array."""
        return slice(self.y0, self.y1), slice(self.x0, self.x1)

    @classmethod
    def from_size(cls, y: int, x: int, h: int, w: int) -> "BBox":
        return cls(x, y, x + w, y + h)

    def translate(self, dy: int = 0, dx: int = 0) -> "BBox":
        return BBox(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def clamp_to(self, H: int, W: int) -> "BBox":
        """Clipped to ``[0, W) x [0, H)``; never inverted."""
        x0, x1 = (min(max(v, 0), W) for v in (self.x0, self.x1))
        y0, y1 = (min(max(v, 0), H) for v in (self.y0, self.y1))
        return BBox(min(x0, x1), min(y0, y1), x1, y1)

    def contains(self, x: int, y: int) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1

    def intersects(self, other: "BBox") -> bool:
        return not (self.x1 <= other.x0 or self.x0 >= other.x1
                    or self.y1 <= other.y0 or self.y0 >= other.y1)

    def intersection(self, other: "BBox") -> Optional["BBox"]:
        """The common part, or None when the boxes do not meet."""
        if not self.intersects(other):
            return None
        return BBox(max(self.x0, other.x0), max(self.y0, other.y0),
                    min(self.x1, other.x1), min(self.y1, other.y1))

    def expand(self, left: int = 0, right: int = 0, top: int = 0, bottom: int = 0) -> "BBox":
        return BBox(self.x0 - left, self.y0 - top, self.x1 + right, self.y1 + bottom)


class TileGeometry(NamedTuple):
    """``core``: the pixels the tile owns in the output; ``halo``: the pixels it reads."""

    core: BBox
    halo: BBox

    def get_slices(self) -> tuple[slice, slice]:
        return self.core.get_slices()

    def get_halo_slices(self) -> tuple[slice, slice]:
        return self.halo.get_slices()

    def contains(self, x: int, y: int) -> bool:
        return self.core.contains(x, y)


class TilePosition(NamedTuple):
    """``position``: ``(row, col)`` in the grid; ``edges``: which grid borders it lies on."""

    position: tuple[int, int]
    edges: BoundaryEdges


class TileSpec(NamedTuple):
    """A tile of a grid: its geometry and its position."""

    geometry: TileGeometry
    position: TilePosition

    def get_slices(self) -> tuple[slice, slice]:
        return self.geometry.get_slices()

    def get_halo_slices(self) -> tuple[slice, slice]:
        return self.geometry.get_halo_slices()

    def contains(self, x: int, y: int) -> bool:
        return self.geometry.contains(x, y)


class ProcessedTile:
    """A tile and what its function returned for its halo.

    ``image_data`` is always a list (a single array is wrapped), as in the original.
    """

    def __init__(self, tile_spec: TileSpec, image_data) -> None:
        self.tile_spec = tile_spec
        self.image_data = image_data if isinstance(image_data, list) else [image_data]

    @property
    def x_start(self) -> int:
        return self.tile_spec.geometry.halo.x0

    @property
    def y_start(self) -> int:
        return self.tile_spec.geometry.halo.y0

    @property
    def core_bbox(self) -> BBox:
        return self.tile_spec.geometry.core

    def only_core_image(self) -> list[np.ndarray]:
        """Each array of ``image_data`` cropped to the core (views, last two axes)."""
        core, halo = self.tile_spec.geometry.core, self.tile_spec.geometry.halo
        if not (halo.x0 <= core.x0 and core.x1 <= halo.x1
                and halo.y0 <= core.y0 and core.y1 <= halo.y1):
            raise ValueError("Core bbox must be within the halo bbox.")
        rows = slice(core.y0 - halo.y0, core.y1 - halo.y0)
        cols = slice(core.x0 - halo.x0, core.x1 - halo.x0)
        return [np.asarray(a)[..., rows, cols] for a in self.image_data]
