"""Validation helpers and a memory estimate for a TileFlow configuration.

The public names, argument names, error types and messages are those of the original
TileFlow (0.6.0) ``tileflow.utils``; the size checks its ``TileFlow`` constructor made
privately live here too, so one set of rules serves the constructor and the user.

Differences from the original, and why:

* ``validate_tile_size(tile_size, image_shape=None, name="tile_size")`` first checks the
  form of ``tile_size`` (the original constructor's checks: a tuple or list of 2 integers,
  non-negative, positive) and returns it as a tuple of plain ``int``; the comparison with
  the image happens only when ``image_shape`` is given, against its **last two** axes (the
  original compared ``image_shape[:2]``, wrong for a CHW shape). It used to return ``None``.
* ``validate_overlap(overlap, tile_size, name="overlap")`` also checks the form of both
  pairs and returns the overlap as plain ints; a negative overlap is reported as
  ``"<name> must be non-negative, got …"`` before the half-tile rule is looked at.
* numpy integers (``np.int64(256)``, e.g. from ``array.shape`` arithmetic) are accepted as
  integers; the original rejected them. ``bool`` is still accepted, as it was.
* The half-tile rule stays exactly as strict as the original's (``overlap < tile // 2``,
  so a tile of 64 allows an overlap of at most 31 and a 1x1 tile is impossible): existing
  configurations keep their meaning.
* ``estimate_memory_usage`` describes this package's engine instead of the original's
  (which kept every tile's output in memory and whose estimate matched neither): it
  accepts N-D shapes, counts tiles with the engine's grid rule and reports the buffers
  the engine really holds; see its docstring.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

__all__ = ["estimate_memory_usage", "validate_overlap", "validate_tile_size"]

# Tiles smaller than this (on either axis) spend more time in per-tile overhead than in work.
_SMALL_TILE = 32
# The chunk overlap the original estimate assumed and TileFlow uses by default.
_DEFAULT_CHUNK_OVERLAP = (16, 16)
_MIB = 1024 * 1024


def _integer_pair(value, name: str) -> tuple[int, int]:
    """Return ``value`` as two plain non-negative ints, or raise the original's ValueError."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a tuple of 2 integers")
    if not all(isinstance(v, (int, np.integer)) for v in value):
        raise ValueError(f"{name} must contain integers")
    if value[0] < 0 or value[1] < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return int(value[0]), int(value[1])


def _positive_pair(value, name: str) -> tuple[int, int]:
    """Return ``value`` as two plain positive ints (a size), without any warning."""
    pair = _integer_pair(value, name)
    if 0 in pair:
        raise ValueError(f"{name} must be positive, got {value}")
    return pair


def _spatial_shape(image_shape) -> tuple[int, int]:
    """The (height, width) of a shape: its last two axes."""
    if not isinstance(image_shape, Sequence) or isinstance(image_shape, str):
        raise TypeError(f"image_shape must be a sequence of integers, got {image_shape!r}")
    if len(image_shape) < 2:
        raise ValueError(f"image_shape must have at least 2 axes, got {tuple(image_shape)}")
    return int(image_shape[-2]), int(image_shape[-1])


def validate_tile_size(tile_size, image_shape=None, name: str = "tile_size") -> tuple[int, int]:
    """Check a tile (or chunk) size and return it as ``(height, width)`` plain ints.

    Parameters
    ----------
    tile_size : tuple or list of 2 integers
        The size to check; Python and numpy integers (and ``bool``) are accepted.
    image_shape : sequence of integers or str, optional
        Shape of the image the size will be used on; its last two axes are (H, W). A str
        in this place is the ``name`` instead, so both the original's
        ``validate_tile_size(size, image_shape)`` and ``validate_tile_size(size, "chunk_size")``
        read as meant (an image shape is never a str).
    name : str
        How error messages call the size (``"chunk_size"`` for a chunk).

    Raises
    ------
    ValueError
        ``"<name> must be a tuple of 2 integers"``, ``"<name> must contain integers"``,
        ``"<name> must be non-negative, got …"``, ``"<name> must be positive, got …"``, or,
        with ``image_shape``, ``"Tile height T cannot exceed image height H"`` (and width).

    Warns
    -----
    UserWarning
        ``"Very small tile size …"`` when either side is below 32 pixels.
    """
    if isinstance(image_shape, str):
        image_shape, name = None, image_shape
    height, width = _positive_pair(tile_size, name)
    if image_shape is not None:
        image_height, image_width = _spatial_shape(image_shape)
        if height > image_height:
            raise ValueError(f"Tile height {height} cannot exceed image height {image_height}")
        if width > image_width:
            raise ValueError(f"Tile width {width} cannot exceed image width {image_width}")
    if height < _SMALL_TILE or width < _SMALL_TILE:
        warnings.warn(
            f"Very small tile size {(height, width)} may impact performance. "
            "Consider using larger tiles (e.g., 128x128 or larger).",
            UserWarning,
            stacklevel=2,
        )
    return height, width


def validate_overlap(overlap, tile_size, name: str = "overlap") -> tuple[int, int]:
    """Check an overlap against its tile size and return it as ``(height, width)`` ints.

    Each overlap must be strictly less than half its tile side (``tile // 2``), the
    original's rule. ``name`` is used in the form errors (``"chunk_overlap"``); the
    half-tile error reads ``"Overlap height o must be less than half tile height T//2"``
    (or width) whatever the name, as the original's did.

    Raises
    ------
    ValueError
        For a malformed or negative overlap, a malformed tile size, or too large an overlap.
    """
    overlap_h, overlap_w = _integer_pair(overlap, name)
    tile_h, tile_w = _positive_pair(tile_size, "tile_size")
    if overlap_h >= tile_h // 2:
        raise ValueError(
            f"Overlap height {overlap_h} must be less than half tile height {tile_h // 2}"
        )
    if overlap_w >= tile_w // 2:
        raise ValueError(
            f"Overlap width {overlap_w} must be less than half tile width {tile_w // 2}"
        )
    return overlap_h, overlap_w


def _tile_count(length: int, tile: int) -> int:
    """Tiles along one axis: the original's grid rule, but never fewer than one.

    The remainder ``length % tile`` gets a tile of its own when it exceeds half a tile,
    otherwise the last tile absorbs it.
    """
    extra = 1 if length % tile > tile // 2 else 0
    return max(1, length // tile + extra)


def _chunk_extents(length: int, chunk: int, overlap: int) -> list[tuple[int, int]]:
    """(core length, halo length) of each chunk along one axis.

    Chunks follow the tile grid rule; a halo is the core grown by ``overlap`` on every side
    that is not the image edge, clipped to the image.
    """
    count = _tile_count(length, chunk)
    extents = []
    for i in range(count):
        start = i * chunk
        stop = length if i == count - 1 else start + chunk
        halo_start = max(0, start - overlap)
        halo_stop = min(length, stop + overlap)
        extents.append((stop - start, halo_stop - halo_start))
    return extents


def estimate_memory_usage(
    image_shape,
    tile_size,
    overlap,
    dtype=np.float32,
    chunk_size=None,
    chunk_overlap=_DEFAULT_CHUNK_OVERLAP,
) -> dict:
    """Estimate what a run of this package's engine holds in memory, and its tile count.

    Parameters
    ----------
    image_shape : sequence of integers
        Shape of the input: 2-D ``(H, W)`` or N-D; the last two axes are spatial, the
        leading ones (channels, time, ...) are carried by every tile and multiply the bytes.
    tile_size, overlap : tuple of 2 integers
        Tile grid, ``(height, width)``; the overlap is checked but changes neither number
        (tile halos are read from the input or chunk in place, not copied).
    dtype : numpy dtype, default float32
        Element type of the input; the output is assumed to have the same type.
    chunk_size : tuple of 2 integers, optional
        Chunk size for a hierarchical (chunk -> tile) run.
    chunk_overlap : tuple of 2 integers, default (16, 16)
        Overlap between chunks (TileFlow's default; the original assumed it silently).

    Returns
    -------
    dict
        ``original_image_mb``: the input's size in MiB (2**20 bytes).
        ``total_tiles``: tiles processed; per axis ``n = L // T + (1 if L % T > T // 2
        else 0)``, at least 1, over the image, or in chunk mode summed over the chunks,
        each tiled over its own halo (so tiles in chunk overlaps are counted per chunk).
        ``peak_memory_mb``: direct mode, input + output (the engine writes each tile's
        core straight into the output and keeps no per-tile copies; its few tile-sized
        scratch buffers per thread are ignored). Chunk mode, for a streamed run (the
        input read chunk by chunk from a source such as zarr, results handed to a sink):
        one input buffer sized for the largest chunk halo plus one output buffer sized
        for the largest chunk core, reused for every chunk; an in-memory numpy input is
        read in place and adds ``original_image_mb``.
        ``processing_mode``: ``"direct"`` or ``"chunked"``.

    Differences from the original: it took 2-D shapes only, counted ``chunks x tiles of
    one chunk_size`` (ignoring halos and edge chunks), and estimated a direct peak of
    2 x image and a chunk peak of ``2 x (chunk + 2 x tile overlap)**2`` — neither matched
    what it really held (input + about 2.26 x output in direct mode).
    """
    height, width = _spatial_shape(image_shape)
    planes = math.prod(int(n) for n in image_shape[:-2])
    tile_h, tile_w = _positive_pair(tile_size, "tile_size")
    _integer_pair(overlap, "overlap")
    itemsize = np.dtype(dtype).itemsize
    image_bytes = planes * height * width * itemsize

    if chunk_size is None:
        total_tiles = _tile_count(height, tile_h) * _tile_count(width, tile_w)
        peak_bytes = 2 * image_bytes
    else:
        chunk_h, chunk_w = _positive_pair(chunk_size, "chunk_size")
        overlap_h, overlap_w = _integer_pair(chunk_overlap, "chunk_overlap")
        rows = _chunk_extents(height, chunk_h, overlap_h)
        cols = _chunk_extents(width, chunk_w, overlap_w)
        # Tiles per chunk are separable: (tiles down a halo) x (tiles across a halo).
        total_tiles = sum(_tile_count(halo, tile_h) for _, halo in rows) * sum(
            _tile_count(halo, tile_w) for _, halo in cols
        )
        halo_area = max(halo for _, halo in rows) * max(halo for _, halo in cols)
        core_area = max(core for core, _ in rows) * max(core for core, _ in cols)
        peak_bytes = planes * (halo_area + core_area) * itemsize

    return {
        "original_image_mb": image_bytes / _MIB,
        "peak_memory_mb": peak_bytes / _MIB,
        "total_tiles": total_tiles,
        "processing_mode": "direct" if chunk_size is None else "chunked",
    }
