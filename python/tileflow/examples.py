"""Synthetic test images and a tiled Sobel edge detector.

The names, argument names and defaults are those of the original TileFlow (0.6.0)
``tileflow.examples``, keyword-only arguments included. The images follow the same
recipes: gradient-noise lattices drawn from ``numpy.random.default_rng(seed)`` exactly as
the original drew them, so a seed gives the original's image up to float32 rounding.

Differences from the original, and why:

* Speed and memory. The original built every Perlin octave with float64 temporaries the
  size of the image (about 4 GiB transient for an 8192 x 8192 channel, 1.2 Mpixel/s) and
  its max filter with a sliding-window view. Here noise is computed in float32, a block of
  rows at a time, from per-lattice-row profiles (see ``_PerlinNoise``), so the transient
  memory is a few MiB plus the gradient lattice (1/scale^2 of the image) whatever the
  image size; the max filter is separable with O(log k) passes per axis, also by row
  bands; the multichannel generator writes each channel in place (``"random_max"`` still
  holds one image-sized noise array while it filters). The price is a second pass per
  octave: min-max normalisation needs the octave's range before its blocks can be summed.
* ``max_filter2d`` filters the last two axes of an array of any rank (the original was
  2-D only) and keeps the input's dtype.
* ``generate_multichannel_image`` no longer appends to a caller's ``channel_modes``
  list, checks every mode before generating anything, and takes ``seed=None`` to mean
  "a fresh random seed" (the original raised ``TypeError``).
* ``SobelEdgeDetector.process`` runs the engine's built-in C++ ``"sobel"`` operation
  (parallel, without the GIL) instead of a Python tile function, accepts ``out=``, and
  filters every plane of a CHW (or any N-D) array separately; the original padded and
  differentiated across the channel axis of a CHW array, a silently wrong result.
  ``_sobel_filter`` stays as a plain-numpy tile function (2-D or N-D) that gives the
  same bits as the engine.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

__all__ = [
    "SobelEdgeDetector",
    "generate_multichannel_image",
    "generate_test_image",
    "max_filter2d",
    "perlin_fbm",
]

ImageMode = Literal["perlin", "random_max"]
_MODES = ("perlin", "random_max")

# Elements in one block of rows the generators and the max filter work on: their few
# temporaries of this size (4 MiB each in float32) bound the transient memory.
_BLOCK_ELEMENTS = 1 << 20


# --- Perlin noise -----------------------------------------------------------------------


def _fade(t: np.ndarray) -> np.ndarray:
    """Perlin's quintic fade curve 6t^5 - 15t^4 + 10t^3, in the dtype of ``t``."""
    return t * t * t * (t * (t * 6 - 15) + 10)


class _PerlinNoise:
    """Gradient noise on a lattice of random unit gradients, produced a block of rows at a time.

    A pixel (y, x) lies in lattice cell (i, j) = (y // scale, x // scale) at fractional
    offsets (fy, fx); with fade weights u = fade(fx), v = fade(fy), its noise blends the dot
    products of the cell's four corner gradients with the offsets to the pixel. Blending
    along x first gives, for each lattice row i, two profiles that do not depend on y:

        along(i)  = lerp(gx[i, j] * fx, gx[i, j+1] * (fx - 1), u)
        across(i) = lerp(gy[i, j],      gy[i, j+1],            u)

    The pixel's upper blend is along(i) + fy * across(i), its lower blend
    along(i+1) + (fy - 1) * across(i+1), and the noise is lerp(upper, lower, v). So every
    pixel costs a handful of float32 operations on whole rows.
    """

    def __init__(self, shape: tuple[int, int], scale: int, seed) -> None:
        height, width = shape
        rng = np.random.default_rng(seed)
        angles = rng.uniform(0.0, 2.0 * np.pi, size=(height // scale + 2, width // scale + 2))
        self._gx = np.cos(angles).astype(np.float32)
        self._gy = np.sin(angles).astype(np.float32)
        columns = np.arange(width)
        self._j = columns // scale
        self._fx = (columns % scale).astype(np.float32) / np.float32(scale)
        self._u = _fade(self._fx)
        self._height, self._width, self._scale = height, width, scale

    def _profiles(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """The (along, across) profiles of lattice row ``i``."""
        left, right = self._gx[i, self._j], self._gx[i, self._j + 1]
        along = left * self._fx
        along += self._u * (right * (self._fx - 1) - along)
        left, right = self._gy[i, self._j], self._gy[i, self._j + 1]
        across = left + self._u * (right - left)
        return along, across

    def blocks(self):
        """Yield ``(y0, y1, noise)`` for consecutive row blocks; raw (unnormalised) float32."""
        scale = self._scale
        max_rows = max(1, _BLOCK_ELEMENTS // max(1, self._width))
        upper = self._profiles(0)
        for i in range(-(-self._height // scale)):
            lower = self._profiles(i + 1)
            cell_top, cell_bottom = i * scale, min(self._height, (i + 1) * scale)
            for y0 in range(cell_top, cell_bottom, max_rows):
                y1 = min(cell_bottom, y0 + max_rows)
                fy = np.arange(y0 - cell_top, y1 - cell_top, dtype=np.float32)[:, None]
                fy /= np.float32(scale)
                noise = fy * upper[1]
                noise += upper[0]
                below = (fy - 1) * lower[1]
                below += lower[0]
                below -= noise
                below *= _fade(fy)
                noise += below
                yield y0, y1, noise
            upper = lower

    def normalised_blocks(self):
        """Like ``blocks`` but min-max normalised to [0, 1] over the whole image (two passes)."""
        low, high = np.inf, -np.inf
        for _, _, noise in self.blocks():
            low, high = min(low, noise.min()), max(high, noise.max())
        low, span = np.float32(low), np.float32(high) - np.float32(low)
        for y0, y1, noise in self.blocks():
            noise -= low
            if span > 0:
                noise /= span
            yield y0, y1, noise


def _perlin_2d(shape: tuple[int, int], scale: int, seed=None) -> np.ndarray:
    """2-D Perlin noise, min-max normalised to [0, 1], float32.

    ``scale`` is the lattice cell size in pixels; gradients are drawn from
    ``default_rng(seed)`` on a ``(H // scale + 2, W // scale + 2)`` lattice. With
    ``scale=1`` every pixel is a lattice point, where the noise is 0, so the result is all
    zeros (the original min-max stretched its float64 rounding errors instead).
    """
    out = np.empty(shape, dtype=np.float32)
    for y0, y1, noise in _PerlinNoise(shape, scale, seed).normalised_blocks():
        out[y0:y1] = noise
    return out


def _fbm_into(out, base_scale, octaves, persistence, lacunarity, seed) -> None:
    """Write fractal Brownian motion of normalised Perlin octaves into the 2-D ``out``."""
    if octaves < 1:
        raise ValueError(f"octaves must be at least 1, got {octaves}")
    rng = np.random.default_rng(seed)
    out[...] = 0
    amplitude, total = 1.0, 0.0
    for octave in range(octaves):
        scale = max(1, int(round(base_scale / lacunarity**octave)))
        noise = _PerlinNoise(out.shape, scale, int(rng.integers(0, 2**31 - 1)))
        for y0, y1, block in noise.normalised_blocks():
            block *= np.float32(amplitude)
            out[y0:y1] += block
        total += amplitude
        amplitude *= persistence
    out /= np.float32(total)


def perlin_fbm(
    shape: tuple[int, int],
    *,
    base_scale: int = 64,
    octaves: int = 3,
    persistence: float = 0.5,
    lacunarity: float = 2.0,
    seed=None,
) -> np.ndarray:
    """Fractal Brownian motion of Perlin noise, float32 in [0, 1].

    Octave ``o`` is ``_perlin_2d`` with cell size ``max(1, round(base_scale /
    lacunarity**o))`` and a seed drawn from ``default_rng(seed)``, weighted by
    ``persistence**o``; the result is the weighted mean (not renormalised, so its range is
    narrower than [0, 1], about [0.1, 0.9] for the defaults). ``seed=None``, the original's
    default, gives a different image on every call.
    """
    out = np.empty(shape, dtype=np.float32)
    _fbm_into(out, base_scale, octaves, persistence, lacunarity, seed)
    return out


# --- Max filter -------------------------------------------------------------------------


def _mirror_indices(start: int, stop: int, n: int) -> np.ndarray:
    """Positions ``start..stop-1`` of an axis of length ``n`` folded back into it.

    Mirrored at the ends without repeating the edge sample (d c b | a b c d | c b a), as
    ``np.pad(mode="reflect")`` and scipy.ndimage's ``"mirror"`` extend an axis.
    """
    positions = np.arange(start, stop)
    if n == 1:
        return np.zeros_like(positions)
    period = 2 * n - 2
    positions %= period
    return np.where(positions < n, positions, period - positions)


def _along(axis: int, start: int, stop: int) -> tuple:
    """An index selecting ``start:stop`` on the negative ``axis`` and everything elsewhere."""
    return (Ellipsis, slice(start, stop)) + (slice(None),) * (-1 - axis)


def _window_max(a: np.ndarray, k: int, axis: int) -> np.ndarray:
    """The max of every ``k`` consecutive elements along ``axis`` (which shrinks by k - 1).

    Windows double in length (1, 2, 4, ...) while they fit in ``k``; two overlapping
    windows of the last length then cover each window of ``k``: O(log k) passes.
    """
    count = a.shape[axis] - k + 1
    span = 1
    while 2 * span <= k:
        length = a.shape[axis]
        a = np.maximum(a[_along(axis, 0, length - span)], a[_along(axis, span, length)])
        span *= 2
    if span == k:
        return a[_along(axis, 0, count)]
    return np.maximum(a[_along(axis, 0, count)], a[_along(axis, k - span, k - span + count)])


def _odd_kernel(k) -> tuple[int, int]:
    """``(ky, kx)`` from an int or a pair; ``AssertionError`` unless both are odd and > 0."""
    ky, kx = (k, k) if isinstance(k, (int, np.integer)) else k
    ky, kx = int(ky), int(kx)
    assert ky > 0 and kx > 0 and ky % 2 == 1 and kx % 2 == 1, "k must be odd and >0"
    return ky, kx


def _max_filter_into(img: np.ndarray, ky: int, kx: int, out: np.ndarray) -> None:
    """Write the ky x kx max filter of ``img``'s last two axes into ``out``, by row bands."""
    height, width = img.shape[-2:]
    columns = _mirror_indices(-(kx // 2), width + kx // 2, width)
    row_elements = max(1, math.prod(img.shape[:-2]) * width)
    rows_per_band = max(1, _BLOCK_ELEMENTS // row_elements)
    for y0 in range(0, height, rows_per_band):
        y1 = min(height, y0 + rows_per_band)
        rows = _mirror_indices(y0 - ky // 2, y1 + ky // 2, height)
        band = _window_max(img[..., rows, :], ky, axis=-2)
        out[..., y0:y1, :] = _window_max(band[..., columns], kx, axis=-1)


def max_filter2d(img: np.ndarray, k: int | tuple[int, int] = (9, 9)) -> np.ndarray:
    """Max filter over a ``k`` (odd) window of the last two axes, mirror-padded.

    ``k`` is an int or ``(ky, kx)``; both must be odd and positive (``AssertionError``
    otherwise, as in the original). The border is extended like ``np.pad(mode="reflect")``
    (scipy.ndimage ``mode="mirror"``). Leading axes are filtered plane by plane; the result
    is a new C-contiguous array of ``img``'s shape and dtype.
    """
    ky, kx = _odd_kernel(k)
    img = np.asarray(img)
    if img.ndim < 2:
        raise ValueError(f"max_filter2d needs an array with at least 2 axes, got {img.ndim}")
    out = np.empty(img.shape, dtype=img.dtype)
    _max_filter_into(img, ky, kx, out)
    return out


# --- Test images ------------------------------------------------------------------------


def _check_mode(mode) -> None:
    """Raise the original's ValueError for a mode that is not an ``ImageMode``."""
    if mode not in _MODES:
        raise ValueError(f"Unknown mode: {mode}")


def _normalise_in_place(img: np.ndarray) -> None:
    """Min-max normalise ``img`` to [0, 1] in place (a constant image becomes 0)."""
    low = img.min()
    img -= low
    span = img.max()
    if span > 0:
        img /= span


def _fill_test_image(out, mode, seed, perlin_scale, perlin_octaves, max_k) -> None:
    """Write the ``generate_test_image`` image for these arguments into the 2-D ``out``."""
    if mode == "perlin":
        _fbm_into(out, perlin_scale, perlin_octaves, 0.5, 2.0, seed)
    else:
        ky, kx = _odd_kernel(max_k)
        noise = np.random.default_rng(seed).random(out.shape, dtype=np.float32)
        _max_filter_into(noise, ky, kx, out)
        _normalise_in_place(out)


def generate_test_image(
    shape: tuple[int, int] = (1024, 1024),
    *,
    mode: ImageMode = "perlin",
    seed=0,
    perlin_scale: int = 64,
    perlin_octaves: int = 3,
    max_k: int = 9,
) -> np.ndarray:
    """A synthetic float32 image in [0, 1].

    ``"perlin"``: ``perlin_fbm(shape, base_scale=perlin_scale, octaves=perlin_octaves,
    seed=seed)``, smooth clouds. ``"random_max"``: uniform float32 noise from
    ``default_rng(seed)``, ``max_k`` x ``max_k`` max filter, min-max normalised: bright
    plateaus. Any other mode raises ``ValueError("Unknown mode: …")``.
    """
    _check_mode(mode)
    out = np.empty(shape, dtype=np.float32)
    _fill_test_image(out, mode, seed, perlin_scale, perlin_octaves, max_k)
    return out


def generate_multichannel_image(
    shape: tuple[int, int, int] = (8, 1024, 1024),
    *,
    seed=42,
    channel_modes: list[ImageMode] | None = None,
) -> np.ndarray:
    """A synthetic microscopy-like CHW float32 image, each channel in [0, 1].

    Channel ``c`` uses ``channel_modes[c]`` (missing entries are ``"perlin"``; the default
    is ``["random_max", "perlin", ...]``) and seed ``seed + c``. Channel 0 in
    ``"random_max"`` mode uses a 15 x 15 max filter (bright "DAPI-like" plateaus, mean about
    0.93); channel 1 in ``"perlin"`` mode a base scale of 32 (finer "cytoplasm" texture);
    every other channel ``generate_test_image``'s defaults (Perlin scale 64, mean about 0.5,
    std about 0.12). ``seed=None`` draws a fresh random seed. ``channel_modes`` is not
    modified.
    """
    channels, height, width = shape
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 2**31 - 1))
    modes = ["random_max", "perlin"] if channel_modes is None else list(channel_modes)
    modes += ["perlin"] * (channels - len(modes))
    for mode in modes[:channels]:
        _check_mode(mode)
    image = np.empty((channels, height, width), dtype=np.float32)
    for c in range(channels):
        mode = modes[c]
        perlin_scale = 32 if c == 1 and mode == "perlin" else 64
        max_k = 15 if c == 0 and mode == "random_max" else 9
        _fill_test_image(image[c], mode, seed + c, perlin_scale, 3, max_k)
    return image


# --- Sobel ------------------------------------------------------------------------------


def _mirror_pad1(x: np.ndarray) -> np.ndarray:
    """``x`` grown by one mirrored pixel on each side of its last two axes, as
    ``np.pad(x, 1, mode="reflect")`` on those axes; written with slices because np.pad's
    Python-level work holds the GIL for longer than the Sobel arithmetic of a small tile."""
    h, w = x.shape[-2:]
    padded = np.empty(x.shape[:-2] + (h + 2, w + 2), x.dtype)
    padded[..., 1:-1, 1:-1] = x
    padded[..., 0, 1:-1] = x[..., 1 if h > 1 else 0, :]
    padded[..., -1, 1:-1] = x[..., -2 if h > 1 else 0, :]
    padded[..., :, 0] = padded[..., :, 2 if w > 1 else 1]
    padded[..., :, -1] = padded[..., :, -3 if w > 1 else -2]
    return padded


class SobelEdgeDetector:
    """Tiled Sobel gradient magnitude, run by the engine's built-in ``"sobel"`` operation.

    The result equals ``np.hypot(scipy.ndimage.sobel(x, 1, mode="mirror"),
    scipy.ndimage.sobel(x, 0, mode="mirror"))`` per plane, computed in float32, whatever
    the tiling (an overlap of at least 1 makes it seamless).
    """

    def __init__(
        self, tile_size: tuple[int, int] = (128, 128), overlap: tuple[int, int] = (8, 8)
    ) -> None:
        self.tile_size = tile_size
        self.overlap = overlap

    @staticmethod
    def _sobel_filter(tile: np.ndarray, tile_spec=None) -> np.ndarray:
        """Sobel gradient magnitude of a tile's last two axes in numpy, float32.

        The tile is converted to float32 and mirror-padded by one pixel on its last two
        axes (``np.pad(mode="reflect")``); leading axes are independent planes. With t, m,
        b the rows above, at and below a pixel and l, x, r the columns left of, at and
        right of it::

            gx = smooth(t[r] - t[l], m[r] - m[l], b[r] - b[l])
            gy = smooth(b[l] - t[l], b[x] - t[x], b[r] - t[r])
            magnitude = sqrt(gx * gx + gy * gy)

        with the differences in float32, ``smooth(p, q, s) = float32(2 q + (s + p))`` summed in
        float64 (as scipy.ndimage filters lines), the magnitude in float32: the engine's
        arithmetic, so the bits are the engine's and scipy's.
        ``tile_spec`` is accepted for TileFlow's two-argument convention and unused.
        """
        x = np.asarray(tile, dtype=np.float32)
        if x.ndim < 2:
            raise ValueError(f"a Sobel tile needs at least 2 axes, got {x.ndim}")
        padded = _mirror_pad1(x)
        top, mid, bottom = padded[..., :-2, :], padded[..., 1:-1, :], padded[..., 2:, :]

        def smooth(before, centre, after):
            wide = np.float64
            return (2.0 * centre.astype(wide) + (after.astype(wide) + before.astype(wide))
                    ).astype(np.float32)

        gx = smooth(top[..., 2:] - top[..., :-2], mid[..., 2:] - mid[..., :-2],
                    bottom[..., 2:] - bottom[..., :-2])
        gy = smooth(bottom[..., :-2] - top[..., :-2], bottom[..., 1:-1] - top[..., 1:-1],
                    bottom[..., 2:] - top[..., 2:])
        return np.sqrt(gx * gx + gy * gy)

    def process(self, image: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Sobel magnitude of ``image`` (2-D, or any leading axes filtered per plane).

        Returns a float32 array of ``image``'s shape (``out`` when given).
        """
        from .model import TileFlow

        processor = TileFlow(
            tile_size=self.tile_size, overlap=self.overlap, name="SobelEdgeDetector"
        )
        return processor.configure("sobel").run(image, out=out)
